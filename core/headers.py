"""Response headers for pages that carry personal data.

Everything answered to a signed-in user (pages, the API, exports, private files,
the admin) is `Cache-Control: no-store`: no shared proxy or browser cache keeps a
copy for the next person at the same computer. Citizens' own pages that are keyed
by a token (receipt, tracking) use `never_cache`, and `core.files.private_file_response`
sets no-store on every private file whoever asks. The Content-Security-Policy comes
from django-csp (settings.CONTENT_SECURITY_POLICY).
"""

from django.utils.cache import add_never_cache_headers


def no_store(response):
    """Mark `response` never to be stored: no-store, no-cache, private, max-age=0."""
    add_never_cache_headers(response)  # also takes out "public" and lowers max-age
    return response


class NoStoreWhenSignedInMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            no_store(response)
        return response
