"""The audited choices that show a personal phone number in full (see core/phones.py)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record

from . import phones


def reason_label(reason: str) -> str:
    labels = dict(phones.REVEAL_REASONS)
    if reason not in labels:
        raise ValidationError({"reason": _("请选择查看完整手机号的原因。")})
    return str(labels[reason])


def phone_reveal(*, actor, obj, reason: str, via: str = "") -> str:
    """The full number an object carries, once; audited (REVEAL) with the reason."""
    kind = phones.kind_of(obj)
    if kind is None or not kind.may_reveal(actor, obj):
        raise PermissionDenied(_("您无权查看完整手机号。"))
    label = reason_label(reason)
    number = kind.number(obj)
    if not number:
        raise ValidationError(_("没有留下手机号。"))
    audit_record(
        actor=actor,
        action=AuditRecord.Action.REVEAL,
        obj=obj,
        changes={"field": "phone", "kind": kind.name, "reason": reason, "via": via},
        note=_("查看完整手机号：%(reason)s") % {"reason": label},
    )
    return number


def phone_export_unmasked(*, actor, what: str, reason: str, obj=None) -> None:
    """Record that `actor` ordered an export with full phone numbers, and why."""
    if not phones.may_export_full_phones(actor):
        raise PermissionDenied(_("您无权导出完整手机号。"))
    label = reason_label(reason)
    audit_record(
        actor=actor,
        action=AuditRecord.Action.REVEAL,
        obj=obj,
        changes={"field": "phone", "export": what, "reason": reason},
        note=_("导出完整手机号（%(what)s）：%(reason)s") % {"what": what, "reason": label},
    )
