"""The figures of one dashboard: a region (province to township) or one station, one period.

Callers pass a region or station they fetched with `tenancy.access.access_object`:
region grants cover whole subtrees, so everything under the slice is the user's
to see, and these functions count it all. Nothing here is a view's business.

Where the numbers come from:
- regions (province to township): the monthly rollups (`dashboards.rollups`) for the
  months they cover, the base tables live for the rest (today, partial months of a
  custom range); a township's ranking reads the rollups split by station
  (`StationMonth`); station slices are small and read live throughout;
- a township on PostgreSQL is read by the hand-written statements of
  `dashboards.township_sql` (the same figures; its cost is per statement, not per row);
- "now" figures (overdue suggestions, stations and stars, deputies) are always live.

The ranking lists the slice's children: regions one level down, or, for a
township, its stations and points; rows attached to the slice itself and to no
child (a suggestion raised at county level, a suggestion with no station) form one
more row, so the rows always add up to the slice's totals.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Value
from django.db.models.functions import Substr

from core import clock
from deputies.models import Deputy, StationMembership, current_membership_q
from receptions.models import Reception
from regions.models import Region
from stations.models import Station
from suggestions.models import Category, Suggestion

from . import township_sql
from .counting import count_receptions, count_suggestions
from .models import METRICS, DutyPresence, RegionMonth, RegionMonthCategory, StationMonth
from .periods import Period, add_months, month_end, month_start, months_between
from .rollups import state as rollup_state

# Slices that rank the regions one level down; a township ranks its stations.
PARENT_LEVELS = (Region.Level.PROVINCE, Region.Level.CITY, Region.Level.COUNTY)
ROLLUP_LEVELS = (*PARENT_LEVELS, Region.Level.TOWNSHIP)
# The key of the ranking row for rows attached to the slice itself, not to a child.
DIRECT = "__direct__"
STAR_LEVELS = (5, 4, 3, 2, 1)


# --- Rates ---------------------------------------------------------------------------


def rate(numerator: int, denominator: int) -> float | None:
    """A percentage with one decimal, or None when there is nothing to divide by."""
    if not denominator:
        return None
    return round(100.0 * numerator / denominator, 1)


def completion_rate(counts: Counter) -> float | None:
    """办结率: closed among the suggestions received and accepted (refusals left out)."""
    return rate(counts["closed"], counts["received"] - counts["rejected"])


def on_time_rate(counts: Counter) -> float | None:
    """按期答复率: replied by the deadline among those whose deadline was met or passed."""
    return rate(counts["on_time"], counts["due_total"])


def satisfaction_rate(counts: Counter) -> float | None:
    """满意率: 满意 and 基本满意 among the rated suggestions."""
    return rate(counts["satisfied"] + counts["basically"], counts["rated"])


# --- The slice -----------------------------------------------------------------------


@dataclass(frozen=True)
class Slice:
    """What a dashboard counts: a region's subtree, or one station (or point)."""

    region: Region
    station: Station | None = None

    @property
    def level(self) -> str:
        return "station" if self.station is not None else self.region.level

    @property
    def name(self) -> str:
        return self.station.name if self.station is not None else self.region.name

    @property
    def uses_rollups(self) -> bool:
        return self.station is None and self.region.level in ROLLUP_LEVELS

    def where(self, prefix: str) -> Q:
        if self.station is not None:
            return Q(**{f"{prefix}station_id": self.station.pk})
        return Q(**{f"{prefix}region_path__startswith": self.region.path})

    def where_receptions(self, prefix: str) -> Q:
        """`where`, plus the region's stations: the register is indexed by (station,
        date), so a few days of a city read through its stations, not all its rows."""
        condition = self.where(prefix)
        if self.station is None:
            stations = Station.objects.filter(region_path__startswith=self.region.path)
            condition &= Q(**{f"{prefix}station_id__in": stations.values("pk")})
        return condition


@dataclass
class Child:
    key: object
    name: str
    region: Region | None = None
    station: Station | None = None


