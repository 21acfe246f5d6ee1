"""Graded handling (分级处理): answered on the spot, handled locally, or assigned to units;
and extensions of the reply deadline (申请延期, 审批)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record, snapshot
from core import clock
from core.outbox import enqueue

from .. import deadlines
from ..models import Assignment, ExtensionRequest, HandlingUnit, Suggestion
from ..permissions import lead_assignment
from ..selectors import assignable_units
from ..workflow import EXTENSION, SUGGESTION
from .common import (
    DUE_FIELDS,
    TRACKED_FIELDS,
    Kind,
    accept_implicitly,
    assigning_region,
    chinese_date,
    congress_region_of,
    event,
    lock,
    locked_for,
    save,
    set_reply_deadline,
)


def suggestion_answer_on_spot(*, actor, suggestion: Suggestion, text: str) -> Suggestion:
    """The deputy answers or solves the suggestion on the spot (代表当场答复).

    The deputy whose code it came through, the station's officer or region staff
    (recording a deputy's answer from a reception).
    """
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("请填写答复内容。")})
    with transaction.atomic():
        suggestion = locked_for("answer", actor, suggestion)
        accept_implicitly(suggestion, actor)
        before = snapshot(suggestion, TRACKED_FIELDS)
        SUGGESTION.move("answer", suggestion)
        suggestion.handling = Suggestion.Handling.ON_SPOT
        suggestion.reply_text = text
        suggestion.replied_at = clock.now()
        event(
            suggestion,
            Kind.ANSWERED_ON_SPOT,
            actor,
            public=_("人大代表已当场答复，请查看答复内容并评价。"),
            staff=text,
        )
        save(
            suggestion,
            before,
            actor,
            _("当场答复"),
            ["status", "handling", "reply_text", "replied_at"],
        )
        enqueue("suggestions.tasks.notify_replied", suggestion_id=suggestion.pk)
    return suggestion


def suggestion_handle_locally(*, actor, suggestion: Suggestion, note: str = "") -> Suggestion:
    """The station or township handles the suggestion itself, with a reply deadline."""
    with transaction.atomic():
        suggestion = locked_for("handle", actor, suggestion)
        accept_implicitly(suggestion, actor)
        before = snapshot(suggestion, TRACKED_FIELDS)
        terms = deadlines.terms_for(suggestion.region, suggestion.category)
        SUGGESTION.move("handle", suggestion)
        suggestion.handling = Suggestion.Handling.LOCAL
        # The station's (or suggestion's) township handles it: 督办 starts above it.
        suggestion.assigner_region = congress_region_of(
            suggestion.station.region if suggestion.station else suggestion.region
        )
        set_reply_deadline(suggestion, spec=f"wd:{terms.reply_days}", start=clock.today())
        who = suggestion.station.name if suggestion.station else suggestion.region.name
        event(
            suggestion,
            Kind.HANDLED_LOCALLY,
            actor,
            public=_("您反映的问题由%(who)s办理，将在%(due)s前答复。")
            % {"who": who, "due": chinese_date(suggestion.due_date)},
            staff=note,
            data={"due": suggestion.due_date.isoformat()},
        )
        save(
            suggestion,
            before,
            actor,
            _("自行办理"),
            ["status", "handling", "assigner_region", *DUE_FIELDS],
        )
    return suggestion


def suggestion_assign(
    *,
    actor,
    suggestion: Suggestion,
    lead_unit: HandlingUnit,
    co_units: Sequence[HandlingUnit] = (),
    note: str = "",
) -> Suggestion:
    """Assign (交办) the suggestion to a lead unit and optional co-handling units. Region staff.

    Deadlines (SLA of the suggestion's region and category): sign within N working
    days, send back a misrouted suggestion within N working days, reply within N
    working days, all counted from the day after today.
    """
    co_units = [unit for unit in co_units if unit.pk != lead_unit.pk]
    if len({u.pk for u in co_units}) != len(co_units):
        raise ValidationError(_("协办单位重复。"))
    with transaction.atomic():
        suggestion = locked_for("assign", actor, suggestion)
        allowed = set(
            assignable_units(actor, suggestion)
            .filter(pk__in=[lead_unit.pk, *[u.pk for u in co_units]])
            .values_list("pk", flat=True)
        )
        if lead_unit.pk not in allowed or any(u.pk not in allowed for u in co_units):
            raise ValidationError(_("只能交办给本辖区内启用的承办单位。"))
        accept_implicitly(suggestion, actor)
        before = snapshot(suggestion, TRACKED_FIELDS)
        today = clock.today()
        terms = deadlines.terms_for(suggestion.region, suggestion.category)
        acknowledge = deadlines.compute(
            what=_("签收"),
            spec=f"wd:{terms.acknowledge_days}",
            start=today,
            region=suggestion.region,
            source=terms.source,
        )
        send_back = deadlines.compute(
            what=_("退回"),
            spec=f"wd:{terms.return_days}",
            start=today,
            region=suggestion.region,
            source=terms.source,
        )
        for unit, role in [(lead_unit, Assignment.Role.LEAD)] + [
            (unit, Assignment.Role.CO) for unit in co_units
        ]:
            Assignment.objects.create(
                suggestion=suggestion,
                unit=unit,
                role=role,
                note=note,
                assigned_by=actor,
                due_start=today,
                acknowledge_due=acknowledge.date,
                acknowledge_spec=acknowledge.spec,
                acknowledge_rule=acknowledge.rule,
                acknowledge_provisional=acknowledge.provisional,
                return_due=send_back.date,
                return_spec=send_back.spec,
                return_rule=send_back.rule,
                return_provisional=send_back.provisional,
            )
        SUGGESTION.move("assign", suggestion)
        suggestion.handling = Suggestion.Handling.ASSIGNED
        suggestion.assigner_region = assigning_region(actor, suggestion)
        set_reply_deadline(suggestion, spec=f"wd:{terms.reply_days}", start=today)
        co_names = "、".join(unit.name for unit in co_units)
        event(
            suggestion,
            Kind.ASSIGNED,
            actor,
            public=_("您反映的问题已交由%(unit)s办理，答复期限%(due)s。")
            % {"unit": lead_unit.name, "due": chinese_date(suggestion.due_date)},
            staff=_("主办：%(lead)s%(co)s。签收期限%(ack)s，答复期限%(due)s。%(note)s")
            % {
                "lead": lead_unit.name,
                "co": _("；协办：%(co)s") % {"co": co_names} if co_names else "",
                "ack": chinese_date(acknowledge.date),
                "due": chinese_date(suggestion.due_date),
                "note": note,
            },
            data={
                "lead": lead_unit.pk,
                "co": [u.pk for u in co_units],
                "due": suggestion.due_date.isoformat(),
            },
        )
        save(
            suggestion,
            before,
            actor,
            _("交办"),
            ["status", "handling", "assigner_region", *DUE_FIELDS],
        )
        enqueue(
            "suggestions.tasks.notify_assignment",
            suggestion_id=suggestion.pk,
            unit_ids=[lead_unit.pk, *[u.pk for u in co_units]],
        )
    return suggestion


def suggestions_assign_bulk(
    *, actor, suggestions: Sequence[Suggestion], lead_unit: HandlingUnit, note: str = ""
) -> tuple[list[Suggestion], list[tuple[Suggestion, str]]]:
    """Assign several suggestions to one unit; each in its own transaction.

    Returns (assigned, [(suggestion, why it was not)]): one suggestion in the wrong
    state does not stop the others.
    """
    done, failed = [], []
    for suggestion in suggestions:
        try:
            done.append(
                suggestion_assign(
                    actor=actor, suggestion=suggestion, lead_unit=lead_unit, note=note
                )
            )
        except ValidationError as error:
            failed.append((suggestion, " ".join(error.messages)))
        except PermissionDenied:
            failed.append((suggestion, _("您无权交办该事项。")))
    return done, failed


MAX_EXTENSION_DAYS = 30


def extension_request(*, actor, suggestion: Suggestion, days: int, reason: str) -> ExtensionRequest:
    """Ask for more time, before the reply deadline passes (申请延期). The handler."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("请写明延期理由。")})
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationError(
            {"days": _("延长期限应为1至%(n)s个工作日。") % {"n": MAX_EXTENSION_DAYS}}
        )
    with transaction.atomic():
        suggestion = locked_for("extend", actor, suggestion)
        lead = lead_assignment(suggestion)
        extension = ExtensionRequest.objects.create(
            suggestion=suggestion, assignment=lead, days=days, reason=reason, requested_by=actor
        )
        event(
            suggestion,
            Kind.EXTENSION_REQUESTED,
            actor,
            staff=_("申请延长%(days)s个工作日：%(reason)s") % {"days": days, "reason": reason},
            data={"extension": extension.pk, "days": days},
        )
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE,
            obj=suggestion,
            changes={"extension_days": [None, days]},
            note=_("申请延期"),
        )
    return extension


def extension_decide(
    *, actor, extension: ExtensionRequest, approve: bool, note: str = ""
) -> ExtensionRequest:
    """Approve or refuse an extension. Region staff (the assigner's side), not the handler."""
    with transaction.atomic():
        suggestion = lock(extension.suggestion)
        extension = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
        decision = "approve" if approve else "refuse"
        EXTENSION.check(decision, actor, extension, suggestion=suggestion)
        before = snapshot(suggestion, TRACKED_FIELDS)
        EXTENSION.move(decision, extension)
        extension.decided_by = actor
        extension.decided_at = clock.now()
        extension.decision_note = note
        extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if approve:
            old = suggestion.due_date
            spec = deadlines.extend_spec(suggestion.due_spec, extension.days)
            set_reply_deadline(suggestion, spec=spec, start=suggestion.due_start or clock.today())
            event(
                suggestion,
                Kind.EXTENSION_APPROVED,
                actor,
                public=_("办理期限延长至%(due)s。") % {"due": chinese_date(suggestion.due_date)},
                staff=note,
                data={"extension": extension.pk, "old": old.isoformat() if old else None},
            )
            save(suggestion, before, actor, _("批准延期"), DUE_FIELDS)
        else:
            event(
                suggestion,
                Kind.EXTENSION_REFUSED,
                actor,
                staff=note,
                data={"extension": extension.pk},
            )
            audit_record(
                actor=actor,
                action=AuditRecord.Action.STATE,
                obj=suggestion,
                changes={"extension": ["pending", "refused"]},
                note=_("不批准延期"),
            )
    return extension
