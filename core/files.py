from django.http import FileResponse, Http404

from core.headers import no_store


def private_file_response(
    field_file, *, filename: str | None = None, as_attachment: bool = False
) -> FileResponse:
    """Stream a stored file the caller has already checked access to; never cached publicly.
    `as_attachment` asks the browser to save it rather than show it."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, filename=filename, as_attachment=as_attachment)
    return no_store(response)
