from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import history_of
from core import clock
from core.forms import add_service_errors as _add_errors
from core.params import parse_id, parse_int
from deputies.models import Deputy, DeputyGroup, StationMembership, current_membership_q
from regions.models import Region
from regions.selectors import region_choices
from stations.models import Station
from stations.spreadsheets import xlsx_response
from tenancy.access import access_object, can_write
from tenancy.scope import root_paths, sees_only_own_record

from . import exports
from . import permissions as can
from .forms import DutyReportForm, PointRulesForm
from .models import DeputyPoints, DutyKind, DutyReport, PointRule
from .selectors import (
    ACTIVITY_KINDS,
    MAX_MISSED_DAYS,
    PEOPLE,
    duty_counts,
    duty_timeline,
    linkable_timeline,
    missed_lines,
    ranking,
    score,
    station_rank,
    stored_points,
    weights_for_paths,
    weights_for_region,
)
from .services import (
    duty_report_create,
    duty_report_delete,
    duty_report_update,
    may_manage_points,
    point_rules_save,
)

PAGE_SIZE = 30
MISSED_PAGE_SIZE = 50
# The figures shown large at the top of a record.
HEADLINE_KINDS = (
    DutyKind.RECEPTION,
    DutyKind.DUTY_ATTENDED,
    DutyKind.DUTY_MISSED,
    DutyKind.VISIT,
    DutyKind.SUGGESTION,
    DutyKind.REPORT,
)


def _year(request) -> int:
    today = clock.today()
    year = parse_int(request.GET.get("year", today.year), low=2000, high=today.year + 1)
    return year if year is not None else today.year


def _years() -> list[int]:
    this = clock.today().year
    return list(range(this, this - 5, -1))


def _tab_flags(user) -> dict:
    """Which tabs of the duty pages the user can open."""
    return {
        "show_overview_tabs": not sees_only_own_record(user),
        "show_rules": can.can_read_point_rules(user),
    }


def _require_overview(user) -> None:
    if not can.can_read_overview(user):
        raise PermissionDenied


_own_deputy_id = can.own_deputy_id


def _deputy_rows(request):
    """The deputies the user sees, filtered by station and name (the list and its export)."""
    deputies = (
        Deputy.objects.visible_to(request.user)
        .filter(status=Deputy.Status.ACTIVE)
        .select_related("region")
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=StationMembership.objects.filter(current_membership_q())
                .select_related("station")
                .order_by("start_date"),
                to_attr="current_memberships",
            )
        )
        .order_by("region_path", "name", "pk")
    )
    stations = Station.objects.visible_to(request.user).only("pk", "name").order_by("name")
    station = None
    if (station_pk := parse_id(request.GET.get("station"))) is not None:
        station = stations.filter(pk=station_pk).first()
        if station is not None:
            deputies = deputies.filter(
                pk__in=StationMembership.objects.filter(
                    current_membership_q(), station=station
                ).values("deputy_id")
            )
    query = request.GET.get("q", "").strip()
    if query:
        deputies = deputies.filter(name__contains=query)
    return deputies, stations, station, query


def _summary(counts) -> dict:
    """The columns of the list and the export, from one deputy's counts."""
    return {
        "receptions": counts.get(DutyKind.RECEPTION, 0),
        "people": counts.get(PEOPLE, 0),
        "attended": counts.get(DutyKind.DUTY_ATTENDED, 0),
        "missed": counts.get(DutyKind.DUTY_MISSED, 0),
        "visits": counts.get(DutyKind.VISIT, 0),
        "activities": sum(counts.get(kind, 0) for kind in ACTIVITY_KINDS),
        "suggestions": counts.get(DutyKind.SUGGESTION, 0),
        "answered": counts.get(DutyKind.ANSWERED, 0),
        "reports": counts.get(DutyKind.REPORT, 0),
    }


@login_required
def index(request):
    """Duty records of the deputies in scope, one line each, for a year."""
    if sees_only_own_record(request.user):
        own = _own_deputy_id(request.user)
        if own is not None:
            return redirect("duties:record", deputy_pk=own)
    _require_overview(request.user)
    year = _year(request)
    deputies, stations, station, query = _deputy_rows(request)
    page = Paginator(deputies, PAGE_SIZE).get_page(request.GET.get("page"))
    on_page = Deputy.objects.filter(pk__in=[deputy.pk for deputy in page])
    counts = duty_counts(on_page, year)
    points = dict(
        DeputyPoints.objects.filter(deputy__in=on_page, year=year).values_list(
            "deputy_id", "points"
        )
    )
    rows = [
        {"deputy": deputy, "points": points.get(deputy.pk), **_summary(counts.get(deputy.pk, {}))}
        for deputy in page
    ]
    return render(
        request,
        "duties/index.html",
        {
            "page": page,
            "rows": rows,
            "year": year,
            "years": _years(),
            "stations": stations,
            "station": station,
            "q": query,
            "tab": "records",
            **_tab_flags(request.user),
        },
    )


