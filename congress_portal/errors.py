"""The 404 answer in the caller's language: JSON under /api/, GeoReport errors under
/open311/v2/, the portal's page everywhere else.

A path the URL patterns do not match (`/api/stations/abc/`, `/open311/v2/requests/a.b`)
never reaches a view, so DRF's and Open311's own error bodies are not written: without
this handler a client of the API would be answered an HTML page its schema does not
describe.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

OPEN311_PREFIX = "/open311/v2/"


def handler404(request, exception=None):
    path = request.path_info
    if path.startswith("/api/"):
        return JsonResponse({"detail": _("未找到。")}, status=404)
    if path.startswith(OPEN311_PREFIX):
        from open311 import formats

        fmt = "xml" if path.endswith(".xml") else "json"
        return formats.errors(fmt, 404, [_("没有这个接口或对象。")])
    return defaults.page_not_found(request, exception)
