from django.conf import settings
from django.http import Http404
from django.views.static import serve


def public_media(request, path: str):
    """Serve uploaded files that are public by nature (deputies' photos, QR images).

    Everything else under MEDIA_ROOT (imports, job results, evidence photos) is only
    reachable through views that check access; here it is a 404.
    """
    if not path.startswith(tuple(settings.MEDIA_PUBLIC_PREFIXES)) or ".." in path:
        raise Http404
    response = serve(request, path, document_root=settings.MEDIA_ROOT)
    response["Cache-Control"] = "public, max-age=3600"
    return response
