"""办 and 评: the units handle the proposal (return, co-handlers' view, plan, three contacts,
extension, the reply letter) and the author rates it; 不满意 reopens it once; B and C
promises are checked again (回头看)."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.selectors import clerks_of_units
from audit.models import AuditRecord
from calendars.deadlines import Deadline
from core import clock
from supervision import tracking

from .. import permissions as can
from ..models import (
    PROMISE_CLASSES,
    TEXT_MAX,
    Attachment,
    Contact,
    Cosignature,
    Extension,
    Proposal,
    ProposalAssignment,
    Rating,
    Reply,
    ReplyClass,
)
from ..workflow import (
    ASSIGN_DEADLINE,
    CO_VIEW_DEADLINE,
    PROMISE_DEADLINE,
    REPLY_DEADLINE,
    WORKFLOW,
)
from .common import (
    audit,
    clean_text,
    deadline,
    deputy_users,
    lock,
    locked_for,
    settings_of,
    tell,
    track,
)

A = ProposalAssignment
LETTER_MAX_BYTES = 10 * 1024 * 1024


def assignment_return(*, actor, assignment: ProposalAssignment, reason: str) -> ProposalAssignment:
    """A unit sends a misrouted assignment back within the window, with a reason. The lead's
    return takes the proposal back to the office for reassignment; a co-handler's leaves the
    rest running."""
    reason = clean_text(reason, field="reason", label=_("退回理由"), max_length=1000)
    with transaction.atomic():
        proposal = lock(assignment.proposal)
        assignment = A.objects.select_for_update().select_related("unit").get(pk=assignment.pk)
        WORKFLOW.check("return", actor, proposal, assignment=assignment)
        assignment.status, assignment.returned_at = A.Status.RETURNED, clock.now()
        assignment.return_reason = reason
        assignment.save(update_fields=["status", "returned_at", "return_reason"])
        if assignment.role == A.Role.LEAD:
            others = list(proposal.assignments.filter(status=A.Status.ACTIVE))
            for row in others:
                tracking.cancel(subject=row, kind=CO_VIEW_DEADLINE)
            proposal.assignments.filter(status=A.Status.ACTIVE).update(status=A.Status.WITHDRAWN)
            WORKFLOW.move("return", proposal, Proposal.Status.REGISTERED)
            proposal.due_date = None
            proposal.save(update_fields=["status", "due_date", "updated_at"])
            tracking.cancel(subject=proposal, kind=REPLY_DEADLINE)
            settings = settings_of(proposal)
            track(
                proposal,
                kind=ASSIGN_DEADLINE,
                label=_("重新交办代表建议"),
                due=deadline(
                    proposal,
                    what=_("重新交办"),
                    spec=f"wd:{settings.assign_days}",
                    start=clock.today(),
                ),
            )
            tell(
                can.office_staff(proposal.region),
                proposal=proposal,
                title=_("代表建议被退回，请重新交办：%(title)s") % {"title": proposal.title},
                body=f"{assignment.unit.name}：{reason}",
            )
        else:
            tracking.cancel(subject=assignment, kind=CO_VIEW_DEADLINE)
        audit(
            actor,
            proposal,
            obj=assignment,
            changes={"status": ["active", "returned"], "unit": assignment.unit_id},
            note=reason,
        )
    return assignment


def co_view_submit(*, actor, assignment: ProposalAssignment, text: str) -> ProposalAssignment:
    """A co-handling unit gives its view to the lead unit."""
    text = clean_text(text, field="text", label=_("协办意见"), max_length=TEXT_MAX)
    with transaction.atomic():
        proposal = lock(assignment.proposal)
        assignment = A.objects.select_for_update().get(pk=assignment.pk)
        WORKFLOW.check("co_view", actor, proposal, assignment=assignment)
        assignment.co_view, assignment.co_view_at = text, clock.now()
        assignment.save(update_fields=["co_view", "co_view_at"])
        tracking.settle(subject=assignment, kind=CO_VIEW_DEADLINE)
        lead = can.lead_of_round(proposal)
        tell(
            clerks_of_units([lead.unit_id]) if lead else [],
            proposal=proposal,
            title=_("协办单位已提交意见：%(title)s") % {"title": proposal.title},
        )
        audit(actor, proposal, AuditRecord.Action.UPDATE, obj=assignment, changes={"co_view": text})
    return assignment


def plan_save(
    *, actor, proposal: Proposal, scheme: str, measures: str, goal: str, due: datetime.date | None
) -> Proposal:
    """The lead unit's handling plan (四落实: 方案、措施、目标、时限)."""
    cleaned = {
        "plan_scheme": clean_text(scheme, field="scheme", label=_("办理方案"), max_length=TEXT_MAX),
        "plan_measures": clean_text(
            measures, field="measures", label=_("工作措施"), max_length=TEXT_MAX
        ),
        "plan_goal": clean_text(goal, field="goal", label=_("办理目标"), max_length=TEXT_MAX),
    }
    if due is None:
        raise ValidationError({"due": _("请填写完成时限。")})
    with transaction.atomic():
        proposal = locked_for("plan", actor, proposal)
        for key, value in cleaned.items():
            setattr(proposal, key, value)
        proposal.plan_due, proposal.plan_recorded_at = due, clock.now()
        proposal.save(update_fields=[*cleaned, "plan_due", "plan_recorded_at", "updated_at"])
        audit(actor, proposal, AuditRecord.Action.UPDATE, changes={**cleaned, "plan_due": str(due)})
    return proposal


