"""Two-factor login: who must use it, which devices an account has, the enrolment QR code.

The devices are django-otp's: `TOTPDevice` (an authenticator app), `StaticDevice` (ten
one-time recovery codes) and this app's `SmsDevice` (codes through `core.sms`). Who must
use a second factor is the `TwoFactorRequirement` table (role + region subtree), which
administrators edit on /security/rules/; each process keeps the rules for
`TWO_FACTOR_RULES_CACHE_SECONDS` and drops them when a rule is saved or deleted here, so
with no rules (the demo) a request costs no query.
"""

import time

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import RoleAssignment, SmsDevice, TwoFactorRequirement

RECOVERY_CODE_COUNT = 10
DEVICE_MODELS = (TOTPDevice, SmsDevice, StaticDevice)

_rules: tuple[float, tuple[tuple[str, str], ...]] | None = None


def _all_rules() -> tuple[tuple[str, str], ...]:
    """Every (role, region path) rule, read at most once per cache period per process."""
    global _rules
    now = time.monotonic()
    if _rules is None or now - _rules[0] > settings.TWO_FACTOR_RULES_CACHE_SECONDS:
        rules = tuple(TwoFactorRequirement.objects.values_list("role", "region_path"))
        _rules = (now, rules)
    return _rules[1]


def forget_rules() -> None:
    global _rules
    _rules = None


@receiver([post_save, post_delete], sender=TwoFactorRequirement)
def _forget_rules(**kwargs):
    forget_rules()


def required_for(user) -> bool:
    """Whether a rule makes this account use a second factor (a role of it bound inside
    a rule's region). Cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return False
    cached = getattr(user, "_two_factor_required", None)
    if cached is None:
        rules = _all_rules()
        cached = False
        if rules:
            held = RoleAssignment.objects.filter(user_id=user.pk).values_list("role", "region_path")
            cached = any(
                role == rule_role and path.startswith(rule_path)
                for role, path in held
                for rule_role, rule_path in rules
            )
        user._two_factor_required = cached
    return cached


def devices_of(user, *, confirmed: bool | None = True) -> list:
    """The account's devices, TOTP first, recovery codes last."""
    devices = []
    for model in DEVICE_MODELS:
        queryset = model.objects.filter(user=user)
        if confirmed is not None:
            queryset = queryset.filter(confirmed=confirmed)
        devices.extend(queryset.order_by("pk"))
    return devices


def has_device(user) -> bool:
    """A confirmed TOTP or SMS device (recovery codes alone do not count as enrolled)."""
    return any(
        model.objects.filter(user=user, confirmed=True).exists()
        for model in (TOTPDevice, SmsDevice)
    )


def verify(user, token: str):
    """The device that accepts `token`, or None. Six digits are tried on the TOTP and
    SMS devices, anything else on the recovery codes (each works once). django-otp's
    throttling slows repeated failures per device."""
    token = "".join(token.split()).lower()
    if not token or len(token) > 16:
        return None
    models = (TOTPDevice, SmsDevice) if token.isdigit() else (StaticDevice,)
    with transaction.atomic():
        for model in models:
            for device in model.objects.filter(user=user, confirmed=True).select_for_update():
                check = _use_recovery_code if model is StaticDevice else type(device).verify_token
                if check(device, token):
                    return device
    return None


def _use_recovery_code(device, token: str) -> bool:
    """django-otp's static check, made safe for two submits at once: the code counts only
    for the request whose DELETE removed it."""
    if not device.verify_is_allowed()[0]:
        return False
    deleted, _ = device.token_set.filter(token=token).delete()
    if deleted:
        device.throttle_reset(commit=False)
        device.set_last_used_timestamp(commit=False)
        device.save()
        return True
    device.throttle_increment()
    return False


def qr_svg(text: str) -> str:
    """The QR code of `text` as inline SVG markup, drawn here (no image request, no CDN)."""
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    return image.to_string(encoding="unicode")


def has_totp(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    from django_otp.plugins.otp_static.models import StaticToken

    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def throttled(user) -> bool:
    """Whether django-otp is refusing codes for a while after repeated wrong ones."""
    return any(
        getattr(device, "throttling_failure_count", 0) >= 3 and not device.verify_is_allowed()[0]
        for device in devices_of(user)
    )
