"""Account administration. Callers pass the acting user; every write is audited."""

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record, diff, snapshot
from core.tokens import READABLE_ALPHABET
from deputies.models import Deputy
from regions.models import Region
from tenancy.scope import forget_scope, scope_of

from .models import LEVEL_ROLES, STAFF_ROLE_LEVEL, Role, RoleAssignment, User


def _ensure_admin_over(actor: User, region: Region) -> None:
    scope = scope_of(actor)
    if scope.everything:
        return
    if not any(region.path.startswith(root) for root in scope.account_admin_paths):
        raise PermissionDenied


def role_binding_errors(
    *, role: str, region: Region | None, station=None, unit=None, deputy=None
) -> dict[str, str]:
    """Check that a role is bound to the kind of place it needs; {field: message}."""
    errors = {}
    if role in STAFF_ROLE_LEVEL:
        if region is None or region.level != STAFF_ROLE_LEVEL[role]:
            errors["region"] = _("该角色须绑定到%(level)s级区划。") % {
                "level": Region.Level(STAFF_ROLE_LEVEL[role]).label
            }
    elif role in LEVEL_ROLES:
        if region is None or region.level == Region.Level.VILLAGE:
            errors["region"] = _("请选择市、县区或乡镇街道。")
    elif role == Role.STATION_OFFICER and station is None:
        errors["station"] = _("请选择联络站。")
    elif role == Role.UNIT_CLERK and unit is None:
        errors["unit"] = _("请选择承办单位。")
    elif role == Role.DEPUTY and deputy is None:
        errors["deputy"] = _("请选择代表档案。")
    return errors


def role_assign(
    *,
    actor: User,
    user: User,
    role: str,
    region: Region | None = None,
    station=None,
    unit=None,
    deputy=None,
) -> RoleAssignment:
    """Give `user` a role. The place must lie inside the actor's administered subtree."""
    errors = role_binding_errors(
        role=role, region=region, station=station, unit=unit, deputy=deputy
    )
    if errors:
        raise ValidationError(errors)
    # Only the role that is bound to a place takes its region from that place; a
    # stray station or unit picked beside a region role is ignored, never bound.
    if role == Role.STATION_OFFICER:
        region, unit, deputy = station.region, None, None
    elif role == Role.UNIT_CLERK:
        region, station, deputy = unit.region, None, None
    elif role == Role.DEPUTY:
        region, station, unit = deputy.region, None, None
        if deputy.user_id not in (None, user.pk):
            raise ValidationError({"deputy": _("该代表档案已关联其他账号。")})
        if Deputy.objects.filter(user=user).exclude(pk=deputy.pk).exists():
            raise ValidationError({"deputy": _("该账号已关联另一份代表档案。")})
    else:
        station = unit = deputy = None
    _ensure_admin_over(actor, region)
    with transaction.atomic():
        assignment, created = RoleAssignment.objects.get_or_create(
            user=user, role=role, region=region, station=station, unit=unit
        )
        if deputy is not None and deputy.user_id != user.pk:
            deputy.user = user
            deputy.save(update_fields=["user", "updated_at"])
        if created:
            audit_record(
                actor=actor,
                action=AuditRecord.Action.CREATE,
                obj=assignment,
                changes={"role": [None, role], "place": [None, str(station or unit or region)]},
                note=_("为 %(user)s 分配角色") % {"user": user.get_username()},
            )
    forget_scope(user)
    return assignment


def user_create(
    *,
    actor: User,
    username: str,
    full_name: str,
    phone: str,
    password: str,
    role: str,
    region: Region | None = None,
    station=None,
    unit=None,
    deputy=None,
) -> User:
    """Create an account with its first role. The new user must change the password."""
    candidate = User(username=username, full_name=full_name, phone=phone)
    validate_password(password, candidate)
    with transaction.atomic():
        candidate.set_password(password)
        candidate.must_change_password = True
        candidate.save()
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE,
            obj=candidate,
            changes=diff({}, snapshot(candidate, ["username", "full_name", "phone"])),
        )
        role_assign(
            actor=actor,
            user=candidate,
            role=role,
            region=region,
            station=station,
            unit=unit,
            deputy=deputy,
        )
    return candidate


def user_set_active(*, actor: User, user: User, active: bool) -> None:
    """Disable or enable an account. Nobody disables their own account."""
    if user.pk == actor.pk:
        raise ValidationError(_("不能停用自己的账号。"))
    if user.is_active == active:
        return
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action=AuditRecord.Action.STATE,
            obj=user,
            changes={"is_active": [not active, active]},
        )


def temporary_password() -> str:
    letters = "".join(secrets.choice(READABLE_ALPHABET[8:]) for _ in range(6)).lower()
    digits = "".join(secrets.choice("23456789") for _ in range(4))
    return f"{letters}{digits}"


def user_reset_password(*, actor: User, user: User) -> str:
    """Give the account a one-off password to hand over; it must be changed at next login."""
    password = temporary_password()
    with transaction.atomic():
        user.set_password(password)
        user.must_change_password = True
        user.save(update_fields=["password", "must_change_password"])
        audit_record(
            actor=actor,
            action=AuditRecord.Action.UPDATE,
            obj=user,
            changes={"password": ["***", "***"]},
            note=_("重置密码"),
        )
    return password


