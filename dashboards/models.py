"""Rollups behind the dashboards: monthly figures per region node, rebuilt by tasks.

Every region from the province down to the township has one `RegionMonth` row per
month with data: the figures of everything under it (its own rows included), so a
dashboard at any level reads its own rows and its children's rows, a few hundred
at most, however many suggestions lie beneath, and the categories received. A
township ranks its stations and points: `StationMonth` splits each township's month
by station. Station dashboards read the base tables live; they are small.

A month's row counts the suggestions *received* in that month with their status as
of the last refresh (a cohort), and the receptions held in it. The current month is
built up to `RollupState.built_through` (yesterday at the last refresh); later days
are always read live, so a figure is never missing a day, at worst a status change
since the last refresh (see `dashboards.rollups`).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from regions.models import Region
from tenancy.querysets import ScopedQuerySet
from tenancy.scope import TenancyRule

# The additive figures a rollup row carries; rates are derived from them.
METRICS = (
    "receptions",  # reception register entries
    "duty_visits",  # deputies present at those receptions (人次)
    "people",  # people received at those receptions (人次)
    "received",  # suggestions received (merged duplicates excluded)
    "rejected",  # of those, refused (不予受理)
    "closed",  # of those, closed after the return visit (办结)
    "solved",  # of those, closed and not rated 不满意 (推动解决)
    "due_total",  # of those, with a reply deadline that was met or has passed
    "on_time",  # of those, replied by the deadline
    "rated",  # of those, rated by the citizen
    "satisfied",  # rated 满意
    "basically",  # rated 基本满意
    "unsatisfied",  # rated 不满意
)


class MonthFigures(models.Model):
    """The additive figures of one month (`METRICS`), shared by the rollup tables."""

    month = models.DateField()  # the first day of the month
    receptions = models.PositiveIntegerField(default=0)
    duty_visits = models.PositiveIntegerField(default=0)
    people = models.PositiveIntegerField(default=0)
    received = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    solved = models.PositiveIntegerField(default=0)
    due_total = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    basically = models.PositiveIntegerField(default=0)
    unsatisfied = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class RegionMonth(MonthFigures):
    """One region node's figures for one month (everything under the node)."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    # The node's parent, so "the children of X" is one indexed equality.
    parent = models.ForeignKey(
        Region, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region__path")

    class Meta:
        verbose_name = _("月度统计")
        verbose_name_plural = _("月度统计")
        constraints = [
            models.UniqueConstraint(fields=["region", "month"], name="regionmonth_unique")
        ]
        indexes = [models.Index(fields=["parent", "month"], name="regionmonth_children")]

    def __str__(self) -> str:
        return f"{self.region_id} · {self.month:%Y-%m}"


class StationMonth(MonthFigures):
    """One township's figures for one month, split by the station the rows belong to.

    A township dashboard ranks its stations and points; these rows let it read that
    ranking instead of counting the base tables. `station` is None for the township's
    rows tied to no station; a station elsewhere (a suggestion raised in this township at
    a neighbour's station) keeps its own row here, so the rows of one township and
    month always add up to its `RegionMonth` row.
    """

    township = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    station = models.ForeignKey(
        "stations.Station", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="township__path")

    class Meta:
        verbose_name = _("站点月度统计")
        verbose_name_plural = _("站点月度统计")
        indexes = [models.Index(fields=["township", "month"], name="stationmonth_township")]

    def __str__(self) -> str:
        return f"{self.township_id} · {self.station_id} · {self.month:%Y-%m}"


class RegionMonthCategory(models.Model):
    """Suggestions received in one month under one region node, per category."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    category = models.CharField(max_length=20)
    received = models.PositiveIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region__path")

    class Meta:
        verbose_name = _("月度分类统计")
        verbose_name_plural = _("月度分类统计")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "month", "category"], name="regionmonthcat_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} · {self.month:%Y-%m} · {self.category}"


class DutyPresence(models.Model):
    """A deputy listed at a reception on a day: the reception register's deputies with
    the date beside them, so "at no reception in the period" is one index probe per
    deputy instead of a join through every reception they attended.

    Rebuilt with the rollups; receptions logged since (`RollupState.reception_mark`)
    are read from the register itself.
    """

    deputy = models.ForeignKey(
        "deputies.Deputy", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    date = models.DateField()

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="deputy__region_path", deputy="deputy_id")

    class Meta:
        verbose_name = _("代表进站记录")
        verbose_name_plural = _("代表进站记录")
        indexes = [models.Index(fields=["deputy", "date"], name="dutypresence_deputy_date")]

    def __str__(self) -> str:
        return f"{self.deputy_id} · {self.date}"


class RollupState(models.Model):
    """How far the rollups reach, and when they were last refreshed (one row)."""

    name = models.CharField(max_length=40, unique=True)
    # Rows cover days up to and including this one; later days are read live.
    built_through = models.DateField(null=True, blank=True)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    # Suggestions and receptions changed after this moment are not yet in the rollups.
    watermark = models.DateTimeField(null=True, blank=True)
    # The highest reception id `DutyPresence` has seen; later ones are read live.
    reception_mark = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("统计刷新状态")
        verbose_name_plural = _("统计刷新状态")

    def __str__(self) -> str:
        return f"{self.name} · {self.built_through}"
