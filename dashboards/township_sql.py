"""A township's dashboard figures in hand-written SQL, for PostgreSQL, in one round trip.

A township holds a few hundred suggestions a year, so its dashboard is not bound by
the data but by the cost per statement: the ORM spent longer building ten small
queries than PostgreSQL spent running them (measured: 20 ms against 7 ms). `read`
sends these statements together and returns what the ORM readers of
`dashboards.selectors` return (`children_of`, `gather`, `overdue_by_key`,
`deputies_by_key`, `members_by_station`), so the page is assembled by the same code.

The definitions are those of `dashboards.counting` and `dashboards.selectors`,
written once more in SQL; `tests/dashboards/test_figures.py` runs every hand count
through both readers and compares them on a random world, so the two cannot drift
apart unnoticed. SQLite (the zero-setup run) always uses the ORM readers.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.db import connections, router

from deputies.models import Deputy
from regions.models import Region
from stations.models import Station
from suggestions.models import Satisfaction, Suggestion

from .counting import SUGGESTION_METRICS, aware_bounds
from .models import METRICS

Status = Suggestion.Status


STATIONS = """
    SELECT id, name, parent_id, stars, status, region_id, region_path
    FROM stations_station
    WHERE region_path LIKE %(like)s
    ORDER BY region_path, parent_id, name
"""

STATION_MONTHS = f"""
    SELECT station_id, month, {", ".join(METRICS)}
    FROM dashboards_stationmonth
    WHERE township_id = %(township)s AND month = ANY(%(months)s)
"""

CATEGORIES = """
    SELECT category, received
    FROM dashboards_regionmonthcategory
    WHERE region_id = %(township)s AND month = ANY(%(months)s)
"""

# counting.suggestion_aggregates, column for column (SUGGESTION_METRICS order).
SUGGESTIONS = """
    SELECT s.station_id,
           date_trunc('month', s.submitted_at AT TIME ZONE %(tz)s)::date,
           s.category,
           count(*),
           count(*) FILTER (WHERE s.status = %(rejected)s),
           count(*) FILTER (WHERE s.status = %(closed)s),
           count(*) FILTER (WHERE s.status = %(closed)s AND s.satisfaction <> %(unsatisfied)s),
           count(*) FILTER (WHERE s.due_date IS NOT NULL
                            AND (s.replied_at IS NOT NULL OR s.due_date < %(today)s)),
           count(*) FILTER (WHERE s.replied_at IS NOT NULL AND s.due_date IS NOT NULL
                            AND s.due_date >= (s.replied_at AT TIME ZONE %(tz)s)::date),
           count(*) FILTER (WHERE s.satisfaction <> ''),
           count(*) FILTER (WHERE s.satisfaction = %(satisfied)s),
           count(*) FILTER (WHERE s.satisfaction = %(basically)s),
           count(*) FILTER (WHERE s.satisfaction = %(unsatisfied)s)
    FROM suggestions_suggestion s
    WHERE s.region_path LIKE %(like)s AND s.status <> %(merged)s
      AND s.submitted_at >= %(low)s AND s.submitted_at < %(high)s
    GROUP BY 1, 2, 3
"""

# counting.count_receptions, through the stations' (station, date) index as
# Slice.where_receptions reads it.
RECEPTIONS = """
    SELECT r.station_id, date_trunc('month', r.date)::date, count(*),
           coalesce(sum(r.people_count), 0)::bigint,
           coalesce(sum((SELECT count(*) FROM receptions_reception_deputies rd
                         WHERE rd.reception_id = r.id)), 0)::bigint
    FROM receptions_reception r
    WHERE r.region_path LIKE %(like)s
      AND r.station_id IN (SELECT id FROM stations_station WHERE region_path LIKE %(like)s)
      AND r.date >= %(first)s AND r.date <= %(last)s
    GROUP BY 1, 2
"""

OVERDUE = f"""
    SELECT station_id, count(*)
    FROM suggestions_suggestion
    WHERE region_path LIKE %(like)s AND {Suggestion.REPLY_DUE.overdue_sql("", "%(today)s")}
    GROUP BY 1
"""

# selectors.present_q: at a reception in the period, copied or logged since the mark.
_PRESENT = """(
    EXISTS (SELECT 1 FROM dashboards_dutypresence p
            WHERE p.deputy_id = {deputy} AND p.date >= %(start)s AND p.date <= %(end)s)
    OR EXISTS (SELECT 1 FROM receptions_reception_deputies rd
               JOIN receptions_reception r ON r.id = rd.reception_id
               WHERE rd.deputy_id = {deputy} AND rd.reception_id > %(mark)s
                 AND r.date >= %(start)s AND r.date <= %(end)s)
)"""
_CURRENT = "({m}.end_date IS NULL OR {m}.end_date > %(today)s)"

DEPUTIES = f"""
    SELECT count(*),
           count(*) FILTER (WHERE EXISTS (SELECT 1 FROM deputies_stationmembership m
                                          WHERE m.deputy_id = d.id AND {_CURRENT.format(m="m")})),
           count(*) FILTER (WHERE NOT {_PRESENT.format(deputy="d.id")})
    FROM deputies_deputy d
    WHERE d.region_path LIKE %(like)s AND d.status = %(active)s
"""

MEMBERS = f"""
    SELECT m.station_id, count(DISTINCT m.deputy_id),
           count(DISTINCT m.deputy_id) FILTER (WHERE NOT {_PRESENT.format(deputy="m.deputy_id")})
    FROM deputies_stationmembership m
    JOIN deputies_deputy d ON d.id = m.deputy_id
    WHERE m.station_id IN (SELECT id FROM stations_station WHERE region_path LIKE %(like)s)
      AND d.status = %(active)s AND {_CURRENT.format(m="m")}
    GROUP BY 1
