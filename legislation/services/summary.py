"""The point works its comments into a summary and sends it up (汇总上报); later it marks
what was adopted and tells the authors (采纳反馈).

Each function locks the participation row, checks the workflow table
(`legislation.workflow.PARTICIPATION`) and writes an audit record.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record
from core import clock
from core.outbox import enqueue
from supervision import tracking

from ..models import Article, ArticleOpinion, Comment, Participation, Sending
from ..workflow import PARTICIPATION, SUMMARY_DEADLINE

D = Comment.Decision
REASON_MAX = 200


def _locked(participation: Participation) -> Participation:
    return (
        Participation.objects.select_for_update(of=("self",))
        .select_related("consultation", "station")
        .get(pk=participation.pk)
    )


def comment_decide(
    *, actor, comment: Comment, decision: str, merged_into: Comment | None = None, reason: str = ""
) -> Comment:
    """Keep a comment, merge it into a kept comment on the same article, or drop it with
    a reason. A comment others were merged into stays kept until they are moved."""
    if decision not in (D.KEEP, D.MERGE, D.DROP, D.PENDING):
        raise ValidationError({"decision": _("请选择保留、合并或舍弃。")})
    reason = (reason or "").strip()
    with transaction.atomic():
        participation = _locked(comment.participation)
        PARTICIPATION.check("decide", actor, participation)
        comment = Comment.objects.select_for_update().get(pk=comment.pk)
        before = {
            "decision": comment.decision,
            "merged_into": comment.merged_into_id,
            "drop_reason": comment.drop_reason,
        }
        if decision != D.KEEP and comment.merged.exists():
            raise ValidationError(
                {
                    "decision": _("已有%(n)s条意见并入本条，请先改变它们的处理。")
                    % {"n": comment.merged.count()}
                }
            )
        if decision == D.MERGE and (
            merged_into is None
            or merged_into.pk == comment.pk
            or merged_into.participation_id != comment.participation_id
            or merged_into.article_id != comment.article_id
            or merged_into.decision != D.KEEP
        ):
            raise ValidationError(
                {"merged_into": _("请选择同一条款下已保留的另一条意见作为合并对象。")}
            )
        if decision == D.DROP and not reason:
            raise ValidationError({"reason": _("舍弃意见须写明理由。")})
        if len(reason) > REASON_MAX:
            raise ValidationError({"reason": _("理由不能超过%(n)s字。") % {"n": REASON_MAX}})
        comment.decision = decision
        comment.merged_into = merged_into if decision == D.MERGE else None
        comment.drop_reason = reason if decision == D.DROP else ""
        comment.decided_at = clock.now() if decision != D.PENDING else None
        comment.save(update_fields=["decision", "merged_into", "drop_reason", "decided_at"])
        after = {
            "decision": comment.decision,
            "merged_into": comment.merged_into_id,
            "drop_reason": comment.drop_reason,
        }
        audit_record(
            actor=actor,
            action=AuditRecord.Action.STATE,
            obj=comment,
            changes={k: [before[k], v] for k, v in after.items() if before[k] != v},
        )
    return comment


def opinion_save(*, actor, participation: Participation, article: Article | None, text: str):
    """The point's opinion on one article (None: on the whole draft); empty text removes it."""
    text = (text or "").strip()
    if len(text) > 2000:
        raise ValidationError({"text": _("联系点意见不能超过2000字。")})
    with transaction.atomic():
        participation = _locked(participation)
        PARTICIPATION.check("opinion", actor, participation)
        if article is not None and article.consultation_id != participation.consultation_id:
            raise ValidationError({"article": _("所选条款不属于本次征求意见的文本。")})
        current = ArticleOpinion.objects.filter(
            participation=participation, article=article
        ).first()
        before = current.text if current else ""
        if not text:
            if current is not None:
                current.delete()
        elif current is None:
            current = ArticleOpinion.objects.create(
                participation=participation, article=article, text=text, updated_by=actor
            )
        else:
            current.text, current.updated_by = text, actor
            current.save(update_fields=["text", "updated_by", "updated_at"])
        if before != text:
            audit_record(
                actor=actor,
                action=AuditRecord.Action.UPDATE,
                obj=participation,
                changes={"opinion": [before, text]},
                note=article.label if article else _("总体意见"),
            )
    return current if text else None


