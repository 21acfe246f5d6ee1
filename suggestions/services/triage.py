"""Triage: accept (受理), refuse with a reason (不予受理), merge a duplicate (合并)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import snapshot
from core import clock

from .. import permissions as can
from ..models import RejectReason, Suggestion
from ..workflow import SUGGESTION
from .common import TRACKED_FIELDS, Kind, Status, event, lock, locked_for, save


def suggestion_accept(*, actor, suggestion: Suggestion, note: str = "") -> Suggestion:
    """Accept a submitted suggestion (受理). Region staff or the station's officer."""
    with transaction.atomic():
        suggestion = locked_for("accept", actor, suggestion)
        before = snapshot(suggestion, TRACKED_FIELDS)
        SUGGESTION.move("accept", suggestion)
        event(suggestion, Kind.ACCEPTED, actor, public=_("您反映的问题已受理。"), staff=note)
        save(suggestion, before, actor, _("受理"), ["status"])
    return suggestion


def suggestion_reject(*, actor, suggestion: Suggestion, reason: str, note: str = "") -> Suggestion:
    """Refuse an out-of-scope suggestion with a reason (不予受理). Staff or station officer."""
    if reason not in RejectReason.values:
        raise ValidationError({"reason": _("请选择不予受理的理由。")})
    if not note.strip():
        raise ValidationError({"note": _("请写明不予受理的说明，群众会看到这段话。")})
    with transaction.atomic():
        suggestion = locked_for("reject", actor, suggestion)
        before = snapshot(suggestion, TRACKED_FIELDS)
        SUGGESTION.move("reject", suggestion)
        suggestion.reject_reason = reason
        suggestion.reject_note = note.strip()
        suggestion.closed_at = clock.now()
        event(
            suggestion,
            Kind.REJECTED,
            actor,
            public=_("经审核，您反映的问题不属于受理范围（%(reason)s）：%(note)s")
            % {"reason": RejectReason(reason).label, "note": note.strip()},
            data={"reason": reason},
        )
        save(
            suggestion,
            before,
            actor,
            _("不予受理"),
            ["status", "reject_reason", "reject_note", "closed_at"],
        )
    return suggestion


def suggestion_merge(*, actor, duplicate: Suggestion, survivor: Suggestion) -> Suggestion:
    """Fold a duplicate into another suggestion; the duplicate closes and points at the survivor.

    Region staff covering both. The duplicate must not be handled yet (submitted or
    accepted); the survivor must be a live suggestion (not rejected or merged itself).
    """
    if duplicate.pk == survivor.pk:
        raise ValidationError(_("不能与自身合并。"))
    with transaction.atomic():
        # Lock in id order so two merges of the same pair cannot deadlock.
        first, second = sorted([duplicate, survivor], key=lambda s: s.pk)
        locked = {s.pk: lock(s) for s in (first, second)}
        duplicate, survivor = locked[duplicate.pk], locked[survivor.pk]
        if not can.can_merge_suggestion(actor, survivor):
            raise PermissionDenied(_("您无权进行此操作。"))
        SUGGESTION.check("merge", actor, duplicate)
        if survivor.status in (Status.REJECTED, Status.MERGED):
            raise ValidationError(
                _("目标事项状态为“%(status)s”，不能合并到该事项。")
                % {"status": survivor.get_status_display()}
            )
        before = snapshot(duplicate, TRACKED_FIELDS)
        SUGGESTION.move("merge", duplicate)
        duplicate.merged_into = survivor
        duplicate.closed_at = clock.now()
        event(
            duplicate,
            Kind.MERGED,
            actor,
            public=_("您反映的问题与其他群众反映的同一问题（查询码%(code)s）合并办理。")
            % {"code": survivor.display_code},
            data={"survivor": survivor.pk},
        )
        event(
            survivor,
            Kind.MERGED,
            actor,
            staff=_("合并了重复事项 %(code)s。") % {"code": duplicate.display_code},
            data={"duplicate": duplicate.pk},
        )
        save(duplicate, before, actor, _("合并"), ["status", "merged_into", "closed_at"])
    return duplicate
