"""Staff actions on 督办: supervising a suggestion by hand and marking key supervision.

The sweeps (`supervision.sweeps`) escalate overdue suggestions on their own; these
are the people's side. Who may do what:

- supervise a suggestion by hand (`supervision_escalate`): region staff (city,
  county, township staff, sysadmin; not leaders) whose region covers the suggestion,
  at their own congress level. A level supervises a suggestion once.
- mark or unmark key supervision (`supervision_mark_key`): staff of the
  supervising level or above (covering the record's region). The suggestion's own
  township sees a county's record but cannot make it a key item.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record, diff, snapshot
from core import clock
from core.outbox import enqueue
from suggestions.models import Assignment, Suggestion, SuggestionEvent
from suggestions.permissions import is_region_staff
from suggestions.services import assigning_region

from . import permissions as can
from .models import Supervision, congress_name

NOTE_MAX_LENGTH = 1000


def _missed_deadline(suggestion: Suggestion):
    """(due date, unit) the letter names: the lead unit's signing while unsigned, else the reply."""
    lead = (
        suggestion.assignments.filter(
            role=Assignment.Role.LEAD, status__in=Assignment.ACTIVE_STATUSES
        )
        .order_by("-pk")
        .first()
    )
    if lead is not None and lead.status == Assignment.Status.PENDING and lead.acknowledge_due:
        return lead.acknowledge_due, lead.unit_id
    return suggestion.due_date, lead.unit_id if lead else None


def supervision_escalate(
    *, actor, suggestion: Suggestion, note: str, key: bool = False
) -> Supervision:
    """Supervise a suggestion at the actor's own congress level (人工督办), optionally as key.

    Region staff covering the suggestion; the suggestion must still be open. Raises
    ValidationError if that level already supervises it.
    """
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("请填写督办意见。")})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": _("督办意见不能超过%(n)s字。") % {"n": NOTE_MAX_LENGTH}})
    with transaction.atomic():
        # The same lock the workflow takes: a reply cannot slip in between.
        suggestion = (
            Suggestion.objects.select_for_update(of=("self",))
            .select_related("region")
            .get(pk=suggestion.pk)
        )
        if not is_region_staff(actor, suggestion):
            raise PermissionDenied(_("您无权督办该事项。"))
        if not suggestion.is_open:
            raise ValidationError(
                _("该事项当前状态为“%(status)s”，不能督办。")
                % {"status": suggestion.get_status_display()}
            )
        region = assigning_region(actor, suggestion)
        if Supervision.objects.filter(suggestion=suggestion, region=region).exists():
            raise ValidationError(_("%(body)s已督办该事项。") % {"body": congress_name(region)})
        due, unit_id = _missed_deadline(suggestion)
        now = clock.now()
        supervision = Supervision.objects.create(
            suggestion=suggestion,
            suggestion_region_path=suggestion.region_path,
            region=region,
            reason=Supervision.Reason.BY_HAND,
            note=note,
            due_date=due,
            unit_id=unit_id,
            created_by=actor,
            created_at=now,
            key=key,
            key_marked_by=actor if key else None,
            key_marked_at=now if key else None,
        )
        SuggestionEvent.objects.create(
            suggestion=suggestion,
            kind=SuggestionEvent.Kind.SUPERVISED,
            actor=actor,
            actor_label=actor.get_full_name(),
            staff_text=_("%(body)s督办%(key)s：%(note)s")
            % {
                "body": congress_name(region),
                "key": _("（重点督办）") if key else "",
                "note": note,
            },
            data={"supervision": supervision.pk, "region": region.pk, "by_hand": True},
        )
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE,
            obj=supervision,
            changes=diff({}, snapshot(supervision, ["suggestion", "region", "reason", "key"])),
            note=_("人工督办"),
        )
        enqueue("supervision.notices.notify_supervisions", supervision_ids=[supervision.pk])
    return supervision


def supervision_mark_key(*, actor, supervision: Supervision, key: bool) -> Supervision:
    """Mark (or unmark) a supervised suggestion for key supervision (重点督办).

    Staff of the supervising level or above; leaders read only.
    """
    with transaction.atomic():
        supervision = Supervision.objects.select_for_update().get(pk=supervision.pk)
        if not can.can_mark_key_supervision(actor, supervision):
            raise PermissionDenied(_("只有督办机关可以设置重点督办。"))
        if supervision.key == key:
            return supervision
        before = snapshot(supervision, ["key"])
        supervision.key = key
        supervision.key_marked_by = actor
        supervision.key_marked_at = clock.now()
        supervision.save(update_fields=["key", "key_marked_by", "key_marked_at"])
        if supervision.suggestion_id:
            SuggestionEvent.objects.create(
                suggestion_id=supervision.suggestion_id,
                kind=SuggestionEvent.Kind.SUPERVISED,
                actor=actor,
                actor_label=actor.get_full_name(),
                staff_text=_("列为重点督办。") if key else _("取消重点督办。"),
                data={"supervision": supervision.pk, "key": key},
            )
        audit_record(
            actor=actor,
            action=AuditRecord.Action.UPDATE,
            obj=supervision,
            changes=diff(before, snapshot(supervision, ["key"])),
            note=_("重点督办") if key else _("取消重点督办"),
        )
    return supervision
