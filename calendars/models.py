"""The working-day calendar's editable part: overrides and "year complete" marks.

The `chinesecalendar` package knows the State Council's holidays and make-up days
(调休) for the years it ships data for. Everything else lives here: a correction
or a year the package does not know yet (national rows, region null), and the
extra holidays of minority regions (regional rows, applying to the region's
subtree). A row here always wins over the package.

National rows have no region and an empty `region_path`; the tenancy gate only
matches non-empty path prefixes, so national rows are reachable through the gate
by superusers alone (see `calendars.services` for who may write what).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from regions.models import Region, region_path_index
from tenancy.querysets import ScopedQuerySet
from tenancy.scope import TenancyRule


class OptionalRegionScoped(models.Model):
    """Like `RegionScoped`, but a row without a region is national."""

    region = models.ForeignKey(
        Region,
        verbose_name=_("适用区划"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        help_text=_("留空表示全国适用；选择区划则只适用于该区划及其下级（如民族地区的节日）。"),
    )
    region_path = models.CharField(max_length=80, editable=False, blank=True, default="")

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.region_path = self.region.path if self.region_id is not None else ""
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "region" in update_fields:
            kwargs["update_fields"] = {*update_fields, "region_path"}
        super().save(*args, **kwargs)

    @property
    def is_national(self) -> bool:
        return self.region_id is None


class CalendarOverride(OptionalRegionScoped):
    """One day whose status differs from (or is unknown to) the package."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("休息日（节假日）")  # no work that day, even on a weekday
        WORKDAY = "workday", _("工作日（调休上班）")  # work that day, even on a weekend

    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=50, help_text=_("如：春节、国庆节调休上班"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path")

    class Meta:
        verbose_name = _("节假日调整")
        verbose_name_plural = _("节假日调整")
        ordering = ["date", "region_path"]
        constraints = [
            models.UniqueConstraint(
                fields=["date", "region"],
                name="caloverride_unique_regional",
                condition=Q(region__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["date"],
                name="caloverride_unique_national",
                condition=Q(region__isnull=True),
            ),
        ]
        indexes = [
            region_path_index("caloverride"),
            models.Index(fields=["date"], name="caloverride_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}"


class CalendarYear(OptionalRegionScoped):
    """A year whose holidays were entered by hand and checked: counting is no longer provisional.

    Only needed for years the package has no data for. A national mark covers
    everyone; a regional mark covers that region's subtree.
    """

    year = models.PositiveSmallIntegerField(_("年份"))
    complete = models.BooleanField(_("已录入完整"), default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path")

    class Meta:
        verbose_name = _("年度节假日数据")
        verbose_name_plural = _("年度节假日数据")
        ordering = ["year", "region_path"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "region"],
                name="calyear_unique_regional",
                condition=Q(region__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["year"], name="calyear_unique_national", condition=Q(region__isnull=True)
            ),
        ]
        indexes = [region_path_index("calyear")]

    def __str__(self) -> str:
        return f"{self.year}"
