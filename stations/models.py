from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.tokens import public_token
from regions.models import RegionScoped, region_path_index
from tenancy.querysets import ScopedQuerySet
from tenancy.scope import TenancyRule


class Station(RegionScoped):
    """A liaison station (联络站) or, with a parent, one of its points (联络点): "1+N"."""

    class Kind(models.TextChoices):
        TOWNSHIP = "township", _("乡镇（街道）联络站")
        VILLAGE_POINT = "village_point", _("村（社区）联络点")
        ENTERPRISE = "enterprise", _("企业联络点")
        PARK = "park", _("园区/产业链代表工作站")
        LEGISLATIVE = "legislative", _("基层立法联系点")

    class Status(models.TextChoices):
        ACTIVE = "active", _("运行中")  # open to the public
        SUSPENDED = "suspended", _("暂停")  # kept for the record, hidden from citizens

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.TOWNSHIP)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("所属联络站"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="points",
    )
    is_legislative_point = models.BooleanField(_("同时为基层立法联系点"), default=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    opening_hours = models.CharField(_("开放时间"), max_length=100, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    head_name = models.CharField(_("站长"), max_length=64, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    # Denormalised from the latest assessment that was not withdrawn (station_rate).
    stars = models.PositiveSmallIntegerField(_("星级"), null=True, blank=True)
    public_token = models.CharField(
        max_length=32, unique=True, default=public_token, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path", station="pk")

    class Meta:
        verbose_name = _("联络站点")
        verbose_name_plural = _("联络站点")
        ordering = ["region_path", "name"]
        indexes = [region_path_index("station")]
        constraints = [
            # The key the import's and the form's duplicate checks use.
            models.UniqueConstraint(
                fields=["region", "name"],
                name="station_name_unique_in_region",
                violation_error_message=_("本区划已有同名联络站点。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_point(self) -> bool:
        return self.parent_id is not None

    @property
    def star_text(self) -> str:
        return "★" * self.stars + "☆" * (5 - self.stars) if self.stars else ""


class StandardItem(RegionScoped):
    """One line of the station checklist (六有/八有) a region assesses its stations by.

    A region either owns a list or inherits the nearest ancestor's
    (`selectors.standard_checklist`). Items are deactivated, never deleted, so old
    assessments still say what was met.
    """

    code = models.CharField(_("编号"), max_length=20)
    text = models.CharField(_("标准内容"), max_length=200)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path")

    class Meta:
        verbose_name = _("联络站建设标准")
        verbose_name_plural = _("联络站建设标准")
        ordering = ["region_path", "order", "pk"]
        indexes = [region_path_index("stdtitem")]
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="standard_item_code_unique")
        ]

    def __str__(self) -> str:
        return self.text


class StationAssessment(RegionScoped):
    """One star rating of a station (星级评定). Kept forever; a mistake is withdrawn."""

    station = models.ForeignKey(
        Station, verbose_name=_("联络站点"), on_delete=models.PROTECT, related_name="assessments"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评定人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assessed_on = models.DateField(_("评定日期"))
    stars = models.PositiveSmallIntegerField(_("星级"))
    notes = models.TextField(_("评定意见"), blank=True)
    items_met = models.ManyToManyField(
        StandardItem, verbose_name=_("达标项目"), blank=True, related_name="+"
    )
    withdrawn_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdraw_reason = models.CharField(_("撤销原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path", station="station_id")

    class Meta:
        verbose_name = _("星级评定")
        verbose_name_plural = _("星级评定")
        ordering = ["-assessed_on", "-pk"]
        indexes = [region_path_index("assessment")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(stars__gte=1, stars__lte=5), name="assessment_stars_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.station} · {self.stars}★ · {self.assessed_on:%Y-%m-%d}"

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def star_text(self) -> str:
        return "★" * self.stars + "☆" * (5 - self.stars)


class StationAssessmentPhoto(models.Model):
    """A photo taken as evidence during an assessment (images only, size-limited)."""

    assessment = models.ForeignKey(
        StationAssessment, on_delete=models.CASCADE, related_name="photos"
    )
    image = models.ImageField(_("照片"), upload_to="stations/assessments/%Y/%m/")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="assessment__region_path", station="assessment__station_id")

    class Meta:
        verbose_name = _("评定照片")
        verbose_name_plural = _("评定照片")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.image.name


class ImportReceipt(models.Model):
    """A confirmed spreadsheet import (stations or deputies), keyed by its upload token.

    Written in the same transaction as the imported rows: a confirm posted twice
    at once finds the token taken (unique) and imports nothing the second time.
    """

    token = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=20)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")

    def __str__(self) -> str:
        return f"{self.kind} {self.token}"
