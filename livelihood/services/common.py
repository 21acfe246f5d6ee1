"""Helpers the livelihood services share: the locked cycle, audit, dated phases."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record
from core import clock

from ..models import Cycle


def locked_cycle(cycle: Cycle) -> Cycle:
    return Cycle.objects.select_for_update(of=("self",)).select_related("region").get(pk=cycle.pk)


def record(actor, action, obj, *, changes=None, note="") -> None:
    audit_record(
        actor=actor,
        action=action,
        obj=obj,
        changes=changes or {},
        note=note,
        actor_label="" if getattr(actor, "is_authenticated", False) else _("群众"),
    )


CREATE = AuditRecord.Action.CREATE
UPDATE = AuditRecord.Action.UPDATE
STATE = AuditRecord.Action.STATE
DELETE = AuditRecord.Action.DELETE


def mark_entered(cycle: Cycle, status: str) -> None:
    cycle.entered = {**(cycle.entered or {}), status: clock.today().isoformat()}


def require(condition: bool, field: str | None, message: str) -> None:
    if not condition:
        raise ValidationError({field: message} if field else message)
