"""The machinery of the tenancy walk (tests/foundation/test_tenancy_walk.py).

The walk's registries (which object each URL parameter names, which routes are public)
stay in the test file, where every app adds its entries; this module holds what does not
change when an app joins: the extra visitors, the markers planted in the other slice, the
files behind file routes, the route enumeration and the one way a request is made.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from io import BytesIO

from django.apps import apps
from django.db import models, transaction
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.models import Role
from tenancy.scope import restrict
from tests import factories as f

METHODS = ("get", "post", "put", "patch", "delete")
WRITES = ("post", "put", "patch", "delete")
PARAM_RE = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")

# --- the visitors ---------------------------------------------------------------------

# Each visitor stands just outside one boundary of the 交城县 / 天宁镇 side of the world
# (tests/conftest.py): everything the walk plants there is the "other slice" for them.
VISITORS = {
    "outsider": "staff of the neighbouring county 文水县",
    "neighbour_clerk": "the clerk of 文水县水务局, a unit of the neighbouring county",
    "sibling_township_officer": "staff of 夏家营镇, a sibling township of the same county",
    "sibling_station_officer": "the officer of 夏家营镇联络站, a sibling station",
    "other_deputy_user": "王秀英, another deputy of the same station 天宁镇联络站",
    "other_clerk": "the clerk of 交城县教育局, another unit of the same county",
    "neighbour_sysadmin": "the system administrator of 文水县 (audit trail, calendar, ...)",
}


def extend_cast(world):
    """Add the walk's visitors to the `world` cast (the rest of the suite does not need them)."""
    from deputies.models import StationMembership

    since = datetime.date(2024, 1, 5)
    for deputy in (world.deputy, world.other_deputy):
        StationMembership.objects.get_or_create(
            deputy=deputy, station=world.station, defaults={"start_date": since}
        )
    world.other_unit = f.HandlingUnitFactory(name="交城县教育局", region=world.county)
    world.sibling_township_officer = f.user_with_role(
        "sibling_township_officer", Role.TOWNSHIP_STAFF, region=world.other_township
    )
    world.sibling_station_officer = f.user_with_role(
        "sibling_station_officer", Role.STATION_OFFICER, station=world.sibling_station
    )
    world.other_deputy_user = f.user_with_role(
        "other_deputy_user", Role.DEPUTY, region=world.township
    )
    world.other_deputy.user = world.other_deputy_user
    world.other_deputy.save(update_fields=["user"])
    world.other_clerk = f.user_with_role("other_clerk", Role.UNIT_CLERK, unit=world.other_unit)
    world.neighbour_sysadmin = f.user_with_role(
        "neighbour_sysadmin", Role.SYSADMIN, region=world.neighbour
    )
    return world


def other_slice_extras(world):
    """Rows of the 交城县 side that only lists show: audit record, ledger job, failed delivery."""
    from audit.services import audit_record
    from jobs.models import Job
    from notifications.models import Delivery

    audit_record(actor=world.county_officer, action="update", obj=world.station, note="WK~0~改名")
    Job.objects.create(
        kind="ledger",
        title="交城县 接待台账",
        created_by=world.county_officer,
        region=world.county,
        status=Job.Status.DONE,
    )
    Delivery.objects.create(
        channel=Delivery.Channel.EMAIL,
        address="tianning@example.cn",
        subject="天宁镇的通知",
        text="请签收。",
        status=Delivery.Status.FAILED,
        last_error="邮件服务器拒收",
        region_path=world.township.path,
    )


# --- the routes -----------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    route: str  # the pattern, e.g. "stations/<int:station_pk>/"
    name: str  # "namespace:name"
    params: tuple[str, ...]
    api: bool
    module: str = ""  # where the view lives, e.g. "suggestions.views"

    def __str__(self):
        return self.route


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = ""):
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace or ""]))
            yield from _walk(entry, pattern, inner)
        elif isinstance(entry, URLPattern):
            yield pattern, entry, namespace


def all_patterns():
    """Every URL pattern of the portal: (route, namespace:name, params)."""
    for route, name, params, _module in all_patterns_with_views():
        yield route, name, params


def all_patterns_with_views():
    for pattern, entry, namespace in _walk(get_resolver()):
        route = pattern.lstrip("^")
        params = tuple(a or b for a, b in PARAM_RE.findall(route))
        view = entry.callback
        view = getattr(view, "cls", None) or getattr(view, "view_class", None) or view
        yield route, f"{namespace}:{entry.name}", params, view.__module__


