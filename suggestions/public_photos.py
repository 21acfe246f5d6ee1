"""The citizen's own photos on the tracking page (kept apart from public_views.py).

Only for the browser that proved the tracking code and phone digits (the same session
proof as the tracking page and the reply's files), and only the suggestion's own
photos: a merged duplicate's follower sees their own, never the survivor's.
"""

from django.http import Http404
from django.views.decorators.http import require_safe

from core.files import private_file_response

from .models import SuggestionPhoto
from .public_views import _tracked


@require_safe
def track_photo(request, tracking_code: str, photo_pk: int):
    suggestion = _tracked(request, tracking_code)
    if suggestion is None:
        raise Http404
    item = SuggestionPhoto.objects.filter(pk=photo_pk, suggestion=suggestion).first()
    if item is None:
        raise Http404
    return private_file_response(item.image)