def children_of(slice_: Slice) -> tuple[list[Child], object]:
    """The ranking's rows and the key function that sorts counted rows into them.

    Returns (children, key) where key(prefix) is the grouping expression.
    """
    if slice_.station is not None:
        return [], lambda prefix: Value(0, output_field=IntegerField())
    if slice_.region.level in PARENT_LEVELS:
        regions = list(Region.objects.filter(parent=slice_.region).order_by("code"))
        if not regions:
            return [], lambda prefix: Value(slice_.region.path)
        length = len(regions[0].path)
        children = [Child(key=r.path, name=r.name, region=r) for r in regions]
        return children, lambda prefix: Substr(f"{prefix}region_path", 1, length)
    # A township: its stations and points, each a row of its own.
    stations = Station.objects.filter(region_path__startswith=slice_.region.path).order_by(
        "region_path", "parent_id", "name"
    )
    return station_children(stations), lambda prefix: F(f"{prefix}station_id")


def station_children(stations) -> list[Child]:
    return [Child(key=s.pk, name=s.name, station=s) for s in stations]


# --- Counting over a period ----------------------------------------------------------


class Tally:
    """Counts by (child key, month), and suggestions received by category."""

    def __init__(self) -> None:
        self.cells: dict[tuple, Counter] = defaultdict(Counter)
        self.categories: Counter = Counter()

    def add(self, key, month, category, counts: Counter) -> None:
        self.cells[(key, month)].update(counts)
        if category and counts.get("received"):
            self.categories[category] += counts["received"]

    def total(self) -> Counter:
        total: Counter = Counter()
        for counts in self.cells.values():
            total.update(counts)
        return total

    def by_key(self) -> dict[object, Counter]:
        result: dict[object, Counter] = defaultdict(Counter)
        for (key, _month), counts in self.cells.items():
            result[key].update(counts)
        return result

    def by_month(self) -> dict[datetime.date, Counter]:
        result: dict[datetime.date, Counter] = defaultdict(Counter)
        for (_key, month), counts in self.cells.items():
            result[month].update(counts)
        return result


def split_period(
    start: datetime.date, end: datetime.date, built_through: datetime.date | None
) -> tuple[list[datetime.date], list[tuple[datetime.date, datetime.date]]]:
    """(months read from rollups, day ranges read live) that together cover [start, end].

    A month comes from the rollups when the period covers all of it that is built
    (the current month is built up to `built_through`); the rest is read live.
    """
    if built_through is None:
        return [], [(start, end)]
    usable = [
        m
        for m in months_between(start, end)
        if m >= start and m <= built_through and min(month_end(m), built_through) <= end
    ]
    if not usable:
        return [], [(start, end)]
    live = []
    if start < usable[0]:
        live.append((start, usable[0] - datetime.timedelta(days=1)))
    covered_to = min(month_end(usable[-1]), built_through)
    if covered_to < end:
        live.append((covered_to + datetime.timedelta(days=1), end))
    return usable, live


def reading_plan(
    start: datetime.date,
    end: datetime.date,
    *,
    built_through: datetime.date | None,
    today: datetime.date,
) -> tuple[list[datetime.date], list[tuple[datetime.date, datetime.date]]]:
    """`split_period`, with the live ranges cut at today: nothing is received or held
    after it."""
    months, live = split_period(start, end, built_through)
    return months, [(low, min(high, today)) for low, high in live if low <= today]


def gather(
    slice_: Slice,
    children: list[Child],
    key,
    start: datetime.date,
    end: datetime.date,
    *,
    today: datetime.date,
    built_through: datetime.date | None,
) -> Tally:
    tally = Tally()
    if not slice_.uses_rollups:
        built_through = None
    months, live = reading_plan(start, end, built_through=built_through, today=today)
    for low, high in live:
        for row in count_suggestions(slice_.where, key, low, high, today=today):
            tally.add(*row)
        for row in count_receptions(slice_.where_receptions, key, low, high):
            tally.add(*row)
    if months and slice_.level == Region.Level.TOWNSHIP:
        _add_station_rollups(tally, slice_.region, months)
    elif months:
        _add_rollups(tally, slice_.region, children, months)
    return tally


