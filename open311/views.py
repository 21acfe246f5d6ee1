"""The Open311 GeoReport v2 endpoints, and the staff pages that register client systems.

Endpoints (`/open311/v2/...{.xml|.json}`): discovery, services, a service's
definition, requests (GET and POST), one request, a token. Reads that name no key
are refused: every answer is for a registered client, whose calls are audited and
rate limited per key. A client reaches only its region's suggestions; another
region's request is "not found", exactly like a missing one.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from core import clock
from core.forms import add_service_errors
from suggestions import ratelimit
from suggestions.models import CONTENT_MAX_LENGTH, Category
from tenancy.access import access_object

from . import formats, selectors, services
from .forms import ClientForm
from .models import ApiClient
from .permissions import can_manage_clients

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"


def _limits():
    return getattr(settings, "OPEN311_CALLS_PER_KEY", (600, 3600))


def _client(request, fmt: str, what: str):
    """(client, None) for a valid key within its rate limit, else (None, error answer)."""
    key = request.POST.get("api_key") or request.GET.get("api_key") or ""
    client = services.client_for_key(key)
    if client is None:
        return None, formats.errors(fmt, 403, [_("api_key 无效或已停用。")])
    limit, window = _limits()
    if not ratelimit.hit("open311", client.key_prefix, limit=limit, window=window):
        services.client_call(client, what, succeeded=False)
        return None, formats.errors(fmt, 429, [_("调用过于频繁，请稍后再试。")])
    services.client_call(client, what)
    return client, None


def _format(fmt: str):
    return None if fmt in formats.FORMATS else formats.errors("json", 404, [_("不支持的格式。")])


def discovery(request, fmt: str):
    if bad := _format(fmt):
        return bad
    base = request.build_absolute_uri(reverse("open311:services", args=["xml"])).rsplit("/", 1)[0]
    data = {
        "changeset": "2026-12-01T00:00:00+08:00",
        "contact": _("请联系本级人大常委会办公室登记对接系统，获取 api_key。"),
        "key_service": _("api_key 由本级人大工作人员在“开放接口”页面登记后发放，只显示一次。"),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": base,
                "changeset": "2026-12-01T00:00:00+08:00",
                "type": "production",
                "formats": list(formats.FORMATS.values()),
            }
        ],
        # Extensions: the limits the portal applies to what is posted.
        "limits": {"description_max_length": CONTENT_MAX_LENGTH, "requests_max_rows": 1000},
    }
    return formats.render(fmt, data, root="discovery")


def service_list(request, fmt: str):
    if bad := _format(fmt):
        return bad
    client, error = _client(request, fmt, "GET services")
    if error:
        return error
    if services.jurisdiction_for(client, request.GET.get("jurisdiction_id")) is None:
        return formats.errors(fmt, 404, [_("该辖区不在本系统的对接范围内。")])
    rows = [
        {
            "service_code": code,
            "service_name": str(name),
            "description": _("群众意见建议：%(name)s") % {"name": name},
            "metadata": False,
            "type": "realtime",
            "keywords": "",
            "group": _("群众意见建议"),
        }
        for code, name in selectors.services()
    ]
    return formats.render(fmt, rows, root="services", item="service")


def service_definition(request, service_code: str, fmt: str):
    if bad := _format(fmt):
        return bad
    client, error = _client(request, fmt, f"GET services/{service_code[:20]}")
    if error:
        return error
    if service_code not in Category.values:
        return formats.errors(fmt, 404, [_("没有这个服务类别。")])
    return formats.render(
        fmt, {"service_code": service_code, "attributes": []}, root="service_definition"
    )


@csrf_exempt
def request_list(request, fmt: str):
    """GET: requests of the client's region; POST: a new request (a key with write access)."""
    if bad := _format(fmt):
        return bad
    if request.method == "POST":
        return _post_request(request, fmt)
    if request.method not in ("GET", "HEAD"):
        return formats.errors(fmt, 405, [_("不支持的请求方法。")])
    client, error = _client(request, fmt, "GET requests")
    if error:
        return error
    query = request.GET
    try:
        start = selectors.parse_moment(query.get("start_date"))
        end = selectors.parse_moment(query.get("end_date"))
    except ValueError:
        return formats.errors(fmt, 400, [_("start_date / end_date 应为 ISO 8601 时间。")])
    ids = [code.strip().upper() for code in query.get("service_request_id", "").split(",")]
    ids = [code for code in ids if code]
    if not ids and start is None and end is None:
        start = selectors.parse_moment(services.default_window(clock.today()).isoformat())
    rows = selectors.requests_of(
        client,
        ids=ids,
        service_code=query.get("service_code", ""),
        start=start,
        end=end,
        status=query.get("status", ""),
    )
    data = [selectors.as_request(row) for row in rows]
    return formats.render(fmt, data, root="service_requests", item="request")


def _post_request(request, fmt: str):
    client, error = _client(request, fmt, "POST requests")
    if error:
        return error
    try:
        suggestion, _created = services.request_submit(client=client, data=request.POST)
    except PermissionDenied as refused:
        return formats.errors(fmt, 403, [str(refused)])
    except ValidationError as invalid:
        problems = [f"{field}: {' '.join(m)}" for field, m in invalid.message_dict.items()]
        return formats.errors(fmt, 400, problems)
    row = {
        "service_request_id": suggestion.tracking_code,
        "service_notice": _("已收到，将依规定办理；可凭查询码跟踪办理进度。"),
        "account_id": "",
    }
    return formats.render(fmt, [row], root="service_requests", item="request")


def request_detail(request, service_request_id: str, fmt: str):
    if bad := _format(fmt):
        return bad
    client, error = _client(request, fmt, f"GET requests/{service_request_id[:20]}")
    if error:
        return error
    rows = list(selectors.requests_of(client, ids=[service_request_id.upper()]))
    if not rows:
        return formats.errors(fmt, 404, [_("没有这个服务请求。")])
    return formats.render(
        fmt, [selectors.as_request(rows[0])], root="service_requests", item="request"
    )


def token_detail(request, token: str, fmt: str):
    if bad := _format(fmt):
        return bad
    client, error = _client(request, fmt, "GET tokens")
    if error:
        return error
    suggestion = selectors.request_by_token(client, token)
    if suggestion is None:
        return formats.errors(fmt, 404, [_("没有这个令牌。")])
    row = {"service_request_id": suggestion.tracking_code, "token": token}
    return formats.render(fmt, [row], root="service_requests", item="request")


# --- Staff: the client registry ---------------------------------------------------------


@login_required
def client_list(request):
    if not can_manage_clients(request.user):
        raise PermissionDenied
    clients = ApiClient.objects.visible_to(request.user).select_related("region", "created_by")
    page = Paginator(clients, 30).get_page(request.GET.get("page"))
    return render(request, "open311/client_list.html", {"page": page})


@login_required
def client_new(request):
    if not can_manage_clients(request.user):
        raise PermissionDenied
    form = ClientForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            client, key = services.client_register(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # The key is shown this once; only its digest is kept.
            return render(request, "open311/client_key.html", {"client": client, "key": key})
    return render(request, "open311/client_form.html", {"form": form})


@login_required
@require_POST
def client_revoke(request, client_pk: int):
    client = access_object(ApiClient, request.user, client_pk, for_write=True)
    services.client_revoke(actor=request.user, client=client)
    messages.success(request, _("已停用%(name)s。") % {"name": client.name})
    return redirect("open311:client_list")
