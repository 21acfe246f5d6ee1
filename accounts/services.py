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
