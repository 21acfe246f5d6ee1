"""The reply (答复) and the follow-up (回访): rated, it closes or, once, reopens."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import snapshot
from core import clock
from core.outbox import enqueue

from .. import deadlines
from ..models import Assignment, ExtensionRequest, ReplyAttachment, Satisfaction, Suggestion
from ..permissions import lead_assignment
from ..workflow import SUGGESTION
from .common import (
    DUE_FIELDS,
    TRACKED_FIELDS,
    Kind,
    Status,
    chinese_date,
    event,
    locked_for,
    save,
    set_reply_deadline,
    signed_in,
)
from .units import acting_for


def suggestion_reply(
    *,
    actor,
    suggestion: Suggestion,
    text: str,
    attachments: Sequence[File] = (),
) -> Suggestion:
    """Give the answer (答复). The lead unit's clerk, or staff/station for a local suggestion."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("请填写答复内容。")})
    with transaction.atomic():
        suggestion = locked_for("reply", actor, suggestion)
        lead = lead_assignment(suggestion)
        proxy = acting_for(actor, lead.unit, suggestion, _("答复")) if lead else None
        before = snapshot(suggestion, TRACKED_FIELDS)
        now = clock.now()
        late = suggestion.due_date is not None and clock.today() > suggestion.due_date
        SUGGESTION.move("reply", suggestion)
        suggestion.reply_text = text
        suggestion.replied_at = now
        for upload in attachments:
            ReplyAttachment.objects.create(
                suggestion=suggestion,
                file=upload,
                name=getattr(upload, "name", "")[-200:] or _("附件"),
                uploaded_by=actor,
            )
        suggestion.assignments.filter(status__in=Assignment.ACTIVE_STATUSES).update(
            status=Assignment.Status.DONE
        )
        # A reply settles any extension still waiting: the deadline no longer runs.
        suggestion.extensions.filter(status=ExtensionRequest.Status.PENDING).update(
            status=ExtensionRequest.Status.REFUSED,
            decided_at=now,
            decision_note=_("已答复，延期申请自动关闭。"),
        )
        event(
            suggestion,
            Kind.REPLIED,
            actor,
            public=_("已答复，请查看答复内容并评价。") + (proxy["note"] if proxy else ""),
            staff=text + (proxy["note"] if proxy else ""),
            data={
                "late": late,
                "attachments": len(attachments),
                **(proxy["data"] if proxy else {}),
            },
        )
        save(suggestion, before, actor, _("答复"), ["status", "reply_text", "replied_at"])
        enqueue("suggestions.tasks.notify_replied", suggestion_id=suggestion.pk)
        if proxy is not None:
            enqueue(
                "suggestions.tasks.notify_acted_for_unit", assignment_id=lead.pk, action="reply"
            )
    return suggestion


def suggestion_follow_up(
    *, actor, suggestion: Suggestion, satisfaction: str, note: str = ""
) -> Suggestion:
    """Record the citizen's satisfaction with the reply (回访) and close, or reopen once.

    Region staff, the station's officer or the deputy after a call; or the citizen
    (actor None) on the tracking page. 不满意 the first time reopens the suggestion for
    re-handling with a new deadline (1 month by default); the second time closes it.
    """
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("请选择满意度。")})
    citizen = not signed_in(actor)
    with transaction.atomic():
        suggestion = locked_for("follow_up", actor, suggestion)
        before = snapshot(suggestion, TRACKED_FIELDS)
        now = clock.now()
        suggestion.satisfaction = satisfaction
        suggestion.followed_up_at = now
        label = Satisfaction(satisfaction).label
        event(
            suggestion,
            Kind.FOLLOWED_UP,
            actor,
            public=_("回访评价：%(label)s。") % {"label": label},
            staff=note,
            data={
                "satisfaction": satisfaction,
                "by_citizen": citizen,
                "round": suggestion.reopened_count + 1,
            },
        )
        fields = ["satisfaction", "followed_up_at"]
        if satisfaction == Satisfaction.UNSATISFIED and suggestion.reopened_count == 0:
            terms = deadlines.terms_for(suggestion.region, suggestion.category)
            SUGGESTION.move("follow_up", suggestion, Status.HANDLING)
            suggestion.reopened_count = 1
            if suggestion.handling == Suggestion.Handling.ON_SPOT:
                # Nobody "on the spot" any more: the station or township takes it over.
                suggestion.handling = Suggestion.Handling.LOCAL
            lead = (
                suggestion.assignments.filter(
                    role=Assignment.Role.LEAD, status=Assignment.Status.DONE
                )
                .order_by("-pk")
                .first()
            )
            if lead is not None:
                lead.status = Assignment.Status.ACKNOWLEDGED
                lead.save(update_fields=["status"])
            set_reply_deadline(suggestion, spec=f"m:{terms.rehandle_months}", start=clock.today())
            event(
                suggestion,
                Kind.REOPENED,
                actor,
                public=_("您对答复不满意，已重新办理，答复期限%(due)s。")
                % {"due": chinese_date(suggestion.due_date)},
                data={"due": suggestion.due_date.isoformat()},
            )
            fields += ["status", "reopened_count", "handling", *DUE_FIELDS]
            note_text = _("不满意，再办理")
            enqueue("suggestions.tasks.notify_reopened", suggestion_id=suggestion.pk)
        else:
            SUGGESTION.move("follow_up", suggestion, Status.CLOSED)
            suggestion.closed_at = now
            event(suggestion, Kind.CLOSED, actor, public=_("已办结。感谢您的监督。"))
            fields += ["status", "closed_at"]
            note_text = _("回访办结")
        save(suggestion, before, actor, note_text, fields)
    return suggestion