def participation_send(
    *,
    actor,
    participation: Participation,
    sent_on: datetime.date,
    sent_to: str,
    method: str,
    note: str = "",
) -> Sending:
    """Record that the summary went up: when, to whom, how. Meets the summary's deadline."""
    from notifications.services import notify

    sent_to = (sent_to or "").strip()
    if not sent_to:
        raise ValidationError({"sent_to": _("请填写报送单位。")})
    if method not in Sending.Method.values:
        raise ValidationError({"method": _("请选择报送方式。")})
    with transaction.atomic():
        participation = _locked(participation)
        PARTICIPATION.check("send", actor, participation)
        consultation = participation.consultation
        if sent_on > clock.today():
            raise ValidationError({"sent_on": _("报送日期不能晚于今天。")})
        if sent_on < consultation.opens_on:
            raise ValidationError({"sent_on": _("报送日期不能早于征求意见开始日期。")})
        comments = participation.comments
        sending = Sending.objects.create(
            participation=participation,
            sent_on=sent_on,
            sent_to=sent_to[:100],
            method=method,
            note=(note or "").strip()[:300],
            comments_count=comments.count(),
            kept_count=comments.filter(decision=D.KEEP).count(),
            created_by=actor,
        )
        PARTICIPATION.move("send", participation)
        fields = ["status"]
        if participation.first_sent_at is None:
            participation.first_sent_at = clock.now()
            fields.append("first_sent_at")
        participation.save(update_fields=fields)
        tracking.settle(subject=participation, kind=SUMMARY_DEADLINE)
        audit_record(
            actor=actor,
            action=AuditRecord.Action.STATE,
            obj=participation,
            changes={"status": [Participation.Status.COLLECTING, Participation.Status.SENT]},
            note=_("报送%(to)s（%(n)s条意见）") % {"to": sent_to, "n": sending.comments_count},
        )
        if consultation.created_by_id:
            notify(
                recipients=[consultation.created_by],
                kind="legislation_sent",
                title=_("%(point)s已报送《%(title)s》意见汇总")
                % {"point": participation.station.name, "title": consultation.title},
                link=reverse("legislation:detail", args=[consultation.pk]),
            )
    return sending


def participation_reopen(*, actor, participation: Participation, reason: str) -> Participation:
    """Take a sent summary back to correct it and send it again (补报)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请说明退回修改的原因。")})
    with transaction.atomic():
        participation = _locked(participation)
        PARTICIPATION.check("reopen", actor, participation)
        PARTICIPATION.move("reopen", participation)
        participation.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action=AuditRecord.Action.STATE,
            obj=participation,
            changes={"status": [Participation.Status.SENT, Participation.Status.COLLECTING]},
            note=reason[:300],
        )
    return participation


def comments_mark_adopted(*, actor, participation: Participation, adopted_ids) -> int:
    """Mark which kept comments the upper body adopted (the others: not adopted).

    Comments merged into an adopted comment are adopted with it: their authors made
    the same point. Returns how many comments are adopted now.
    """
    adopted_ids = {int(pk) for pk in adopted_ids}
    with transaction.atomic():
        participation = _locked(participation)
        PARTICIPATION.check("adopt", actor, participation)
        kept = set(participation.comments.filter(decision=D.KEEP).values_list("pk", flat=True))
        stray = adopted_ids - kept
        if stray:
            raise ValidationError({"adopted": _("只能标记本联系点报送的（保留的）意见。")})
        rows = participation.comments.all()
        before = set(rows.filter(adopted=True).values_list("pk", flat=True))
        now_adopted = rows.filter(pk__in=adopted_ids) | rows.filter(merged_into_id__in=adopted_ids)
        now_ids = set(now_adopted.values_list("pk", flat=True))
        rows.exclude(pk__in=now_ids).filter(adopted=True).update(adopted=False)
        rows.filter(pk__in=now_ids, adopted=False).update(adopted=True)
        if before != now_ids:
            audit_record(
                actor=actor,
                action=AuditRecord.Action.UPDATE,
                obj=participation,
                changes={"adopted": [sorted(before), sorted(now_ids)]},
            )
    return len(now_ids)


def participation_feedback(*, actor, participation: Participation) -> Participation:
    """The adoption report is in: the public page shows it, and every author of an
    adopted comment who left a phone number is texted (through the outbox, once)."""
    with transaction.atomic():
        participation = _locked(participation)
        PARTICIPATION.check("feedback", actor, participation)
        PARTICIPATION.move("feedback", participation)
        participation.feedback_at = clock.now()
        participation.save(update_fields=["status", "feedback_at"])
        adopted = participation.comments.filter(adopted=True).count()
        audit_record(
            actor=actor,
            action=AuditRecord.Action.STATE,
            obj=participation,
            changes={"status": [Participation.Status.SENT, Participation.Status.FEEDBACK]},
            note=_("采纳%(n)s条") % {"n": adopted},
        )
        enqueue("legislation.tasks.text_adopted_authors", participation_id=participation.pk)
    return participation
