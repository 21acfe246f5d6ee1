"""The handling unit's side: sign for an assignment (签收) or send it back (退回).

Region staff may act in a unit's place (the unit has no account, or asked by
phone): the record then says who acted for whom, the timeline reads "（由天宁镇人大
代签收）" and the unit's clerks are told.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record, snapshot
from core import clock
from core.outbox import enqueue

from .. import permissions as can
from ..models import Assignment, Suggestion
from ..workflow import ASSIGNMENT
from .common import (
    DUE_FIELDS,
    TRACKED_FIELDS,
    Kind,
    Status,
    assigning_region,
    clear_deadline,
    event,
    lock,
    save,
)


def _lock_assignment(assignment: Assignment) -> tuple[Suggestion, Assignment]:
    suggestion = lock(assignment.suggestion)
    assignment = Assignment.objects.select_related("unit").get(pk=assignment.pk)
    return suggestion, assignment


def acting_for(actor, unit, suggestion: Suggestion, verb: str) -> dict | None:
    """When staff act in a unit's place: the note for the timeline and the event's data."""
    if not can.acts_for_unit(actor, unit.pk, suggestion):
        return None
    body = assigning_region(actor, suggestion)
    return {
        "note": _("（由%(body)s人大代%(verb)s）") % {"body": body.name, "verb": verb},
        "data": {"on_behalf_of": unit.pk, "acting_region": body.pk},
    }


def _tell_the_unit(proxy: dict | None, assignment: Assignment, action: str) -> None:
    if proxy is not None:
        enqueue(
            "suggestions.tasks.notify_acted_for_unit",
            assignment_id=assignment.pk,
            action=action,
        )


def assignment_acknowledge(*, actor, assignment: Assignment) -> Assignment:
    """The unit signs for the suggestion (签收). Its clerks, or region staff on its behalf.

    The lead unit's signature moves the suggestion to "handling".
    """
    with transaction.atomic():
        suggestion, assignment = _lock_assignment(assignment)
        ASSIGNMENT.check("acknowledge", actor, assignment, suggestion=suggestion)
        proxy = acting_for(actor, assignment.unit, suggestion, _("签收"))
        before = snapshot(suggestion, TRACKED_FIELDS)
        ASSIGNMENT.move("acknowledge", assignment)
        assignment.acknowledged_at = clock.now()
        assignment.save(update_fields=["status", "acknowledged_at"])
        late = assignment.acknowledge_due is not None and clock.today() > assignment.acknowledge_due
        note = proxy["note"] if proxy else ""
        event(
            suggestion,
            Kind.ACKNOWLEDGED,
            actor,
            public=_("%(unit)s已签收，正在办理。") % {"unit": assignment.unit.name} + note
            if assignment.role == Assignment.Role.LEAD
            else "",
            staff=_("%(unit)s（%(role)s）签收%(late)s。")
            % {
                "unit": assignment.unit.name,
                "role": assignment.get_role_display(),
                "late": _("，已超过签收期限") if late else "",
            }
            + note,
            data={"assignment": assignment.pk, "late": late, **(proxy["data"] if proxy else {})},
        )
        if late:
            enqueue("suggestions.tasks.notify_late_acknowledged", assignment_id=assignment.pk)
        _tell_the_unit(proxy, assignment, "acknowledge")
        if assignment.role == Assignment.Role.LEAD and suggestion.status == Status.ASSIGNED:
            suggestion.status = Status.HANDLING
            save(suggestion, before, actor, _("签收") + note, ["status"])
        else:
            audit_record(
                actor=actor,
                action=AuditRecord.Action.STATE,
                obj=suggestion,
                changes={"assignment": [assignment.unit.name, "acknowledged"]},
                note=_("协办签收") + note,
            )
    return assignment


def assignment_return(*, actor, assignment: Assignment, reason: str) -> Assignment:
    """Send a misrouted suggestion back (退回) with a reason, within the return limit.

    The lead unit's return sends the whole suggestion back to the assigner (status
    "accepted", co-handlers withdrawn); a co-handler's return drops that unit only.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("请写明退回理由。")})
    with transaction.atomic():
        suggestion, assignment = _lock_assignment(assignment)
        ASSIGNMENT.check("return", actor, assignment, suggestion=suggestion)
        proxy = acting_for(actor, assignment.unit, suggestion, _("退回"))
        before = snapshot(suggestion, TRACKED_FIELDS)
        ASSIGNMENT.move("return", assignment)
        assignment.returned_at = clock.now()
        assignment.return_reason = reason
        assignment.save(update_fields=["status", "returned_at", "return_reason"])
        fields = []
        if assignment.role == Assignment.Role.LEAD:
            suggestion.assignments.filter(status__in=Assignment.ACTIVE_STATUSES).update(
                status=Assignment.Status.WITHDRAWN
            )
            suggestion.status = Status.ACCEPTED
            suggestion.handling = ""
            clear_deadline(suggestion)
            fields = ["status", "handling", *DUE_FIELDS]
            public = _("承办单位正在调整，我们将重新确定承办单位。")
        else:
            public = ""
        event(
            suggestion,
            Kind.RETURNED,
            actor,
            public=public,
            staff=_("%(unit)s（%(role)s）退回：%(reason)s")
            % {
                "unit": assignment.unit.name,
                "role": assignment.get_role_display(),
                "reason": reason,
            }
            + (proxy["note"] if proxy else ""),
            data={"assignment": assignment.pk, **(proxy["data"] if proxy else {})},
        )
        save(suggestion, before, actor, _("退回"), fields)
        enqueue("suggestions.tasks.notify_returned", assignment_id=assignment.pk)
        _tell_the_unit(proxy, assignment, "return")
    return assignment