def contact_record(
    *,
    actor,
    proposal: Proposal,
    stage: str,
    held_on: datetime.date | None,
    mode: str,
    participants: str,
    agreed: str,
) -> Contact:
    """One of the three contacts with the deputy (三见面), for the current handling round."""
    if stage not in Contact.Stage.values:
        raise ValidationError({"stage": _("请选择办前、办中或答复见面。")})
    if mode not in Contact.Mode.values:
        raise ValidationError({"mode": _("请选择见面方式。")})
    if held_on is None:
        raise ValidationError({"held_on": _("请填写见面日期。")})
    if held_on > clock.today():
        raise ValidationError({"held_on": _("见面日期不能晚于今天。")})
    participants = clean_text(
        participants, field="participants", label=_("参加人员"), max_length=300
    )
    agreed = clean_text(agreed, field="agreed", label=_("商定事项"), max_length=2000)
    with transaction.atomic():
        proposal = locked_for("contact", actor, proposal)
        if proposal.assigned_at and held_on < proposal.assigned_at.date():
            raise ValidationError({"held_on": _("见面日期不能早于交办日期。")})
        row = Contact.objects.create(
            proposal=proposal,
            round=proposal.rehandle_count + 1,
            stage=stage,
            held_on=held_on,
            mode=mode,
            participants=participants,
            agreed=agreed,
            recorded_by=actor,
        )
        audit(actor, proposal, AuditRecord.Action.CREATE, obj=row, changes={"stage": stage})
    return row


def extension_request(*, actor, proposal: Proposal, months: int, reason: str) -> Extension:
    """The lead unit asks once, before the deadline, for at most the region's maximum."""
    reason = clean_text(reason, field="reason", label=_("延期理由"), max_length=1000)
    with transaction.atomic():
        proposal = locked_for("extend", actor, proposal)
        limit = settings_of(proposal).max_extension_months
        if not isinstance(months, int) or not 1 <= months <= limit:
            raise ValidationError({"months": _("延期为1到%(n)s个月。") % {"n": limit}})
        row = Extension.objects.create(
            proposal=proposal, months=months, reason=reason, requested_by=actor
        )
        tell(
            can.office_staff(proposal.region),
            proposal=proposal,
            title=_("代表建议申请延期：%(title)s") % {"title": proposal.title},
            body=reason,
        )
        audit(actor, proposal, AuditRecord.Action.CREATE, obj=row, changes={"months": months})
    return row


def _check_letter(letter) -> None:
    if letter is None:
        raise ValidationError({"letter": _("请上传加盖公章的答复函（PDF）。")})
    if letter.size > LETTER_MAX_BYTES:
        raise ValidationError({"letter": _("答复函不能超过10MB。")})
    head = letter.read(5)
    letter.seek(0)
    if not letter.name.lower().endswith(".pdf") or head != b"%PDF-":
        raise ValidationError({"letter": _("答复函须为PDF文件。")})


def proposal_reply(
    *,
    actor,
    proposal: Proposal,
    klass: str,
    text: str,
    signed_by: str,
    letter,
    promise: str = "",
    promise_due: datetime.date | None = None,
) -> Reply:
    """The lead unit's reply letter, classed A-D, to the author and every co-signer. B and C
    keep their promise on record with the date the unit reports again (回头看)."""
    if klass not in ReplyClass.values:
        raise ValidationError({"klass": _("请选择答复类别（A、B、C、D）。")})
    text = clean_text(text, field="text", label=_("答复内容"), max_length=TEXT_MAX)
    signed_by = clean_text(signed_by, field="signed_by", label=_("签发人"), max_length=64)
    promise = (promise or "").strip()
    if klass in PROMISE_CLASSES:
        if not promise:
            raise ValidationError({"promise": _("B类、C类答复须写明承诺事项。")})
        if promise_due is None or promise_due <= clock.today():
            raise ValidationError({"promise_due": _("请填写今天以后的承诺办理期限。")})
    else:
        promise, promise_due = "", None
    _check_letter(letter)
    with transaction.atomic():
        proposal = locked_for("reply", actor, proposal)
        lead = can.lead_of_round(proposal)
        today = clock.today()
        row = Reply.objects.create(
            proposal=proposal,
            round=proposal.rehandle_count + 1,
            unit=lead.unit,
            klass=klass,
            text=text,
            signed_by=signed_by,
            on_time=proposal.due_date is None or today <= proposal.due_date,
            promise=promise,
            promise_due=promise_due,
            replied_by=actor,
        )
        Attachment.objects.create(
            proposal=proposal, reply=row, file=letter, name=letter.name[:200], uploaded_by=actor
        )
        proposal.assignments.filter(status=A.Status.ACTIVE).update(status=A.Status.DONE)
        before = proposal.status
        WORKFLOW.move("reply", proposal)
        proposal.save(update_fields=["status", "updated_at"])
        tracking.settle(subject=proposal, kind=REPLY_DEADLINE)
        if promise_due:
            track(
                proposal,
                subject=row,
                kind=PROMISE_DEADLINE,
                label=_("代表建议承诺事项回头看"),
                due=Deadline(
                    date=promise_due,
                    provisional=False,
                    rule=_("答复承诺：%(day)s前报告办理情况") % {"day": promise_due.isoformat()},
                    start=today,
                    spec="",
                ),
                unit=lead.unit,
            )
        confirmed = proposal.cosignatures.filter(
            status=Cosignature.Status.CONFIRMED
        ).select_related("deputy__user")
        tell(
            deputy_users([proposal.author, *(c.deputy for c in confirmed)]),
            proposal=proposal,
            title=_("代表建议已答复（%(klass)s类）：%(title)s")
            % {"klass": klass, "title": proposal.title},
            body=text[:200],
        )
        audit(
            actor,
            proposal,
            changes={"status": [before, proposal.status], "klass": klass, "round": row.round},
        )
    return row


