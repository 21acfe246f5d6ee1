"""Registering client systems, and what a client may do through the interface.

Every call of a client is audited under its name (`client_call`); a posted request
becomes a suggestion through the intake service, idempotent on the token the client
sends with it, so a retried POST never makes a second one.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record
from core import clock
from regions.models import Region
from suggestions.models import CONTENT_MAX_LENGTH, PLACE_MAX_LENGTH, Category, Channel
from suggestions.services import suggestion_submit
from tenancy.scope import restrict_to

from .models import ApiClient
from .permissions import can_register_client_for, client_scope

KEY_PREFIX_LENGTH = 12
TOKEN_MAX_LENGTH = 40


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def client_register(
    *, actor, name: str, region: Region, access: str, pipl_notice: bool, contact: str = ""
) -> tuple[ApiClient, str]:
    """Register a client system bound to `region`; returns it and its key (shown once)."""
    if not can_register_client_for(actor, region):
        raise PermissionDenied(_("您无权为该地区登记对接系统。"))
    if not pipl_notice:
        raise ValidationError(
            {"pipl_notice": _("对接系统须承诺在其页面上向群众告知个人信息处理规则。")}
        )
    key = "lx_" + secrets.token_urlsafe(30)
    client = ApiClient(
        name=name.strip(),
        region=region,
        access=access,
        pipl_notice=True,
        contact=contact.strip(),
        key_prefix=key[:KEY_PREFIX_LENGTH],
        key_digest=_digest(key),
        created_by=actor,
    )
    client.full_clean(exclude=["key_prefix", "key_digest", "created_by"])
    with transaction.atomic():
        client.save()
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE,
            obj=client,
            changes={"name": [None, client.name], "access": [None, access]},
            note=_("登记对接系统"),
        )
    return client, key


def client_revoke(*, actor, client: ApiClient) -> ApiClient:
    if not can_register_client_for(actor, client.region):
        raise PermissionDenied(_("您无权停用该对接系统。"))
    with transaction.atomic():
        client = ApiClient.objects.select_for_update().get(pk=client.pk)
        if client.revoked_at is None:
            client.revoked_at = clock.now()
            client.save(update_fields=["revoked_at"])
            audit_record(
                actor=actor,
                action=AuditRecord.Action.STATE,
                obj=client,
                changes={"revoked": [False, True]},
                note=_("停用对接系统"),
            )
    return client


def client_for_key(key: str | None) -> ApiClient | None:
    """The active client holding `key`, or None (wrong, revoked or missing)."""
    if not key or len(key) < KEY_PREFIX_LENGTH + 8:
        return None
    client = (
        ApiClient.objects.select_related("region")
        .filter(key_prefix=key[:KEY_PREFIX_LENGTH], revoked_at__isnull=True)
        .first()
    )
    if client is None or not hmac.compare_digest(client.key_digest, _digest(key)):
        return None
    return client


def client_call(client: ApiClient, what: str, *, succeeded: bool = True) -> None:
    """Audit one call under the client's name, and note when it was last used."""
    audit_record(
        actor=None,
        actor_label=_("对接系统：%(name)s") % {"name": client.name},
        action=AuditRecord.Action.API,
        obj=client,
        note=what,
        succeeded=succeeded,
    )
    ApiClient.objects.filter(pk=client.pk).update(last_used_at=clock.now())


def jurisdiction_for(client: ApiClient, code: str | None) -> Region | None:
    """The region a jurisdiction_id names inside the client's region (its own by default)."""
    if not code:
        return client.region
    regions = restrict_to(Region.objects.all(), client_scope(client))
    return regions.filter(code=code).exclude(level=Region.Level.VILLAGE).first()


def _coordinate(value: str, low: int, high: int, name: str) -> Decimal:
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError):
        raise ValidationError({name: _("坐标格式不正确。")}) from None
    if not number.is_finite() or not low <= number <= high:
        raise ValidationError({name: _("坐标超出范围。")})
    return number.quantize(Decimal("0.000001"))


def request_submit(*, client: ApiClient, data) -> tuple[object, bool]:
    """A service request posted by `client` becomes a suggestion; (suggestion, created).

    Required: service_code, description, and a location (lat and long, or
    address_string). Contact fields are optional; the client has undertaken to give
    the PIPL notice. The same `token` again (a retry) returns the first suggestion.
    """
    if not client.may_post:
        raise PermissionDenied(_("该对接系统只有只读权限。"))
    errors = {}
    code = (data.get("service_code") or "").strip()
    if code not in Category.values:
        errors["service_code"] = _("没有这个服务类别。")
    description = (data.get("description") or "").strip()
    if not description:
        errors["description"] = _("请填写问题描述。")
    elif len(description) > CONTENT_MAX_LENGTH:
        errors["description"] = _("描述不能超过%(n)s字。") % {"n": CONTENT_MAX_LENGTH}
    address = (data.get("address_string") or "").strip()
    lat, lng = data.get("lat"), data.get("long")
    latitude = longitude = None
    try:
        if lat or lng:
            latitude = _coordinate(lat or "", -90, 90, "lat")
            longitude = _coordinate(lng or "", -180, 180, "long")
    except ValidationError as error:
        errors.update(error.message_dict)
    if latitude is None and not address and "lat" not in errors and "long" not in errors:
        errors["lat"] = _("请提供经纬度或地址。")
    if len(address) > PLACE_MAX_LENGTH:
        errors["address_string"] = _("地址不能超过%(n)s字。") % {"n": PLACE_MAX_LENGTH}
    token = (data.get("token") or "").strip()
    if len(token) > TOKEN_MAX_LENGTH or (token and not token.replace("-", "").isalnum()):
        errors["token"] = _("幂等令牌最多40个字母或数字。")
    region = jurisdiction_for(client, data.get("jurisdiction_id"))
    if region is None:
        errors["jurisdiction_id"] = _("该辖区不在本系统的对接范围内。")
    phone = (data.get("phone") or "").strip()
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 15):
        errors["phone"] = _("手机号格式不正确。")
    if errors:
        raise ValidationError(errors)
    name = f"{data.get('last_name') or ''}{data.get('first_name') or ''}".strip()
    return suggestion_submit(
        channel=Channel.OPEN311,
        category=code,
        content=description,
        place=address,
        region=region,
        contact_name=name[:64],
        contact_phone=phone,
        latitude=latitude,
        longitude=longitude,
        submission_token=f"o311-{client.pk}-{token}" if token else None,
    )


def default_window(today: datetime.date) -> datetime.date:
    """GET requests without dates covers the last 90 days (the specification's default)."""
    return today - datetime.timedelta(days=90)
