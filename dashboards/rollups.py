"""Building the monthly rollups (`RegionMonth`, `StationMonth`, `RegionMonthCategory`)
from the base tables.

`rollup_refresh()` rebuilds every month; `rollup_refresh(months=[...])` only those
(plus any month the build date moved into). Rows are counted per leaf region with
`dashboards.counting` and added to every ancestor node (and, split by station, to
the leaf's township), then each month's rows are replaced in one transaction, so a
reader sees a month either before or after.

Who calls it: beat, every few minutes for the months whose suggestions or
receptions changed since the last run (`rollup_refresh_touched`, found through
`updated_at`), and nightly for everything (a deadline passing changes the on-time
figures with no row changing; queryset `.update()` calls skip `updated_at`). Code
that changes many rows at once queues `rollup_refresh_months` through the outbox
(`request_refresh`). The rows are derived data: no audit records.
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain, islice

from django.db import connection, transaction
from django.db.models import F, Max, Min, Q
from django.utils import timezone

from core import clock
from core.outbox import enqueue
from receptions.models import Reception
from regions.models import Region
from suggestions.models import Suggestion

from .counting import count_receptions, count_suggestions
from .models import (
    METRICS,
    DutyPresence,
    RegionMonth,
    RegionMonthCategory,
    RollupState,
    StationMonth,
)
from .periods import add_months, month_end, month_start, months_between

STATE_NAME = "region_month"
# Levels that get rollup rows (with their categories).
NODE_LEVELS = (
    Region.Level.PROVINCE,
    Region.Level.CITY,
    Region.Level.COUNTY,
    Region.Level.TOWNSHIP,
)
BATCH_SIZE = 2000


@dataclass
class RefreshReport:
    months: int = 0
    rows: int = 0
    built_through: datetime.date | None = None


def state() -> RollupState:
    obj, _created = RollupState.objects.get_or_create(name=STATE_NAME)
    return obj


@dataclass
class Nodes:
    ancestors: dict[int, list[int]]  # leaf region id -> the node ids it counts in
    parents: dict[int, int | None]  # node id -> its parent's id
    townships: dict[int, int]  # leaf region id -> its township's id (when it has one)


def _nodes() -> Nodes:
    regions = list(Region.objects.values_list("pk", "code", "path", "level", "parent_id"))
    by_code = {code: (pk, level) for pk, code, _path, level, _parent in regions}
    ancestors: dict[int, list[int]] = {}
    parents: dict[int, int | None] = {}
    townships: dict[int, int] = {}
    for pk, _code, path, level, parent_id in regions:
        if level in NODE_LEVELS:
            parents[pk] = parent_id
        chain = []
        for code in filter(None, path.split("/")):
            node_pk, node_level = by_code.get(code, (None, None))
            if node_pk is not None and node_level in NODE_LEVELS:
                chain.append(node_pk)
            if node_level == Region.Level.TOWNSHIP:
                townships[pk] = node_pk
        ancestors[pk] = chain
    return Nodes(ancestors, parents, townships)


def _runs(months: list[datetime.date]) -> list[tuple[datetime.date, datetime.date]]:
    """Contiguous runs of months as (first month, last month)."""
    runs: list[list[datetime.date]] = []
    for month in sorted(set(months)):
        if runs and add_months(runs[-1][1], 1) == month:
            runs[-1][1] = month
        else:
            runs.append([month, month])
    return [(first, last) for first, last in runs]


def _first_month() -> datetime.date | None:
    firsts = [
        Suggestion.objects.aggregate(first=Min("submitted_at"))["first"],
        Reception.objects.aggregate(first=Min("date"))["first"],
    ]
    days = [
        timezone.localtime(d).date() if isinstance(d, datetime.datetime) else d
        for d in firsts
        if d is not None
    ]
    return month_start(min(days)) if days else None


def rollup_refresh(
    *,
    months: list[datetime.date] | None = None,
    today: datetime.date | None = None,
    watermark: datetime.datetime | None = None,
    mark: int | None = None,
) -> RefreshReport:
    """Rebuild the rollups of `months` (all months with data when None) up to yesterday.

    `watermark` and `mark` are given by a touched refresh: the moment and the highest
    reception id read before it looked for changes, so nothing logged meanwhile is lost.
    """
    today = today or clock.today()
    if mark is None:
        mark = Reception.objects.aggregate(mark=Max("pk"))["mark"] or 0
    through = today - datetime.timedelta(days=1)
    started = clock.now()
    with transaction.atomic():
        current = RollupState.objects.select_for_update().filter(pk=state().pk).get()
        if current.built_through is None:
            # Readers trust every month up to `built_through`: the first build is whole.
            months = None
        if months is None:
            first = _first_month()
            wanted = set(months_between(first, through)) if first else set()
        else:
            wanted = {month_start(m) for m in months}
            if current.built_through != through:
                # The build date moves: the months between the old and the new one grow.
                since = current.built_through or through
                wanted.update(months_between(min(since, through), through))
        wanted = {m for m in wanted if m <= through}
        report = RefreshReport(months=len(wanted), built_through=through)
        nodes = _nodes()
        for first, last in _runs(sorted(wanted)):
            report.rows += _rebuild(
                first, min(month_end(last), through), wanted, today=today, nodes=nodes
            )
        if months is None:
            # A full build also forgets months that no longer have any rows.
            for model in (RegionMonth, StationMonth, RegionMonthCategory):
                model.objects.exclude(month__in=wanted).delete()
            _rebuild_presence(None, None)
        else:
            for first, last in _runs(sorted({month_start(m) for m in months} | wanted)):
                _rebuild_presence(first, month_end(last))
        if months is None or watermark is not None:
            # Every reception up to `mark` is now in DutyPresence (a touched refresh
            # rebuilt every month that gained one); later ones are read live.
            current.reception_mark = mark
        current.built_through = through
        current.refreshed_at = clock.now()
        if watermark is not None or months is None:
            current.watermark = watermark or started
        current.save(update_fields=["built_through", "refreshed_at", "watermark", "reception_mark"])
    return report


def _everything(prefix: str) -> Q:
    return Q()


def _leaf_and_station(prefix: str) -> tuple[F, F]:
    return F(f"{prefix}region_id"), F(f"{prefix}station_id")


def _rebuild(start, end, wanted, *, today, nodes: Nodes) -> int:
    cells: dict[tuple[int, datetime.date], Counter] = defaultdict(Counter)
    station_cells: dict[tuple[int, int | None, datetime.date], Counter] = defaultdict(Counter)
    categories: Counter = Counter()
    # One counted group at a time: a province holds hundreds of thousands of them.
    rows = chain(
        count_suggestions(_everything, _leaf_and_station, start, end, today=today),
        count_receptions(_everything, _leaf_and_station, start, end),
    )
    for (leaf_id, station_id), month, category, counts in rows:
        if month not in wanted:
            continue
        for node in nodes.ancestors.get(leaf_id, ()):
            cells[(node, month)].update(counts)
            if category and counts.get("received"):
                categories[(node, month, category)] += counts["received"]
        township = nodes.townships.get(leaf_id)
        if township is not None:
            station_cells[(township, station_id, month)].update(counts)
    months = sorted({m for m in wanted if start <= m <= end})
    for model in (RegionMonth, StationMonth, RegionMonthCategory):
        model.objects.filter(month__in=months).delete()
    _write(
        RegionMonth,
        ["region_id", "parent_id", "month", *METRICS],
        (
            (node, nodes.parents.get(node), month, *(counts.get(name, 0) for name in METRICS))
            for (node, month), counts in cells.items()
        ),
    )
    _write(
        StationMonth,
        ["township_id", "station_id", "month", *METRICS],
        (
            (township, station_id, month, *(counts.get(name, 0) for name in METRICS))
            for (township, station_id, month), counts in station_cells.items()
        ),
    )
    _write(
        RegionMonthCategory,
        ["region_id", "month", "category", "received"],
        ((node, month, category, n) for (node, month, category), n in categories.items()),
    )
    return len(cells) + len(station_cells) + len(categories)


def _write(model, columns: list[str], rows: Iterable[tuple]) -> None:
    """Insert derived rows as they are produced: COPY on PostgreSQL (a province's
    700,000 rows in seconds, where model instances took a minute and a gigabyte),
    batches of bulk_create elsewhere."""
    if connection.vendor == "postgresql":
        names = ", ".join(model._meta.get_field(name).column for name in columns)
        sql = f"COPY {model._meta.db_table} ({names}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    rows = iter(rows)
    while batch := list(islice(rows, BATCH_SIZE)):
        model.objects.bulk_create(model(**dict(zip(columns, row, strict=True))) for row in batch)


def _rebuild_presence(start: datetime.date | None, end: datetime.date | None) -> None:
    """Copy (deputy, date) from the reception register for the days from `start` to `end`
    (everything when None): one set-based statement each way, any database."""
    presence = DutyPresence._meta.db_table
    through = Reception.deputies.through._meta.db_table
    reception = Reception._meta.db_table
    where, params = "", []
    if start is not None:
        DutyPresence.objects.filter(date__gte=start, date__lte=end).delete()
        where, params = "WHERE r.date >= %s AND r.date <= %s", [start, end]
    else:
        DutyPresence.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {presence} (deputy_id, date) "
            f"SELECT DISTINCT rd.deputy_id, r.date FROM {through} rd "
            f"JOIN {reception} r ON r.id = rd.reception_id {where}",
            params,
        )
        if connection.vendor == "postgresql":
            # A table refilled in one statement: plan with its new size at once.
            cursor.execute(f"ANALYZE {presence}")


def touched_months(since: datetime.datetime) -> set[datetime.date]:
    """Months whose suggestions or receptions changed since `since`."""
    months = {
        timezone.localtime(moment).date().replace(day=1)
        for moment in Suggestion.objects.filter(updated_at__gte=since).datetimes(
            "submitted_at", "month"
        )
    }
    months.update(Reception.objects.filter(updated_at__gte=since).dates("date", "month").distinct())
    return months


def rollup_refresh_touched(*, today: datetime.date | None = None) -> RefreshReport:
    """Rebuild the months that changed since the last run (everything the first time)."""
    started = clock.now()
    mark = Reception.objects.aggregate(mark=Max("pk"))["mark"] or 0
    since = state().watermark
    if since is None:
        return rollup_refresh(today=today, watermark=started, mark=mark)
    return rollup_refresh(
        months=sorted(touched_months(since)), today=today, watermark=started, mark=mark
    )


def rollup_refresh_months(*, months: list[str]) -> RefreshReport:
    """Outbox entry point: rebuild the given months ("2026-03-01"...)."""
    return rollup_refresh(months=[datetime.date.fromisoformat(m) for m in months])


def request_refresh(*, start: datetime.date, end: datetime.date) -> None:
    """Queue a rebuild of the months from `start` to `end` once the caller's transaction
    commits: for code that changed many suggestions or receptions at once."""
    enqueue(
        "dashboards.rollups.rollup_refresh_months",
        months=[m.isoformat() for m in months_between(start, end)],
    )
