"""The rollups checked against a live count: differences reported, and repaired.

The monthly rollups are derived data; every writer is meant to keep them fresh
(`updated_at` and the five-minute refresh, `core.counted` for bulk updates, the
nightly full build). This check trusts none of that: for a sample of regions it
counts every built month live, with the same definitions (`dashboards.counting`)
and the same "today" the rollups were built with, compares each figure with the
stored row and rebuilds the months that differ. It runs nightly after the full
build (`dashboards.tasks.check_rollups`) and on demand (`manage.py check_rollups`).
"""

from __future__ import annotations

import datetime
import logging
import random
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import IntegerField, Q, Value

from regions.models import Region

from .counting import count_receptions, count_suggestions
from .models import METRICS, RegionMonth
from .periods import month_start
from .rollups import NODE_LEVELS, rollup_refresh, state

logger = logging.getLogger("lianxin.dashboards")

# The figures the rollups store that a live count of the base tables gives back.
CHECKED = (
    "receptions",
    "duty_visits",
    "people",
    "received",
    "rejected",
    "closed",
    "solved",
    "due_total",
    "on_time",
    "rated",
    "satisfied",
    "basically",
    "unsatisfied",
)


@dataclass(frozen=True)
class Difference:
    region: str  # the region's code
    month: datetime.date
    figure: str
    rollup: int
    live: int

    def __str__(self) -> str:
        return (
            f"{self.region} {self.month:%Y-%m} {self.figure}: "
            f"rollup {self.rollup}, live {self.live}"
        )


@dataclass
class CheckReport:
    regions: int
    months: int
    differences: list[Difference]
    repaired_months: list[datetime.date]


def _live(region: Region, start: datetime.date, end: datetime.date, today) -> dict:
    """{month: Counter} for `region`'s subtree, counted from the base tables."""

    def where(prefix: str) -> Q:
        return Q(**{f"{prefix}region_path__startswith": region.path})

    def key(prefix: str):
        return Value(1, output_field=IntegerField())

    months: dict[datetime.date, Counter] = defaultdict(Counter)
    for _key, month, _category, counts in count_suggestions(where, key, start, end, today=today):
        months[month].update(counts)
    for _key, month, _category, counts in count_receptions(where, key, start, end):
        months[month].update(counts)
    return months


def check_rollups(*, sample: int = 50, repair: bool = True, seed: int | None = None) -> CheckReport:
    """Compare the rollups of `sample` regions (every built month) with a live count."""
    built = state().built_through
    if built is None:
        return CheckReport(0, 0, [], [])
    today = built + datetime.timedelta(days=1)  # the day the build counted "passed" by
    nodes = list(Region.objects.filter(level__in=NODE_LEVELS).values_list("pk", flat=True))
    chosen = sorted(random.Random(seed).sample(nodes, min(sample, len(nodes))))
    months = sorted(set(RegionMonth.objects.values_list("month", flat=True).distinct()))
    differences: list[Difference] = []
    if months:
        stored: dict[tuple[int, datetime.date], dict] = {
            (row["region_id"], row["month"]): row
            for row in RegionMonth.objects.filter(region_id__in=chosen).values(
                "region_id", "month", *METRICS
            )
        }
        for region in Region.objects.filter(pk__in=chosen).order_by("path"):
            live = _live(region, months[0], built, today)
            for month in sorted(set(months) | {m for m in live if m <= built}):
                row = stored.get((region.pk, month), {})
                for figure in CHECKED:
                    have, want = int(row.get(figure) or 0), int(live[month].get(figure, 0))
                    if have != want:
                        differences.append(Difference(region.code, month, figure, have, want))
    repaired = sorted({month_start(d.month) for d in differences})
    if differences:
        logger.warning(
            "rollups differ from a live count in %s figures, %s months", len(differences), repaired
        )
        if repair:
            rollup_refresh(months=repaired, today=today)
    return CheckReport(len(chosen), len(months), differences, repaired if repair else [])