def proposal_rate(
    *, actor, proposal: Proposal, attitude: str, result: str, comment: str = ""
) -> Reply:
    """The author rates attitude and result. 不满意 with the result reopens it once for a new
    reply within the re-handling period; the second rating closes it."""
    if attitude not in Rating.values:
        raise ValidationError({"attitude": _("请评价办理态度。")})
    if result not in Rating.values:
        raise ValidationError({"result": _("请评价办理结果。")})
    comment = (comment or "").strip()
    if result == Rating.UNSATISFIED and not comment:
        raise ValidationError({"comment": _("不满意请写明理由，便于再办理。")})
    if len(comment) > 1000:
        raise ValidationError({"comment": _("评价意见不能超过1000字。")})
    with transaction.atomic():
        proposal = locked_for("rate", actor, proposal)
        reply = Reply.objects.select_for_update().get(
            proposal=proposal, round=proposal.rehandle_count + 1
        )
        reply.attitude, reply.result, reply.rating_comment = attitude, result, comment
        reply.rated_at = clock.now()
        reply.save(update_fields=["attitude", "result", "rating_comment", "rated_at"])
        reopen = result == Rating.UNSATISFIED and proposal.rehandle_count == 0
        if reopen:
            settings = settings_of(proposal)
            due = deadline(
                proposal,
                what=_("再办理答复"),
                spec=f"m:{settings.rehandle_months}",
                start=clock.today(),
            )
            WORKFLOW.move("rate", proposal, Proposal.Status.REHANDLING)
            proposal.rehandle_count += 1
            proposal.due_date, proposal.due_rule = due.date, due.rule
            proposal.due_start, proposal.due_spec = due.start, due.spec
            proposal.due_provisional = due.provisional
            lead = can.lead_of_round(proposal)
            proposal.assignments.filter(pk=lead.pk).update(status=A.Status.ACTIVE)
            proposal.save()
            track(proposal, kind=REPLY_DEADLINE, label=_("再办理代表建议"), due=due, unit=lead.unit)
            tell(
                clerks_of_units([lead.unit_id]),
                proposal=proposal,
                title=_("代表对答复不满意，请再办理：%(title)s") % {"title": proposal.title},
                body=comment,
            )
        else:
            WORKFLOW.move("rate", proposal, Proposal.Status.CLOSED)
            proposal.closed_at = clock.now()
            proposal.save(update_fields=["status", "closed_at", "updated_at"])
        audit(
            actor,
            proposal,
            changes={
                "status": ["replied", proposal.status],
                "attitude": attitude,
                "result": result,
            },
        )
    return reply


def promise_report(*, actor, proposal: Proposal, text: str) -> Reply:
    """回头看: the unit reports how the promise of a B or C reply was kept."""
    text = clean_text(text, field="text", label=_("回头看情况"), max_length=TEXT_MAX)
    with transaction.atomic():
        proposal = locked_for("report_promise", actor, proposal)
        reply = Reply.objects.select_for_update().get(pk=proposal.current_reply().pk)
        reply.promise_report, reply.promise_reported_at = text, clock.now()
        reply.save(update_fields=["promise_report", "promise_reported_at"])
        tracking.settle(subject=reply, kind=PROMISE_DEADLINE)
        tell(
            deputy_users([proposal.author]),
            proposal=proposal,
            title=_("承诺事项办理情况：%(title)s") % {"title": proposal.title},
            body=text[:200],
        )
        audit(
            actor, proposal, AuditRecord.Action.UPDATE, obj=reply, changes={"promise_report": text}
        )
    return reply
