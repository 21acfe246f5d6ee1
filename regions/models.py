from django.db import models
from django.utils.translation import gettext_lazy as _

from tenancy.querysets import ScopedQuerySet
from tenancy.scope import TenancyRule


class Region(models.Model):
    """A node of the administrative tree (省 > 市 > 县区 > 乡镇街道 > 村社区).

    `path` is the materialised path of codes ("14/1411/141122/"): everything under a
    region is `path LIKE '<its path>%'`, one predicate that a pattern index answers.
    """

    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        COUNTY = "county", _("县区")
        TOWNSHIP = "township", _("乡镇街道")
        VILLAGE = "village", _("村社区")

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    path = models.CharField(max_length=80, unique=True, editable=False)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="path")

    class Meta:
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")
        ordering = ["code"]
        indexes = [
            models.Index(
                fields=["path"], name="region_path_prefix", opclasses=["varchar_pattern_ops"]
            ),
            models.Index(fields=["parent", "code"], name="region_children"),
        ]

    def __str__(self) -> str:
        return self.name

    LEVEL_ORDER = [Level.PROVINCE, Level.CITY, Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE]

    @property
    def depth(self) -> int:
        return self.LEVEL_ORDER.index(self.level)

    def contains(self, other: "Region") -> bool:
        return other.path.startswith(self.path)

    def ancestors(self) -> models.QuerySet["Region"]:
        """This region and those above it, top first (one query)."""
        codes = [code for code in self.path.split("/") if code]
        return Region.objects.filter(code__in=codes).order_by("path")

    def full_name(self) -> str:
        return "".join(region.name for region in self.ancestors() if region.level != "province")


def build_path(parent: Region | None, code: str) -> str:
    return f"{parent.path if parent else ''}{code}/"


class RegionScoped(models.Model):
    """A row that belongs to one region and carries a copy of the region's path.

    The copy lets "everything under region X" filter hot tables without a join.
    Regions do not move in practice; if one does, `region_move` rewrites the copies.
    """

    region = models.ForeignKey(Region, verbose_name=_("所属区划"), on_delete=models.PROTECT)
    region_path = models.CharField(max_length=80, editable=False, db_index=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.region_id is not None:
            self.region_path = self.region.path
            update_fields = kwargs.get("update_fields")
            if update_fields is not None and "region" in update_fields:
                kwargs["update_fields"] = {*update_fields, "region_path"}
        super().save(*args, **kwargs)


def region_path_index(model_name: str) -> models.Index:
    """The pattern index every scoped table needs for subtree filters."""
    return models.Index(
        fields=["region_path"], name=f"{model_name}_rpath", opclasses=["varchar_pattern_ops"]
    )