def user_change_own_password(*, user: User, new_password: str) -> None:
    with transaction.atomic():
        user.set_password(new_password)
        user.must_change_password = False
        user.save(update_fields=["password", "must_change_password"])
        audit_record(
            actor=user,
            action=AuditRecord.Action.UPDATE,
            obj=user,
            changes={"password": ["***", "***"]},
            note=_("修改本人密码"),
        )


# --- Login security: lockouts and second factors -------------------------------------


def user_unlock(*, actor: User, user: User, note: str = "") -> bool:
    """Lift django-axes' lock of an account (an administrator's button, or the owner with a
    second factor: `actor` is then the owner). False when nothing was locked."""
    from axes.utils import reset

    from .selectors import locked_until

    locked = locked_until(user) is not None
    with transaction.atomic():
        reset(username=user.get_username())
        if locked:
            audit_record(
                actor=actor,
                action=AuditRecord.Action.STATE,
                obj=user,
                changes={"locked": [True, False]},
                note=note or _("管理员解除登录锁定"),
            )
    return locked


def two_factor_rule_set(*, actor: User, role: str, region: Region):
    """Require a second factor of `role` holders inside `region` (the actor's subtree)."""
    from .models import TwoFactorRequirement

    _ensure_admin_over(actor, region)
    with transaction.atomic():
        rule, created = TwoFactorRequirement.objects.get_or_create(
            role=role, region=region, defaults={"created_by": actor}
        )
        if created:
            audit_record(
                actor=actor,
                action=AuditRecord.Action.CREATE,
                obj=rule,
                changes={"role": [None, role], "region": [None, str(region)]},
                note=_("要求两步验证"),
            )
    return rule


def two_factor_rule_remove(*, actor: User, rule) -> None:
    _ensure_admin_over(actor, rule.region)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditRecord.Action.DELETE,
            obj=rule,
            changes={"role": [rule.role, None], "region": [str(rule.region), None]},
            note=_("取消两步验证要求"),
        )
        rule.delete()


def _device_audit(user: User, device, action: str, note: str) -> None:
    audit_record(
        actor=user,
        action=action,
        obj=user,
        changes={"second_factor": [None, device._meta.model_name]}
        if action == AuditRecord.Action.CREATE
        else {"second_factor": [device._meta.model_name, None]},
        note=note,
    )


def totp_device_start(*, user: User):
    """The account's authenticator being enrolled (unconfirmed until a code is typed)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("身份验证器"), confirmed=False)
    return device


def totp_device_confirm(*, user: User, device, token: str) -> bool:
    """Confirm an enrolment with the first code the app shows; the other authenticators
    of the account are replaced (one phone app at a time)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user)
        if not device.verify_token("".join(token.split())):
            return False
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        _device_audit(user, device, AuditRecord.Action.CREATE, _("绑定身份验证器"))
    return True


def recovery_codes_issue(*, user: User) -> list[str]:
    """Ten new one-time recovery codes (the old ones stop working); shown once."""
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from .two_factor import RECOVERY_CODE_COUNT

    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=_("恢复码"), confirmed=True)
        codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
        _device_audit(user, device, AuditRecord.Action.CREATE, _("生成恢复码"))
    return codes


def sms_device_start(*, user: User):
    """Send a code to the account's own phone to confirm SMS as its second factor."""
    from .models import SmsDevice

    if not user.phone:
        raise ValidationError(_("账号没有登记手机号，请联系管理员登记后再绑定短信验证。"))
    with transaction.atomic():
        device = SmsDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = SmsDevice.objects.create(
                user=user, name=_("短信验证码"), number=user.phone, confirmed=False
            )
        elif device.number != user.phone:
            device.number = user.phone
            device.save(update_fields=["number"])
    sms_send_code(device=device)
    return device


def sms_send_code(*, device) -> None:
    """Send a login code through the SMS adapter; a gateway failure is a clear message."""
    from core.sms import SmsError
    from suggestions import ratelimit

    # A known password must not turn the portal into an SMS cannon: 5 codes per 15 minutes.
    if not ratelimit.hit("login-sms", f"user:{device.user_id}", limit=5, window=15 * 60):
        raise ValidationError(_("验证码发送过于频繁，请15分钟后再试。"))
    try:
        device.generate_challenge()
    except (SmsError, OSError) as error:
        raise ValidationError(_("短信发送失败，请稍后再试或改用其他方式。")) from error


def sms_device_confirm(*, user: User, token: str) -> bool:
    from .models import SmsDevice

    with transaction.atomic():
        device = SmsDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
        if device is None or not device.verify_token("".join(token.split())):
            return False
        SmsDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        _device_audit(user, device, AuditRecord.Action.CREATE, _("绑定短信验证"))
    return True


def second_factor_remove(*, actor: User, user: User, kind: str | None = None) -> int:
    """Remove the account's second factors (`kind` totp/sms/static, or all of them: an
    administrator's reset for a lost phone). Returns how many devices went."""
    from .two_factor import DEVICE_MODELS

    removed = 0
    with transaction.atomic():
        for model in DEVICE_MODELS:
            if kind and kind != model._meta.model_name.removesuffix("device"):
                continue
            for device in model.objects.filter(user=user):
                note = _("解除两步验证设备") if actor.pk == user.pk else _("管理员重置两步验证")
                audit_record(
                    actor=actor,
                    action=AuditRecord.Action.DELETE,
                    obj=user,
                    changes={"second_factor": [model._meta.model_name, None]},
                    note=note,
                )
                device.delete()
                removed += 1
    return removed
