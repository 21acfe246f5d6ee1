import datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from congress_portal.db_router import replica_reads
from core import clock
from regions.models import Region
from stations.models import Station
from tenancy.access import access_object
from tenancy.scope import covers

from . import selectors
from .charts import chart_data
from .links import drill_url, figure_links
from .maps import map_data
from .panels import panels_for
from .periods import parse_period
from .permissions import can_read_region_dashboard, can_read_station_dashboard

SORTS = {
    "visits": lambda row: row.counts["duty_visits"],
    "people": lambda row: row.counts["people"],
    "received": lambda row: row.counts["received"],
    "solved": lambda row: row.counts["solved"],
    "completion": lambda row: row.completion if row.completion is not None else -1,
    "satisfaction": lambda row: row.satisfaction if row.satisfaction is not None else -1,
    "overdue": lambda row: row.counts["overdue"],
}


@login_required
@require_safe
def index(request):
    region = selectors.default_region(request.user)
    if region is not None:
        return redirect("dashboards:region", region_code=region.code)
    roots = selectors.scope_roots(request.user)
    if not roots:
        raise PermissionDenied
    return render(request, "dashboards/index.html", {"roots": roots})


@login_required
@require_safe
def region_dashboard(request, region_code: str):
    region = access_object(Region, request.user, region_code, field="code")
    if not can_read_region_dashboard(request.user):
        raise PermissionDenied
    if region.level == Region.Level.VILLAGE:
        # Villages hold points, not dashboards: show the township's.
        return redirect("dashboards:region", region_code=region.parent.code)
    return _render(request, selectors.Slice(region=region))


@login_required
@require_safe
def station_dashboard(request, station_pk: int):
    station = access_object(
        Station.objects.select_related("region", "parent"), request.user, station_pk
    )
    if not can_read_station_dashboard(request.user):
        raise PermissionDenied
    return _render(request, selectors.Slice(region=station.region, station=station))


def _render(request, slice_: selectors.Slice):
    today = clock.today()
    period = parse_period(request.GET, today=today)
    with replica_reads(snapshot=True) as source:
        dash = selectors.dashboard(slice_, period, today=today)
    sort = request.GET.get("sort", "")
    rows = dash.rows
    if sort in SORTS:
        rows = sorted(rows, key=lambda row: (row.is_direct, -SORTS[sort](row)))
    params = period.params()
    ranked = [(row, drill_url(row, params)) for row in rows]
    previous, following = period.shifted(-1), period.shifted(1)
    return render(
        request,
        "dashboards/dashboard.html",
        {
            "dash": dash,
            "source": source,
            "max_lag": settings.REPLICA_MAX_LAG_SECONDS,
            "as_of": clock.now() - datetime.timedelta(seconds=source.lag or 0),
            "period": period,
            "period_params": params,
            "ranked": ranked,
            "sort": sort,
            "links": figure_links(dash),
            "charts": chart_data(dash),
            "map": map_data(
                dash, {row.region.code: url for row, url in ranked if row.region is not None}
            ),
            "breadcrumbs": _breadcrumbs(request.user, slice_),
            "previous": previous.params() if previous else None,
            "following": following.params() if following and following.start <= today else None,
            **_period_choices(period, today),
            "child_label": _child_label(slice_),
            "panels": panels_for(request.user, slice_.region, period)
            if slice_.station is None
            else [],
        },
    )


def _period_choices(period, today) -> dict:
    """The period form's options as (value, label, selected), labelled here rather than
    by a translate tag per option."""
    quarter = (period.start.month - 1) // 3 + 1
    return {
        "years": [(y, y, y == period.start.year) for y in range(today.year, today.year - 6, -1)],
        "quarters": [
            (q, _("第%(q)s季度") % {"q": q}, period.kind == "quarter" and q == quarter)
            for q in range(1, 5)
        ],
        "months": [(m, _("%(m)s月") % {"m": m}, m == period.start.month) for m in range(1, 13)],
    }


def _breadcrumbs(user, slice_) -> list[Region]:
    """The slice's ancestors the user may open, top first."""
    return [
        region
        for region in slice_.region.ancestors()
        if covers(user, region.path)
        and (slice_.station is not None or region.pk != slice_.region.pk)
    ]


def _child_label(slice_) -> str:
    return {
        Region.Level.PROVINCE: _("市（州）"),
        Region.Level.CITY: _("县（市、区）"),
        Region.Level.COUNTY: _("乡镇（街道）"),
        Region.Level.TOWNSHIP: _("联络站点"),
    }.get(slice_.level, "")
