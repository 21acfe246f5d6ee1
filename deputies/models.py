from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.tokens import public_token
from regions.models import RegionScoped, region_path_index
from tenancy.querysets import ScopedQuerySet
from tenancy.scope import TenancyRule


class Deputy(RegionScoped):
    """A people's-congress deputy of one of the five levels (五级代表).

    `region` is where the deputy is managed: the region of the station they are
    grouped into (编组进站).
    """

    class Level(models.TextChoices):
        NATIONAL = "national", _("全国人大代表")
        PROVINCIAL = "provincial", _("省人大代表")
        CITY = "city", _("市人大代表")
        COUNTY = "county", _("县区人大代表")
        TOWNSHIP = "township", _("乡镇人大代表")

    class Status(models.TextChoices):
        ACTIVE = "active", _("在任")
        SUSPENDED = "suspended", _("暂停履职")
        TERMINATED = "terminated", _("终止资格")

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
    tenancy_rule = TenancyRule(region="region_path", deputy="pk")

    class Meta:
        verbose_name = _("人大代表")
        verbose_name_plural = _("人大代表")
        ordering = ["region_path", "name"]
        indexes = [region_path_index("deputy")]

    def __str__(self) -> str:
        return self.name
