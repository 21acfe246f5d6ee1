from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_otp.models import SideChannelDevice

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


class TwoFactorRequirement(RegionScoped):
    """An administrator's rule: holders of `role` bound inside `region` must log in with a
    second factor (TOTP, SMS code or recovery code). Read by `accounts.two_factor`."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices)
    created_by = models.ForeignKey(
        User, verbose_name=_("设置人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("设置时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path")

    class Meta:
        verbose_name = _("两步验证要求")
        verbose_name_plural = _("两步验证要求")
        constraints = [
            models.UniqueConstraint(fields=["role", "region"], name="twofactor_role_region")
        ]
        indexes = [region_path_index("twofactor")]

    def __str__(self) -> str:
        return f"{self.get_role_display()} · {self.region}"


class SmsDevice(SideChannelDevice):
    """A second factor by SMS: a 6-digit code sent through the portal's SMS adapter
    (`core.sms`) to the account's own phone number."""

    number = models.CharField(_("手机号"), max_length=20)

    class Meta:
        verbose_name = _("短信验证码设备")
        verbose_name_plural = _("短信验证码设备")

    def generate_challenge(self):
        from django.utils.translation import gettext

        from core.sms import get_sms_backend

        self.generate_token(valid_secs=300)
        text = gettext("【%(sign)s】登录验证码 %(code)s，5分钟内有效。如非本人操作请忽略。") % {
            "sign": settings.SMS_SIGN_NAME,
            "code": self.token,
        }
        get_sms_backend().send(self.number, text)
        return gettext("验证码已发送。")
