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

    def __str__(self) -> str:
        return self.name

    @property
    def is_point(self) -> bool:
        return self.parent_id is not None