@login_required
def index_export(request):
    _require_overview(request.user)
    year = _year(request)
    deputies, _stations, _station, _query = _deputy_rows(request)
    deputies = deputies[: exports.MAX_EXPORT_ROWS]
    chosen = Deputy.objects.filter(pk__in=[deputy.pk for deputy in deputies])
    counts = duty_counts(chosen, year)
    points = dict(
        DeputyPoints.objects.filter(deputy__in=chosen, year=year).values_list("deputy_id", "points")
    )
    rows = [
        {"deputy": deputy, "points": points.get(deputy.pk), **_summary(counts.get(deputy.pk, {}))}
        for deputy in deputies
    ]
    content = exports.overview_workbook(rows, year=year, viewer=request.user)
    return xlsx_response(content, f"代表履职汇总-{year}.xlsx")


def _record_context(request, deputy: Deputy, year: int) -> dict:
    """The figures of one deputy's year. Points are computed from the records now, so
    they always match the counts shown; the stored row (used by rankings) may lag."""
    counts = duty_counts(Deputy.objects.filter(pk=deputy.pk), year).get(deputy.pk, Counter())
    weights = weights_for_region(deputy.region)
    total, _breakdown = score(counts, weights)
    labels = dict(DutyKind.choices)
    rows = [
        {
            "kind": kind,
            "label": labels[kind],
            "count": counts.get(kind, 0),
            "points": weights[kind].points,
            "total": counts.get(kind, 0) * weights[kind].points,
            "source": weights[kind].source,
        }
        for kind in DutyKind.values
    ]
    return {
        "deputy": deputy,
        "year": year,
        "years": _years(),
        "rows": rows,
        "figures": [row for row in rows if row["kind"] in HEADLINE_KINDS],
        "people": counts.get(PEOPLE, 0),
        "total": total,
        "stored": stored_points(deputy, year),
        "rank": station_rank(deputy, year),
        "timeline": linkable_timeline(duty_timeline(deputy, year), request.user),
        "memberships": list(
            deputy.memberships.filter(current_membership_q()).select_related("station")
        ),
    }


@login_required
def record(request, deputy_pk: int):
    """One deputy's file (一人一档) for a year: summary, points and timeline. Printable."""
    deputy = access_object(Deputy.objects.select_related("region"), request.user, deputy_pk)
    year = _year(request)
    context = _record_context(request, deputy, year)
    context.update(
        {
            "reports": DutyReport.objects.filter(deputy=deputy).order_by("-year", "-date")[:10],
            "can_report": can_write(request.user, deputy),
            "tab": "records",
            **_tab_flags(request.user),
        }
    )
    return render(request, "duties/record.html", context)


@login_required
def record_export(request, deputy_pk: int):
    deputy = access_object(Deputy.objects.select_related("region"), request.user, deputy_pk)
    year = _year(request)
    context = _record_context(request, deputy, year)
    content = exports.record_workbook(context, viewer=request.user)
    return xlsx_response(content, f"履职档案-{deputy.name}-{year}.xlsx")


# --- Report-back to voters ---------------------------------------------------------------


@login_required
def report_new(request, deputy_pk: int):
    deputy = access_object(Deputy, request.user, deputy_pk, for_write=True)
    form = DutyReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            report = duty_report_create(actor=request.user, deputy=deputy, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("述职已登记。"))
            return redirect(f"{_record_url(deputy.pk)}?year={report.year}")
    return render(
        request, "duties/report_form.html", {"form": form, "deputy": deputy, "report": None}
    )


def _record_url(deputy_pk: int) -> str:
    return reverse("duties:record", kwargs={"deputy_pk": deputy_pk})


@login_required
def report_edit(request, duty_report_pk: int):
    report = access_object(
        DutyReport.objects.select_related("deputy"), request.user, duty_report_pk
    )
    writable = can_write(request.user, report)
    if request.method == "POST" and not writable:
        raise PermissionDenied
    initial = {"year": report.year, "date": report.date, "notes": report.notes}
    form = DutyReportForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            duty_report_update(actor=request.user, report=report, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("述职记录已保存。"))
            return redirect(f"{_record_url(report.deputy_id)}?year={report.year}")
    return render(
        request,
        "duties/report_form.html",
        {
            "form": form,
            "deputy": report.deputy,
            "report": report,
            "writable": writable,
            "history": history_of(report)[:20],
        },
    )


@login_required
@require_POST
def report_delete(request, duty_report_pk: int):
    report = access_object(
        DutyReport.objects.select_related("deputy"), request.user, duty_report_pk, for_write=True
    )
    deputy_id, year = report.deputy_id, report.year
    duty_report_delete(actor=request.user, report=report)
    messages.success(request, _("述职记录已删除。"))
    return redirect(f"{_record_url(deputy_id)}?year={year}")