def fill(route: str, values: dict) -> str:
    def replace(match):
        return str(values[match.group(1) or match.group(2)])

    path = PARAM_RE.sub(replace, route)
    path = path.replace("\\.", ".").replace("$", "").replace("^", "").replace("/?", "/")
    return "/" + path


# --- markers --------------------------------------------------------------------------

# Text fields a list shows; each marked row gets "WK~<n>~" in front of them.
MARKED_FIELDS = (
    "name",
    "title",
    "content",
    "body",
    "address",
    "summary",
    "reason",
    "note",
    "notes",
    "topic",
    "work_unit",
    "subject",
    "last_error",
    "return_reason",  # the one text of an assignment the API shows (suggestions.api)
)
# Models whose text a page of another slice may rightly show: the region tree (an
# ancestor's name in a breadcrumb) and accounts (a colleague's name on a record).
UNMARKED_MODELS = {"regions.Region", "accounts.User", "accounts.RoleAssignment"}
# Rows that cannot change once written (PostgreSQL refuses it): marked when created.
APPEND_ONLY = {"audit.AuditRecord": "note"}
MARKER_RE = re.compile(r"WK~\d+~")


def _markable(field) -> bool:
    return (
        isinstance(field, models.CharField | models.TextField)
        and not field.choices
        and not field.unique
        and not field.primary_key
        and (field.max_length is None or field.max_length >= 20)
    )


def scoped_models():
    return [m for m in apps.get_models() if getattr(m, "tenancy_rule", None) is not None]


def plant_markers() -> dict:
    """Write a unique marker into every row of every scoped model; {(label, pk): marker}."""
    markers, n = {}, 0
    for model in scoped_models():
        label = model._meta.label
        if label in UNMARKED_MODELS:
            continue
        if label in APPEND_ONLY:
            for pk, text in model._default_manager.values_list("pk", APPEND_ONLY[label]):
                if found := MARKER_RE.match(text or ""):
                    markers[(label, pk)] = found.group(0)
            continue
        fields = [
            fld
            for fld in model._meta.get_fields()
            if fld.concrete and fld.name in MARKED_FIELDS and _markable(fld)
        ]
        if not fields:
            continue
        for row in model._default_manager.all():
            n += 1
            marker = f"WK~{n}~"
            changes = {fld.name: marker + (getattr(row, fld.attname) or "") for fld in fields}
            model._default_manager.filter(pk=row.pk).update(**changes)
            markers[(label, row.pk)] = marker
    return markers


def foreign_markers(user, markers: dict) -> dict:
    """The markers of rows `user` may not see: {marker: (label, pk)}."""
    visible: dict[str, set] = {}
    out = {}
    for (label, pk), marker in markers.items():
        if label not in visible:
            model = apps.get_model(label)
            visible[label] = set(
                restrict(model._default_manager.all(), user).values_list("pk", flat=True)
            )
        if pk not in visible[label]:
            out[marker] = (label, pk)
    return out


def unseen_regions(user) -> frozenset:
    """The ids and codes of the regions `user` may not see, which no region choice list of
    theirs offers."""
    from regions.models import Region

    seen = restrict(Region.objects.all(), user).values("pk")
    rows = Region.objects.exclude(pk__in=seen).values_list("pk", "code")
    return frozenset(str(value) for row in rows for value in row)


def leaked(
    text: str, forbidden: dict, paths: frozenset = frozenset(), regions: frozenset = frozenset()
) -> list:
    """The other slice's rows named in `text`: by marker, or by a link or a form posting to
    their page (a list of rows with no text of their own, such as the second-factor
    rules, names each row only by its delete form)."""
    found = {forbidden[m] for m in MARKER_RE.findall(text) if m in forbidden}
    found |= {f"link {p}" for p in HREF_RE.findall(text) if p in paths}
    if regions:
        for select in REGION_SELECT_RE.findall(text):
            found |= {f"region choice {v}" for v in OPTION_RE.findall(select) if v in regions}
    return sorted(found, key=str)


REGION_SELECT_RE = re.compile(r'<select name="[\w-]*region[\w-]*"[^>]*>(.*?)</select>', re.S)
OPTION_RE = re.compile(r'<option value="(\d+)"')
HREF_RE = re.compile(r'(?:href|action)="([^"?#]+)')