def _add_station_rollups(tally: Tally, township: Region, months) -> None:
    """A township's months by station: rows of no station, or of a station that is
    not the township's, land on keys no child has and so on the ranking's extra row."""
    rows = StationMonth.objects.filter(township=township, month__in=months).values(
        "station_id", "month", *METRICS
    )
    for row in rows:
        counts = Counter({name: row[name] for name in METRICS if row[name]})
        tally.add(row["station_id"], row["month"], "", counts)
    _add_categories(tally, township, months)


def _add_rollups(tally: Tally, region: Region, children: list[Child], months) -> None:
    child_keys = {child.region.pk: child.key for child in children if child.region is not None}
    own: dict[datetime.date, Counter] = {}
    under: dict[datetime.date, Counter] = defaultdict(Counter)
    rows = RegionMonth.objects.filter(Q(region=region) | Q(parent=region), month__in=months).values(
        "region_id", "month", *METRICS
    )
    for row in rows:
        counts = Counter({name: row[name] for name in METRICS if row[name]})
        if row["region_id"] == region.pk:
            own[row["month"]] = counts
        elif row["region_id"] in child_keys:
            tally.add(child_keys[row["region_id"]], row["month"], "", counts)
            under[row["month"]].update(counts)
    for month, counts in own.items():
        direct = counts.copy()
        direct.subtract(under.get(month, Counter()))
        direct = Counter({name: n for name, n in direct.items() if n > 0})
        if direct:
            tally.add(region.path, month, "", direct)
    _add_categories(tally, region, months)


def _add_categories(tally: Tally, region: Region, months) -> None:
    for row in RegionMonthCategory.objects.filter(region=region, month__in=months).values(
        "category", "received"
    ):
        tally.categories[row["category"]] += row["received"]


# --- Figures that describe now ---------------------------------------------------------