"""


def applies(region: Region) -> bool:
    """Township slices on PostgreSQL (and only while `DASHBOARD_TOWNSHIP_SQL` is on)."""
    connection = connections[router.db_for_read(Suggestion)]
    return (
        region.level == Region.Level.TOWNSHIP
        and getattr(settings, "DASHBOARD_TOWNSHIP_SQL", True)
        and connection.vendor == "postgresql"
        # Several statements in one execute need psycopg 3's client-side binding.
        and not connection.settings_dict.get("OPTIONS", {}).get("server_side_binding")
    )


class Batch:
    """Statements sent to the server together, in one round trip, and their results
    handed to a function each, in order."""

    def __init__(self) -> None:
        self.parts: list[tuple[str, dict, object]] = []

    def add(self, sql: str, params: dict, handle) -> None:
        self.parts.append((sql, params, handle))

    def run(self) -> None:
        statements, merged = [], {}
        for n, (sql, params, _handle) in enumerate(self.parts):
            # Each statement's parameters get a name of their own: %(like)s -> %(p3_like)s.
            statements.append(sql.replace("%(", f"%(p{n}_"))
            merged.update({f"p{n}_{name}": value for name, value in params.items()})
        with connections[router.db_for_read(Suggestion)].cursor() as cursor:
            cursor.execute(";\n".join(statements), merged)
            for n, (_sql, _params, handle) in enumerate(self.parts):
                if n and not cursor.nextset():
                    raise RuntimeError(f"statement {n} of the batch returned no result")
                handle(cursor.fetchall())


@dataclass
class Reads:
    """What the ORM readers would have returned, read in one round trip."""

    stations: list[Station] = field(default_factory=list)
    overdue: Counter = field(default_factory=Counter)
    deputies: dict = field(default_factory=dict)
    members: dict = field(default_factory=dict)
    tallies: list = field(default_factory=list)  # one Tally per requested range


def read(
    region: Region,
    ranges: list[tuple[datetime.date, datetime.date]],
    *,
    period: tuple[datetime.date, datetime.date],
    today: datetime.date,
    built_through: datetime.date | None,
    mark: int,
) -> Reads:
    """The township's stations, its figures over each of `ranges` (the period, and the
    trend's reach when longer), and the "now" figures for `period`."""
    from .selectors import DIRECT, Tally, reading_plan

    start, end = period
    base = {
        "like": region.path + "%",
        "township": region.pk,
        "tz": settings.TIME_ZONE,
        "active": Deputy.Status.ACTIVE,
        "today": today,
        "start": start,
        "end": end,
        "mark": mark,
    }
    reads = Reads()
    batch = Batch()
    batch.add(STATIONS, base, lambda rows: reads.stations.extend(_stations(rows)))
    for first, last in ranges:
        tally = Tally()
        reads.tallies.append(tally)
        months, live = reading_plan(first, last, built_through=built_through, today=today)
        for low, high in live:
            bounds = aware_bounds(low, high)
            params = {**base, **CONSTANTS, "low": bounds[0], "high": bounds[1]}
            batch.add(SUGGESTIONS, params, partial(_suggestions, tally))
            params = {**base, "first": low, "last": high}
            batch.add(RECEPTIONS, params, partial(_receptions, tally))
        if months:
            params = {**base, "months": months}
            batch.add(STATION_MONTHS, params, partial(_station_months, tally))
            batch.add(CATEGORIES, params, partial(_categories, tally))
    batch.add(OVERDUE, base, lambda rows: reads.overdue.update(dict(rows)))

    def deputies(rows):
        ((total, grouped, idle),) = rows
        if total:
            reads.deputies[DIRECT] = Counter(deputies=total, grouped=grouped, idle=idle)

    batch.add(DEPUTIES, base, deputies)
    batch.add(
        MEMBERS,
        base,
        lambda rows: reads.members.update(
            {pk: Counter(deputies=n, idle=idle) for pk, n, idle in rows}
        ),
    )
    batch.run()
    return reads


CONSTANTS = {
    "rejected": Status.REJECTED,
    "closed": Status.CLOSED,
    "merged": Status.MERGED,
    "satisfied": Satisfaction.SATISFIED,
    "basically": Satisfaction.BASICALLY,
    "unsatisfied": Satisfaction.UNSATISFIED,
}


def _stations(rows) -> list[Station]:
    return [
        Station(
            pk=pk,
            name=name,
            parent_id=parent_id,
            stars=stars,
            status=status,
            region_id=region_id,
            region_path=path,
        )
        for pk, name, parent_id, stars, status, region_id, path in rows
    ]


def _suggestions(tally, rows) -> None:
    for station_id, month, category, *values in rows:
        counts = Counter({name: n for name, n in zip(SUGGESTION_METRICS, values, strict=True) if n})
        tally.add(station_id, month, category, counts)


def _receptions(tally, rows) -> None:
    for station_id, month, receptions, people, visits in rows:
        counts = Counter(receptions=receptions, people=people, duty_visits=visits)
        tally.add(station_id, month, "", +counts)


def _station_months(tally, rows) -> None:
    for station_id, month, *values in rows:
        counts = Counter({name: n for name, n in zip(METRICS, values, strict=True) if n})
        tally.add(station_id, month, "", counts)


def _categories(tally, rows) -> None:
    for category, received in rows:
        tally.categories[category] += received


__all__ = ["Reads", "applies", "read"]
