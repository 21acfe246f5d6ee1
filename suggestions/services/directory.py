"""Directories and settings (handling units, reply templates, deadline rules), and the
audited look at a citizen's phone number."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record, diff, snapshot
from core.services import reason_label
from regions.models import Region

from .. import permissions as can
from ..models import Constituent, HandlingUnit, ReplyTemplate, SLAProfile, Suggestion


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("您无权进行此操作。"))


def _require_manager_of(actor, region: Region) -> None:
    _require(can.can_manage_region(actor, region))


def constituent_reveal_phone(
    *,
    actor,
    reason: str = "",
    suggestion: Suggestion | None = None,
    constituent: Constituent | None = None,
) -> str:
    """The full phone number of a citizen; every look is audited (AuditRecord REVEAL).

    Through a suggestion: region staff, the station's officer and the deputy may look
    (they call the citizen back). From the directory: region staff. Leaders and
    unit clerks never see the number unmasked. Each look names its reason
    (core.phones.REVEAL_REASONS), kept in the audit record.
    """
    if suggestion is not None:
        _require(can.can_reveal_phone(actor, suggestion))
        constituent = suggestion.constituent
    else:
        _require(constituent is not None and can.can_reveal_constituent(actor, constituent))
    if constituent is None or not constituent.phone:
        raise ValidationError(_("没有留下手机号。"))
    label = reason_label(reason)
    audit_record(
        actor=actor,
        action=AuditRecord.Action.REVEAL,
        obj=constituent,
        changes={
            "field": "phone",
            "suggestion": suggestion.tracking_code if suggestion is not None else "",
            "reason": reason,
        },
        note=_("查看群众手机号：%(reason)s") % {"reason": label},
    )
    return constituent.phone


UNIT_FIELDS = ["name", "kind", "region", "phone", "contact_name", "duties", "is_active"]


def handling_unit_create(*, actor, **values) -> HandlingUnit:
    """Add a handling unit to the directory of a region the actor's staff role covers."""
    _require_manager_of(actor, values["region"])
    unit = HandlingUnit(**values)
    unit.full_clean()
    with transaction.atomic():
        unit.save()
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE,
            obj=unit,
            changes=diff({}, snapshot(unit, UNIT_FIELDS)),
        )
    return unit


def handling_unit_update(*, actor, unit: HandlingUnit, **values) -> HandlingUnit:
    _require_manager_of(actor, unit.region)
    if "region" in values:
        _require_manager_of(actor, values["region"])
    before = snapshot(unit, UNIT_FIELDS)
    for name, value in values.items():
        setattr(unit, name, value)
    unit.full_clean()
    changes = diff(before, snapshot(unit, UNIT_FIELDS))
    if changes:
        with transaction.atomic():
            unit.save(update_fields=list(values))
            audit_record(actor=actor, action=AuditRecord.Action.UPDATE, obj=unit, changes=changes)
    return unit


TEMPLATE_FIELDS = ["region", "category", "title", "body", "is_active"]


def reply_template_save(*, actor, template: ReplyTemplate | None = None, **values) -> ReplyTemplate:
    """Create or change a reply template in a region the actor's staff role covers."""
    creating = template is None
    template = template or ReplyTemplate()
    if not creating:
        _require_manager_of(actor, template.region)
    before = {} if creating else snapshot(template, TEMPLATE_FIELDS)
    for name, value in values.items():
        setattr(template, name, value)
    _require_manager_of(actor, template.region)
    template.full_clean()
    with transaction.atomic():
        template.save()
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE if creating else AuditRecord.Action.UPDATE,
            obj=template,
            changes=diff(before, snapshot(template, TEMPLATE_FIELDS)),
        )
    return template


SLA_FIELDS = [
    "region",
    "category",
    "acknowledge_days",
    "return_days",
    "reply_days",
    "rehandle_months",
    "remind_days_before",
]


def sla_profile_save(*, actor, profile: SLAProfile | None = None, **values) -> SLAProfile:
    """Create or change deadline rules for a region the actor's staff role covers."""
    creating = profile is None
    profile = profile or SLAProfile()
    if not creating:
        _require_manager_of(actor, profile.region)
    before = {} if creating else snapshot(profile, SLA_FIELDS)
    for name, value in values.items():
        setattr(profile, name, value)
    _require_manager_of(actor, profile.region)
    profile.full_clean()
    with transaction.atomic():
        profile.save()
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE if creating else AuditRecord.Action.UPDATE,
            obj=profile,
            changes=diff(before, snapshot(profile, SLA_FIELDS)),
        )
    return profile
