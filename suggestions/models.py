from django.db import models
from django.utils.translation import gettext_lazy as _

from regions.models import RegionScoped, region_path_index
from tenancy.querysets import ScopedQuerySet
from tenancy.scope import TenancyRule


class HandlingUnit(RegionScoped):
    """A body matters are assigned to (承办单位): a department, township government, utility..."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("政府部门")
        TOWNSHIP_GOVERNMENT = "township_government", _("乡镇政府（街道办）")
        UTILITY = "utility", _("公用事业单位")
        COURT = "court", _("法院")
        PROCURATORATE = "procuratorate", _("检察院")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices, default=Kind.DEPARTMENT)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path", unit="pk")

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering = ["region_path", "name"]
        indexes = [region_path_index("unit")]

    def __str__(self) -> str:
        return self.name
