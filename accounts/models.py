from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from regions.models import RegionScoped, region_path_index
from tenancy.querysets import ScopedQuerySet
from tenancy.scope import TenancyRule


class Role(models.TextChoices):
    """What a person does in the portal; each assignment binds it to a place."""

    SYSADMIN = "sysadmin", _("系统管理员")  # administers accounts and settings in its region
    CITY_STAFF = "city_staff", _("市人大工作人员")
    COUNTY_STAFF = "county_staff", _("县区人大工作人员")
    TOWNSHIP_STAFF = "township_staff", _("乡镇街道人大工作人员")
    STATION_OFFICER = "station_officer", _("联络站联络员")  # keeps one station's ledgers
    DEPUTY = "deputy", _("人大代表")  # sees own record and what came through own code
    UNIT_CLERK = "unit_clerk", _("承办单位经办人")  # acts on items assigned to the unit
    LEADER = "leader", _("领导")  # reads dashboards of the region, writes nothing


STAFF_ROLE_LEVEL = {
    Role.CITY_STAFF: "city",
    Role.COUNTY_STAFF: "county",
    Role.TOWNSHIP_STAFF: "township",
}
# Roles bound to a region of any level (above village) rather than a fixed one.
LEVEL_ROLES = {Role.SYSADMIN, Role.LEADER}
REGION_ROLES = {*LEVEL_ROLES, *STAFF_ROLE_LEVEL}
ACCOUNT_ADMIN_ROLES = {Role.SYSADMIN, *STAFF_ROLE_LEVEL}
READ_ONLY_ROLES = {Role.LEADER}


class UserQuerySet(ScopedQuerySet):
    pass


class ScopedUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person with a unique account. Names are Chinese: one `full_name` field."""

    full_name = models.CharField(_("姓名"), max_length=64)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    must_change_password = models.BooleanField(_("须修改密码"), default=False)

    objects = ScopedUserManager()

    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or self.username

    def get_short_name(self) -> str:
        return self.get_full_name()


class RoleAssignment(RegionScoped):
    """One role a user holds, bound to a region and, for some roles, a station or unit."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("联络站"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="officer_roles",
    )
    unit = models.ForeignKey(
        "suggestions.HandlingUnit",
        verbose_name=_("承办单位"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="clerk_roles",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path", station="station_id", unit="unit_id")

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        indexes = [region_path_index("roleassign")]

    def __str__(self) -> str:
        place = self.station or self.unit or self.region
        return f"{self.get_role_display()} · {place}"