def remove_unseen(user, keep: set = frozenset()) -> int:
    """Delete every row of every scoped model that `user` may not see (but the models in
    `keep`, the region tree, the accounts and append-only rows): for the differential
    check, inside a transaction that is rolled back. The rows are deleted one table at a
    time without cascading; the database's foreign keys are deferred (Django declares
    them DEFERRABLE INITIALLY DEFERRED), so a reference left behind is never checked."""
    unseen = {}
    for model in scoped_models():
        label = model._meta.label
        if label in UNMARKED_MODELS or label in APPEND_ONLY or label in keep:
            continue
        seen = restrict(model._default_manager.all(), user).values("pk")
        unseen[model] = list(
            model._default_manager.exclude(pk__in=seen).values_list("pk", flat=True)
        )
    removed = 0
    for model, pks in unseen.items():
        if pks:
            removed += model._base_manager.filter(pk__in=pks)._raw_delete(model._base_manager.db)
    return removed


# Values that differ between two renderings of the same page: CSRF tokens, a form's
# one-time entry token, the time of the request.
_VOLATILE_RE = re.compile(
    r'(name="[\w-]*token"[^>]*?value=")[^"]*"'
    r"|(\d{1,2}:\d{2}(?::\d{2})?)"
    r'|("X-CSRFToken": ")[^"]*"'
)


def same_page(text: str) -> str:
    return _VOLATILE_RE.sub(lambda m: (m.group(1) or "") + "~", text)


# --- files ----------------------------------------------------------------------------


def tiny_jpeg() -> bytes:
    from PIL import Image

    buffer = BytesIO()
    Image.new("RGB", (4, 4), (200, 120, 40)).save(buffer, format="JPEG")
    return buffer.getvalue()


def write_files(media_root) -> None:
    """Put a real file behind every file field of every row, so file routes can answer 200."""
    jpeg = tiny_jpeg()
    for model in apps.get_models():
        file_fields = [fld for fld in model._meta.get_fields() if isinstance(fld, models.FileField)]
        for fld in file_fields:
            for name in model._default_manager.exclude(**{fld.name: ""}).values_list(
                fld.name, flat=True
            ):
                if not name:
                    continue
                target = media_root / name
                target.parent.mkdir(parents=True, exist_ok=True)
                if not target.exists():
                    target.write_bytes(jpeg if name.lower().endswith((".jpg", ".png")) else b"%PDF")


# --- one request ----------------------------------------------------------------------


@dataclass
class Answer:
    status: int | str
    text: str = ""
    probe_grew: bool = False
    location: str = ""
    messages: tuple = ()

    def __repr__(self):
        return str(self.status)


def call(client, method: str, path: str, data=None, *, api=False, probe=None) -> Answer:
    """One request whose writes are rolled back, so the world is the same for the next.

    `probe` (a callable) is read before and after the request, inside the transaction:
    `probe_grew` says whether it grew (e.g. the number of audit records)."""
    kwargs = {}
    if data is not None:
        if api and method != "get":
            kwargs = {"data": json.dumps(data), "content_type": "application/json"}
        else:
            kwargs = {"data": data}
    elif api and method in ("put", "patch", "post"):
        kwargs = {"data": "{}", "content_type": "application/json"}
    cookies = dict(client.cookies.items())
    try:
        with transaction.atomic():
            before = probe() if probe else 0
            response = getattr(client, method)(path, **kwargs)
            grew = bool(probe) and probe() > before
            transaction.set_rollback(True)
    except Exception as error:  # a crash is an answer too, and never a right one
        return Answer(f"raised {type(error).__name__}: {error}"[:200])
    finally:
        # The session row was rolled back with the rest; the cookie follows it (a
        # walked logout or password change must not sign the visitor out of the walk).
        client.cookies.clear()
        client.cookies.update(cookies)
    queued = getattr(getattr(response.wsgi_request, "_messages", None), "_queued_messages", [])
    return Answer(
        response.status_code,
        _text(response),
        grew,
        response.get("Location", ""),
        tuple(str(m) for m in queued),
    )


def _text(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        return _xlsx_text(content)
    if kind.startswith(("text/", "application/json", "application/xml")):
        return content.decode("utf-8", "replace")
    return ""


def _xlsx_text(content: bytes) -> str:
    from openpyxl import load_workbook

    try:
        book = load_workbook(BytesIO(content), read_only=True)
    except Exception:
        return ""
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            cells.extend(str(v) for v in row if v is not None)
    return "\n".join(cells)


def shape(answer: Answer, api: bool) -> str:
    """What tells two answers apart, without the values echoed back: for the API its
    errors with digits and echoed references taken out; for a page its redirect and
    messages."""
    if not api:
        return re.sub(r"\d+", "", answer.location + " ".join(answer.messages))
    return re.sub(r"\d+|WALKMISSING0000|walk-[\w-]+|[A-Z0-9]{8,}", "", answer.text)
