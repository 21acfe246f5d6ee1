"""Citizens' pages, opened from a QR code (often in WeChat's scanner). No login.

The pages are plain HTML for old phones and slow connections: no script is needed,
photos are small thumbnails, text is large. A deputy or station that is not open to
the public answers with a calm "not available" page and status 404, the same as a
code that never existed.
"""

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from . import cache, qr, selectors
from .photos import thumbnail_bytes

# Codes and photos change rarely and their URLs are unguessable: let phones keep them.
IMAGE_CACHE_SECONDS = 24 * 3600


def _unavailable(request):
    return render(request, "public/unavailable.html", status=404)


@require_safe
def deputy_page(request, deputy_token: str):
    deputy = selectors.deputy_by_token(deputy_token, with_generation=True)
    if deputy is None or not selectors.deputy_is_public(deputy):
        return _unavailable(request)
    # A private number is not shown at all, not even masked: only a published one.
    phone = deputy.phone if deputy.phone_public else ""
    # The content is kept per process until a change (public/cache.py): the lists are
    # computed only when the template misses it.
    return render(
        request,
        "public/deputy.html",
        {
            "deputy": deputy,
            "phone": phone,
            "page_version": cache.page_version(deputy.page_generation),
            "stations": cache.lazy(selectors.stations_of_deputy, deputy),
            "days": cache.lazy(selectors.upcoming_days_for_deputy, deputy),
        },
    )


@require_safe
def station_page(request, station_token: str):
    station = selectors.station_by_token(station_token, with_generation=True)
    if station is None or not selectors.station_is_public(station):
        return _unavailable(request)
    return render(
        request,
        "public/station.html",
        {
            "station": station,
            "page_version": cache.page_version(station.page_generation),
            "deputies": cache.lazy(lambda: list(selectors.deputies_of_station(station))),
            "days": cache.lazy(selectors.upcoming_days_for_station, station),
        },
    )


def _qr_response(request, kind: str, target, fmt: qr.QrFormat) -> HttpResponse:
    content = cache.qr_bytes(qr.public_url(kind, target.public_token), fmt)
    response = HttpResponse(content, content_type=qr.CONTENT_TYPES[fmt])
    response["Cache-Control"] = f"public, max-age={IMAGE_CACHE_SECONDS}"
    if request.GET.get("download"):
        filename = _("%(name)s-二维码.%(ext)s") % {"name": target.name, "ext": fmt}
        response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


# The code of a deputy or station that is closed is still served: it only carries
# the public URL, and staff pages show it whatever the status.
@require_safe
def deputy_qr(request, deputy_token: str, fmt: qr.QrFormat):
    deputy = selectors.deputy_by_token(deputy_token)
    if deputy is None:
        raise Http404
    return _qr_response(request, "deputy", deputy, fmt)


@require_safe
def station_qr(request, station_token: str, fmt: qr.QrFormat):
    station = selectors.station_by_token(station_token)
    if station is None:
        raise Http404
    return _qr_response(request, "station", station, fmt)


@require_safe
def deputy_photo(request, deputy_token: str):
    deputy = selectors.deputy_by_token(deputy_token)
    if deputy is None or not selectors.deputy_is_public(deputy):
        raise Http404
    content = thumbnail_bytes(deputy)
    if content is None:
        raise Http404
    response = HttpResponse(content, content_type="image/jpeg")
    response["Cache-Control"] = f"public, max-age={IMAGE_CACHE_SECONDS}"
    return response
