from django.http import FileResponse, Http404


def private_file_response(field_file, *, filename: str | None = None) -> FileResponse:
    """Stream a stored file the caller has already checked access to; never cached publicly."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, filename=filename)
    response["Cache-Control"] = "private, max-age=300"
    return response