# --- Ranking -------------------------------------------------------------------------------


@login_required
def ranking_page(request):
    """Yearly points, best first, within a station, a deputy group or a region."""
    _require_overview(request.user)
    year = _year(request)
    stations = Station.objects.visible_to(request.user).only("pk", "name").order_by("name")
    groups = DeputyGroup.objects.visible_to(request.user).only("pk", "name").order_by("name")
    regions = (
        region_choices(request.user, for_write=False)
        .filter(level__in=[Region.Level.CITY, Region.Level.COUNTY, Region.Level.TOWNSHIP])
        .only("pk", "code", "name", "level")
    )
    by = request.GET.get("by", "region")
    station = group = region = None
    value = request.GET.get(by, "")
    if by == "station" and parse_id(value) is not None:
        station = stations.filter(pk=parse_id(value)).first()
    elif by == "group" and parse_id(value) is not None:
        group = groups.filter(pk=parse_id(value)).first()
    elif by == "region" and value:
        region = regions.filter(code=value).first()
    rows = ranking(
        DeputyPoints.objects.visible_to(request.user),
        year=year,
        station=station,
        group=group,
        region=region,
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "duties/ranking.html",
        {
            "page": page,
            "computed_at": max((row.computed_at for row in page), default=None),
            "year": year,
            "years": _years(),
            "by": by,
            "stations": stations,
            "groups": groups,
            "regions": regions,
            "station": station,
            "group": group,
            "region": region,
            "tab": "ranking",
            **_tab_flags(request.user),
        },
    )


# --- Planned versus done -------------------------------------------------------------------


@login_required
def missed(request):
    """Duty days of the schedule with no reception logged, per station and deputy."""
    _require_overview(request.user)
    stations = Station.objects.visible_to(request.user).filter(status=Station.Status.ACTIVE)
    # One line per station and day, naming every deputy who missed it.
    lines, start, end, station, clamped = missed_lines(stations, request.GET, today=clock.today())
    if clamped:
        messages.info(request, _("一次最多查看%(n)s天。") % {"n": MAX_MISSED_DAYS})
    page = Paginator(lines, MISSED_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "duties/missed.html",
        {
            "page": page,
            "start": start,
            "end": end,
            "stations": stations.only("pk", "name").order_by("name"),
            "station": station,
            "total": sum(len(line.deputies) for line in lines),
            "deputy_count": len({d.pk for line in lines for d in line.deputies}),
            "tab": "missed",
            **_tab_flags(request.user),
        },
    )


# --- Point rules ----------------------------------------------------------------------------


@login_required
def point_rules(request):
    """Where the user sets points: their own (top) region."""
    if not can.can_read_point_rules(request.user):
        raise PermissionDenied
    everything = root_paths(request.user) is None
    roots = root_paths(request.user, for_write=True) or root_paths(request.user)
    if everything:
        region = Region.objects.order_by("path").first()
    else:
        region = Region.objects.filter(path__in=roots).order_by("path").first()
    if region is None:
        raise PermissionDenied
    return redirect("duties:point_rules_edit", region_code=region.code)


@login_required
def point_rules_edit(request, region_code: str):
    region = access_object(Region, request.user, region_code, field="code")
    if not can.can_read_point_rules(request.user):
        raise PermissionDenied
    manageable = may_manage_points(request.user, region)
    if request.method == "POST" and not manageable:
        raise PermissionDenied
    parent_path = region.parent.path if region.parent_id else ""
    inherited = weights_for_paths([parent_path])[parent_path]
    own = dict(PointRule.objects.filter(region=region).values_list("kind", "points"))
    form = PointRulesForm(request.POST or None, inherited=inherited, own=own)
    if request.method == "POST" and form.is_valid():
        try:
            changed = point_rules_save(actor=request.user, region=region, values=form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, _("已保存%(n)s项积分规则，积分将在后台重新计算。") % {"n": changed}
            )
            return redirect("duties:point_rules_edit", region_code=region.code)
    effective = weights_for_region(region)
    children = (
        region_choices(request.user, for_write=False)
        .filter(parent=region)
        .exclude(level=Region.Level.VILLAGE)
        .only("code", "name")
        .order_by("code")
    )
    return render(
        request,
        "duties/point_rules.html",
        {
            "region": region,
            "form": form,
            "manageable": manageable,
            "effective": [
                (label, effective[kind].points, effective[kind].source)
                for kind, label in DutyKind.choices
            ],
            "ancestors": [r for r in region.ancestors() if r.pk != region.pk],
            "children": children,
            "tab": "rules",
            **_tab_flags(request.user),
        },
    )