def overdue_by_key(slice_: Slice, key, *, today: datetime.date) -> Counter:
    """Suggestions whose reply deadline is running and has passed (超期), now."""
    rows = (
        Suggestion.objects.filter(slice_.where(""), Suggestion.REPLY_DUE.overdue_q(today=today))
        .annotate(k=key(""))
        .values("k")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return Counter({row["k"]: row["n"] for row in rows})


def stations_by_key(slice_: Slice, key, children: list[Child]) -> dict[object, Counter]:
    """Active stations and points, and how many of each star rating, per child."""
    if slice_.level == Region.Level.TOWNSHIP:
        # The township's children are its stations, already at hand.
        result: dict[object, Counter] = defaultdict(Counter)
        for child in children:
            if child.station.status == Station.Status.ACTIVE:
                _add_station(result[child.key], child.station.parent_id, child.station.stars)
        return result
    if slice_.station is not None:
        queryset = Station.objects.filter(pk=slice_.station.pk)
    else:
        queryset = Station.objects.filter(slice_.where(""))
    rows = (
        queryset.filter(status=Station.Status.ACTIVE)
        .annotate(k=key(""))
        .values("k", "stars")
        .annotate(
            stations=Count("pk", filter=Q(parent__isnull=True)),
            points=Count("pk", filter=Q(parent__isnull=False)),
        )
        .order_by()
    )
    result: dict[object, Counter] = defaultdict(Counter)
    for row in rows:
        counts = result[row["k"]]
        counts["stations"] += row["stations"]
        counts["points"] += row["points"]
        counts[f"stars_{row['stars'] or 0}"] += row["stations"] + row["points"]
    return result


def _add_station(counts: Counter, parent_id: int | None, stars: int | None) -> None:
    counts["points" if parent_id else "stations"] += 1
    counts[f"stars_{stars or 0}"] += 1


def present_q(start: datetime.date, end: datetime.date, *, mark: int, outer: str = "pk") -> Q:
    """Deputies (`outer` names their id) listed at any reception in the period.

    `DutyPresence` holds every reception up to the rollups' reception mark; those
    logged since are read from the register, a handful of rows past the mark.
    """
    copied = DutyPresence.objects.filter(deputy_id=OuterRef(outer), date__gte=start, date__lte=end)
    recent = Reception.deputies.through.objects.filter(
        deputy_id=OuterRef(outer),
        reception_id__gt=mark,
        reception__date__gte=start,
        reception__date__lte=end,
    )
    return Q(Exists(copied)) | Q(Exists(recent))


def deputies_by_key(
    slice_: Slice,
    key,
    start: datetime.date,
    end: datetime.date,
    *,
    today: datetime.date,
    mark: int = 0,
) -> dict[object, Counter]:
    """Serving deputies, those grouped into a station now, and those at no reception in
    the period, per child (by the deputy's own region)."""
    if slice_.station is not None:
        members = StationMembership.objects.filter(
            current_membership_q(today=today), station=slice_.station
        ).values("deputy_id")
        queryset = Deputy.objects.filter(pk__in=members)
        key = lambda prefix: Value(0, output_field=IntegerField())  # noqa: E731
    elif slice_.level == Region.Level.TOWNSHIP:
        queryset = Deputy.objects.filter(slice_.where(""))
        key = lambda prefix: Value(DIRECT)  # noqa: E731
    else:
        queryset = Deputy.objects.filter(slice_.where(""))
    grouped = StationMembership.objects.filter(
        current_membership_q(today=today), deputy_id=OuterRef("pk")
    )
    rows = (
        queryset.filter(status=Deputy.Status.ACTIVE)
        .annotate(k=key(""))
        .values("k")
        .annotate(
            deputies=Count("pk"),
            grouped=Count("pk", filter=Q(Exists(grouped))),
            idle=Count("pk", filter=~present_q(start, end, mark=mark)),
        )
        .order_by()
    )
    return {
        row["k"]: Counter(deputies=row["deputies"], grouped=row["grouped"], idle=row["idle"])
        for row in rows
    }


def members_by_station(
    station_ids: list[int],
    start: datetime.date,
    end: datetime.date,
    *,
    today: datetime.date,
    mark: int = 0,
) -> dict[int, Counter]:
    """For a township's ranking: serving deputies grouped into each station now, and
    those of them at no reception in the period."""
    rows = (
        StationMembership.objects.filter(
            current_membership_q(today=today),
            station_id__in=station_ids,
            deputy__status=Deputy.Status.ACTIVE,
        )
        .values("station_id")
        .annotate(
            deputies=Count("deputy_id", distinct=True),
            idle=Count(
                "deputy_id",
                distinct=True,
                filter=~present_q(start, end, mark=mark, outer="deputy_id"),
            ),
        )
        .order_by()
    )
    return {row["station_id"]: Counter(deputies=row["deputies"], idle=row["idle"]) for row in rows}


# --- The dashboard ---------------------------------------------------------------------


@dataclass
class Row:
    """One line of the ranking (a child, or the rows attached to no child)."""

    key: object
    name: str
    counts: Counter
    region: Region | None = None
    station: Station | None = None
    is_direct: bool = False

    @property
    def completion(self) -> float | None:
        return completion_rate(self.counts)

    @property
    def on_time(self) -> float | None:
        return on_time_rate(self.counts)

    @property
    def satisfaction(self) -> float | None:
        return satisfaction_rate(self.counts)


@dataclass
class Dashboard:
    slice: Slice
    period: Period
    today: datetime.date
    totals: Counter
    rows: list[Row]
    trend: list[tuple[datetime.date, Counter]]
    categories: list[tuple[str, str, int]]
    built_through: datetime.date | None
    refreshed_at: datetime.datetime | None
    from_rollups: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def completion(self) -> float | None:
        return completion_rate(self.totals)

    @property
    def on_time(self) -> float | None:
        return on_time_rate(self.totals)

    @property
    def satisfaction(self) -> float | None:
        return satisfaction_rate(self.totals)

    @property
    def grouped_rate(self) -> float | None:
        return rate(self.totals["grouped"], self.totals["deputies"])

    @property
    def stars(self) -> list[tuple[int, int]]:
        """(stars, active stations and points) from five stars down, 0 for unrated."""
        return [(n, self.totals[f"stars_{n}"]) for n in (*STAR_LEVELS, 0)]


def dashboard(slice_: Slice, period: Period, *, today: datetime.date | None = None) -> Dashboard:
    """Every figure of the dashboard of `slice_` over `period` (a fixed number of queries)."""
    today = today or clock.today()
    current = rollup_state()
    built_through = current.built_through if slice_.uses_rollups else None
    # Presence up to the mark is in DutyPresence (empty, and the mark 0, before a build).
    mark = current.reception_mark
    trend_months = period.trend_months()
    trend_reaches = trend_months[0] < month_start(period.start) or trend_months[-1] > period.end
    span = (period.start, period.end)
    ranges = [span, (trend_months[0], period.end)] if trend_reaches else [span]

    if slice_.station is None and township_sql.applies(slice_.region):
        reads = township_sql.read(
            slice_.region,
            ranges,
            period=span,
            today=today,
            built_through=built_through,
            mark=mark,
        )
        children, key = station_children(reads.stations), None
        tally, trend_tally = reads.tallies[0], reads.tallies[-1]
        overdue, deputies, members = reads.overdue, reads.deputies, reads.members
    else:
        children, key = children_of(slice_)
        tallies = [
            gather(slice_, children, key, *r, today=today, built_through=built_through)
            for r in ranges
        ]
        tally, trend_tally = tallies[0], tallies[-1]
        overdue = overdue_by_key(slice_, key, today=today)
        deputies = deputies_by_key(slice_, key, *span, today=today, mark=mark)
        members = {}
        if slice_.level == Region.Level.TOWNSHIP:
            ids = [c.key for c in children]
            members = members_by_station(ids, *span, today=today, mark=mark)

    now_counts: dict[object, Counter] = defaultdict(Counter)
    for k, n in overdue.items():
        now_counts[k]["overdue"] += n
    for k, counts in stations_by_key(slice_, key, children).items():
        now_counts[k].update(counts)
    for k, counts in deputies.items():
        now_counts[k].update(counts)
    for station_id, counts in members.items():
        now_counts[station_id].update(counts)

    by_key = tally.by_key()
    rows = []
    known = {child.key for child in children}
    for child in children:
        counts = Counter(by_key.get(child.key, Counter()))
        counts.update(now_counts.get(child.key, Counter()))
        rows.append(
            Row(
                key=child.key,
                name=child.name,
                counts=counts,
                region=child.region,
                station=child.station,
            )
        )
    direct = Counter()
    for k, counts in by_key.items():
        if k not in known:
            direct.update(counts)
    if children:
        for k, counts in now_counts.items():
            if k not in known:
                # Townships count deputies by region, not by station: not a ranking column.
                if slice_.level == Region.Level.TOWNSHIP:
                    counts = Counter(
                        {
                            n: v
                            for n, v in counts.items()
                            if n not in ("deputies", "grouped", "idle")
                        }
                    )
                direct.update(counts)
    if children and any(direct.values()):
        rows.append(Row(key=DIRECT, name="", counts=direct, is_direct=True))

    totals = tally.total()
    for k, counts in now_counts.items():
        if slice_.level == Region.Level.TOWNSHIP and k in known:
            # Station members are shown per row; the township's deputies come by region.
            counts = Counter(
                {n: v for n, v in counts.items() if n not in ("deputies", "grouped", "idle")}
            )
        totals.update(counts)

    monthly = trend_tally.by_month()
    trend = [(month, monthly.get(month, Counter())) for month in trend_months]

    labels = dict(Category.choices)
    categories = sorted(
        ((code, str(labels.get(code, code)), n) for code, n in tally.categories.items() if n),
        key=lambda item: (-item[2], item[0]),
    )
    return Dashboard(
        slice=slice_,
        period=period,
        today=today,
        totals=totals,
        rows=rows,
        trend=trend,
        categories=categories,
        built_through=built_through,
        refreshed_at=current.refreshed_at if slice_.uses_rollups else None,
        from_rollups=bool(built_through),
    )


def default_region(user) -> Region | None:
    """The region a user's dashboard opens on: their one root, or None when they have
    several (or none)."""
    roots = scope_roots(user)[:2]
    return roots[0] if len(roots) == 1 else None


def scope_roots(user) -> list[Region]:
    from tenancy.scope import root_paths

    paths = root_paths(user)
    if paths is None:
        return list(Region.objects.filter(parent__isnull=True).order_by("code"))
    return list(Region.objects.filter(path__in=paths).order_by("code"))


__all__ = [
    "Dashboard",
    "Row",
    "Slice",
    "dashboard",
    "add_months",
    "completion_rate",
    "on_time_rate",
    "satisfaction_rate",
]
