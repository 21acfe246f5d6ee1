import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock
from core.tokens import public_token
from regions.models import RegionScoped, region_path_index
from tenancy.querysets import ScopedQuerySet
from tenancy.scope import TenancyRule


class Deputy(RegionScoped):
    """A people's-congress deputy of one of the five levels (五级代表).

    `region` is where the deputy is managed: the region of the station they are
    grouped into (编组进站). A station's liaison officer sees the deputies grouped
    into the station through `memberships`.
    """

    class Level(models.TextChoices):
        NATIONAL = "national", _("全国人大代表")
        PROVINCIAL = "provincial", _("省人大代表")
        CITY = "city", _("市人大代表")
        COUNTY = "county", _("县区人大代表")
        TOWNSHIP = "township", _("乡镇人大代表")

    class Status(models.TextChoices):
        ACTIVE = "active", _("在任")  # serving; listed on walls and public pages
        SUSPENDED = "suspended", _("暂停履职")  # duties suspended by law; kept, not listed
        TERMINATED = "terminated", _("终止资格")  # no longer a deputy; kept for the record

    class Gender(models.TextChoices):
        MALE = "male", _("男")
        FEMALE = "female", _("女")

    name = models.CharField(_("姓名"), max_length=64)
    photo = models.ImageField(_("照片"), upload_to="deputies/photos/", blank=True)
    gender = models.CharField(_("性别"), max_length=6, choices=Gender.choices, blank=True)
    level = models.CharField(_("代表层级"), max_length=12, choices=Level.choices)
    constituency = models.CharField(_("选区"), max_length=100, blank=True)
    work_unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    position = models.CharField(_("职务"), max_length=100, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    phone_public = models.BooleanField(_("公开手机号"), default=False)
    professional_field = models.CharField(_("专业领域"), max_length=60, blank=True)
    party = models.CharField(_("党派"), max_length=40, blank=True)
    term = models.CharField(_("届别"), max_length=40, blank=True, help_text=_("如：第十七届"))
    commitment = models.TextField(_("履职承诺"), blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.ACTIVE
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deputy",
    )
    public_token = models.CharField(
        max_length=32, unique=True, default=public_token, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    # A liaison officer sees the deputies grouped into their station now, not those
    # who left it.
    tenancy_rule = TenancyRule(
        region="region_path",
        station="memberships__station",
        station_condition=lambda: current_membership_q("memberships__"),
        deputy="pk",
    )

    class Meta:
        verbose_name = _("人大代表")
        verbose_name_plural = _("人大代表")
        ordering = ["region_path", "name"]
        indexes = [
            region_path_index("deputy"),
            models.Index(fields=["name", "phone"], name="deputy_name_phone"),
        ]
        constraints = [
            # The key the import's and the form's duplicate checks use; deputies
            # without a phone number are not compared.
            models.UniqueConstraint(
                fields=["name", "phone"],
                condition=~Q(phone=""),
                name="deputy_name_phone_unique",
                violation_error_message=_("已有同名同手机号的代表。"),
            )
        ]

    def __str__(self) -> str:
        return self.name


def current_membership_q(prefix: str = "", *, today: datetime.date | None = None) -> Q:
    """Memberships still running: no end date, or one in the future."""
    today = today or clock.today()
    return Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gt": today})


class StationMembership(models.Model):
    """A deputy grouped into a station (编组进站), for a period.

    A deputy of any level may belong to several stations at once; a membership
    that ends keeps its dates as history.
    """

    deputy = models.ForeignKey(
        Deputy, verbose_name=_("人大代表"), on_delete=models.CASCADE, related_name="memberships"
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("联络站点"),
        on_delete=models.PROTECT,
        related_name="deputy_memberships",
    )
    start_date = models.DateField(_("进站日期"))
    end_date = models.DateField(_("离站日期"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(
        region="station__region_path", station="station_id", deputy="deputy_id"
    )

    class Meta:
        verbose_name = _("编组进站")
        verbose_name_plural = _("编组进站")
        ordering = ["-start_date", "-pk"]
        indexes = [models.Index(fields=["station", "end_date"], name="membership_station")]

    def __str__(self) -> str:
        return f"{self.deputy} · {self.station}"

    @property
    def region_path(self) -> str:
        # The audit trail files a membership under its station's region.
        return self.station.region_path

    @property
    def is_current(self) -> bool:
        return self.end_date is None or self.end_date > clock.today()


class DeputyGroup(RegionScoped):
    """A deputy group (代表小组) or a professional group (专业代表小组) of a region."""

    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("代表小组")
        PROFESSIONAL = "professional", _("专业代表小组")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.ORDINARY)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("活动联络站"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deputy_groups",
    )
    leader_name = models.CharField(_("组长"), max_length=64, blank=True)
    description = models.TextField(_("说明"), blank=True)
    members = models.ManyToManyField(
        Deputy, verbose_name=_("成员"), blank=True, related_name="groups"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path", station="station_id")

    class Meta:
        verbose_name = _("代表小组")
        verbose_name_plural = _("代表小组")
        ordering = ["region_path", "name"]
        indexes = [region_path_index("deputygroup")]

    def __str__(self) -> str:
        return self.name
