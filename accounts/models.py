from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from regions.models import RegionScoped, region_path_index
from tenancy.querysets import ScopedQuerySet
from tenancy.scope import TenancyRule

from .roles import (  # noqa: F401  (re-exported: accounts.models.Role)
    ACCOUNT_ADMIN_ROLES,
    LEVEL_ROLES,
    READ_ONLY_ROLES,
    REGION_ROLES,
    STAFF_ROLE_LEVEL,
    Role,
)


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
    # Who may manage an account is a rule of its own (accounts.scopes.restrict_users).
    tenancy_rule = TenancyRule(
        region=None, custom=lambda queryset, scope, **_: _managed(queryset, scope)
    )

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


def _managed(queryset, scope):
    from .scopes import restrict_users

    return restrict_users(queryset, scope)
