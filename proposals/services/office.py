"""交: the body's office registers, refuses or merges a proposal and assigns it to units,
alone or at a dated assignment meeting; decides the extension; marks 重点督办; withholds
a result from publication; keeps the region's numbers."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.selectors import clerks_of_units
from audit.models import AuditRecord
from calendars.deadlines import apply_spec
from core import clock
from duties.models import DutyKind
from duties.services import duty_withdraw
from supervision import tracking

from .. import permissions as can
from ..models import (
    AssignmentMeeting,
    Cosignature,
    Extension,
    Proposal,
    ProposalAssignment,
    ProposalSettings,
    RefuseReason,
)
from ..workflow import ASSIGN_DEADLINE, CO_VIEW_DEADLINE, REPLY_DEADLINE, WORKFLOW
from .common import audit, clean_text, deadline, deputy_users, locked_for, settings_of, tell, track

A = ProposalAssignment


def _author_and_cosigners(proposal):
    confirmed = proposal.cosignatures.filter(status=Cosignature.Status.CONFIRMED).select_related(
        "deputy__user"
    )
    return deputy_users([proposal.author, *(c.deputy for c in confirmed)])


def proposal_register(*, actor, proposal: Proposal) -> Proposal:
    """Register (立案) with the body's next number of the year."""
    with transaction.atomic():
        proposal = locked_for("register", actor, proposal)
        year = clock.today().year
        taken = Proposal.objects.filter(region=proposal.region, number__startswith=f"{year}-")
        proposal.number = f"{year}-{taken.count() + 1:04d}"
        WORKFLOW.move("register", proposal)
        proposal.registered_at = clock.now()
        proposal.save(update_fields=["status", "number", "registered_at", "updated_at"])
        audit(actor, proposal, changes={"status": ["submitted", "registered"]})
    return proposal


def _close_unassigned(proposal) -> None:
    tracking.cancel(subject=proposal, kind=ASSIGN_DEADLINE)


def proposal_refuse(*, actor, proposal: Proposal, reason: str, note: str) -> Proposal:
    """Not a proposal in law, or a matter for litigation: refused with the reason, told to
    the deputies; it no longer counts in their duty records."""
    if reason not in RefuseReason.values:
        raise ValidationError({"reason": _("请选择不予立案的理由。")})
    note = clean_text(note, field="note", label=_("说明"), max_length=1000)
    with transaction.atomic():
        proposal = locked_for("refuse", actor, proposal)
        before = proposal.status
        WORKFLOW.move("refuse", proposal)
        proposal.refuse_reason, proposal.refuse_note = reason, note
        proposal.save(update_fields=["status", "refuse_reason", "refuse_note", "updated_at"])
        _close_unassigned(proposal)
        duty_withdraw(kind=DutyKind.PROPOSAL, source=proposal)
        duty_withdraw(kind=DutyKind.PROPOSAL_COSIGN, source=proposal)
        tell(
            _author_and_cosigners(proposal),
            proposal=proposal,
            title=_("代表建议不予立案：%(title)s") % {"title": proposal.title},
            body=f"{RefuseReason(reason).label}：{note}",
        )
        audit(actor, proposal, changes={"status": [before, proposal.status]}, note=note)
    return proposal


def proposal_merge(*, actor, proposal: Proposal, into: Proposal) -> Proposal:
    """A duplicate merged into another proposal of the same body (并案)."""
    if into is None or into.pk == proposal.pk or into.region_id != proposal.region_id:
        raise ValidationError({"into": _("请选择同一人大的另一件建议。")})
    if into.status in (*Proposal.PRIVATE_STATUSES, Proposal.Status.REFUSED, Proposal.Status.MERGED):
        raise ValidationError({"into": _("只能并入已提交、未被退回或并案的建议。")})
    with transaction.atomic():
        proposal = locked_for("merge", actor, proposal)
        before = proposal.status
        WORKFLOW.move("merge", proposal)
        proposal.merged_into = into
        proposal.save(update_fields=["status", "merged_into", "updated_at"])
        _close_unassigned(proposal)
        tell(
            _author_and_cosigners(proposal),
            proposal=proposal,
            title=_("代表建议已并案办理：%(title)s") % {"title": proposal.title},
            body=_("并入《%(into)s》一并办理。") % {"into": into.title},
        )
        audit(
            actor, proposal, changes={"status": [before, proposal.status], "merged_into": into.pk}
        )
    return proposal


def meeting_create(*, actor, region, title: str, held_on: datetime.date, note: str = ""):
    if not can.can_keep_office_of(actor, region):
        raise PermissionDenied(_("您无权进行此操作。"))
    title = clean_text(title, field="title", label=_("会议名称"), max_length=100)
    if held_on is None:
        raise ValidationError({"held_on": _("请填写会议日期。")})
    if held_on > clock.today():
        raise ValidationError({"held_on": _("交办会日期不能晚于今天：会后再登记交办。")})
    with transaction.atomic():
        meeting = AssignmentMeeting.objects.create(
            region=region, title=title, held_on=held_on, note=(note or "").strip(), created_by=actor
        )
        audit(actor, meeting, AuditRecord.Action.CREATE, obj=meeting)
    return meeting


def _check_units(actor, proposal, lead, co_units):
    from suggestions.models import HandlingUnit

    units = [lead, *co_units]
    if lead is None:
        raise ValidationError({"lead_unit": _("请选择主办单位。")})
    if len({u.pk for u in units}) != len(units):
        raise ValidationError({"co_units": _("协办单位不能与主办单位重复。")})
    allowed = set(
        HandlingUnit.objects.visible_to(actor)
        .filter(pk__in=[u.pk for u in units], is_active=True)
        .values_list("pk", flat=True)
    )
    if allowed != {u.pk for u in units}:
        raise ValidationError({"lead_unit": _("所选承办单位不存在或已停用。")})


def proposal_assign(
    *,
    actor,
    proposal: Proposal,
    lead_unit,
    co_units=(),
    hard_case: bool = False,
    meeting: AssignmentMeeting | None = None,
) -> Proposal:
    """Assign to one lead unit and any co-handling units; the reply deadline (3 months, 6 for
    hard cases), the return window (7 working days) and the co-handlers' view (1 month) start
    from the meeting's date, or today."""
    co_units = list(co_units)
    _check_units(actor, proposal, lead_unit, co_units)
    if meeting is not None and meeting.region_id != proposal.region_id:
        raise ValidationError({"meeting": _("请选择本级人大的交办会。")})
    with transaction.atomic():
        proposal = locked_for("assign", actor, proposal)
        settings = settings_of(proposal)
        start = meeting.held_on if meeting else clock.today()
        months = settings.hard_reply_months if hard_case else settings.reply_months
        reply_due = deadline(proposal, what=_("答复"), spec=f"m:{months}", start=start)
        return_due, _p = apply_spec(f"wd:{settings.return_days}", start, proposal.region)
        co_due = deadline(
            proposal, what=_("协办意见"), spec=f"m:{settings.co_view_months}", start=start
        )
        rows = [
            A(
                proposal=proposal,
                unit=unit,
                role=A.Role.LEAD if unit is lead_unit else A.Role.CO,
                meeting=meeting,
                assigned_by=actor,
                return_due=return_due,
                co_view_due=None if unit is lead_unit else co_due.date,
            )
            for unit in [lead_unit, *co_units]
        ]
        A.objects.bulk_create(rows)
        WORKFLOW.move("assign", proposal)
        proposal.hard_case = hard_case
        proposal.assigned_at = clock.now()
        proposal.due_date, proposal.due_rule = reply_due.date, reply_due.rule
        proposal.due_start, proposal.due_spec = reply_due.start, reply_due.spec
        proposal.due_provisional = reply_due.provisional
        proposal.save()
        tracking.settle(subject=proposal, kind=ASSIGN_DEADLINE)
        track(proposal, kind=REPLY_DEADLINE, label=_("答复代表建议"), due=reply_due, unit=lead_unit)
        for row in A.objects.filter(proposal=proposal, role=A.Role.CO, status=A.Status.ACTIVE):
            track(
                proposal,
                subject=row,
                kind=CO_VIEW_DEADLINE,
                label=_("提交协办意见"),
                due=co_due,
                unit=row.unit,
            )
        tell(
            clerks_of_units([u.pk for u in [lead_unit, *co_units]]),
            proposal=proposal,
            title=_("交办代表建议：%(title)s") % {"title": proposal.title},
            body=_("%(lead)s主办，请于%(due)s前答复。")
            % {"lead": lead_unit.name, "due": reply_due.date.isoformat()},
        )
        audit(
            actor,
            proposal,
            changes={
                "status": ["registered", "assigned"],
                "lead": lead_unit.pk,
                "co": [u.pk for u in co_units],
                "due_date": reply_due.date.isoformat(),
                "meeting": meeting.pk if meeting else None,
            },
        )
    return proposal


def proposals_assign_batch(*, actor, meeting: AssignmentMeeting, items) -> list[Proposal]:
    """Assign several proposals at one assignment meeting (交办会), all or none."""
    if not can.can_keep_office_of(actor, meeting.region):
        raise PermissionDenied(_("您无权进行此操作。"))
    if not items:
        raise ValidationError({"items": _("请至少选择一件建议。")})
    with transaction.atomic():
        return [
            proposal_assign(
                actor=actor,
                proposal=item["proposal"],
                lead_unit=item["lead_unit"],
                co_units=item.get("co_units", ()),
                hard_case=item.get("hard_case", False),
                meeting=meeting,
            )
            for item in items
        ]


def extension_decide(*, actor, proposal: Proposal, approve: bool, note: str = "") -> Extension:
    """Approve (the deadline moves once) or refuse the lead unit's request."""
    with transaction.atomic():
        proposal = locked_for("decide_extension", actor, proposal)
        row = proposal.extensions.select_for_update().get(status=Extension.Status.PENDING)
        row.status = Extension.Status.APPROVED if approve else Extension.Status.REFUSED
        row.decided_by, row.decided_at = actor, clock.now()
        row.decision_note = (note or "").strip()[:1000]
        row.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if approve:
            spec = f"{proposal.due_spec}+m:{row.months}"
            due = deadline(proposal, what=_("答复"), spec=spec, start=proposal.due_start)
            proposal.due_date, proposal.due_rule, proposal.due_spec = due.date, due.rule, due.spec
            proposal.due_provisional = due.provisional
            proposal.save(
                update_fields=["due_date", "due_rule", "due_spec", "due_provisional", "updated_at"]
            )
            lead = can.lead_of_round(proposal)
            track(proposal, kind=REPLY_DEADLINE, label=_("答复代表建议"), due=due, unit=lead.unit)
        tell(
            clerks_of_units([a.unit_id for a in proposal.assignments.filter(role="lead")]),
            proposal=proposal,
            title=(_("延期申请已批准：%(title)s") if approve else _("延期申请未批准：%(title)s"))
            % {"title": proposal.title},
        )
        audit(actor, proposal, obj=row, changes={"status": ["pending", row.status]})
    return row


def proposal_supervise(*, actor, proposal: Proposal, key: bool, supervisor=None) -> Proposal:
    """Mark (or unmark) 重点督办 with the leader who leads it (领衔督办)."""
    if key:
        if supervisor is None:
            raise ValidationError({"supervisor": _("请选择领衔督办的领导。")})
        if not can.supervisor_candidates(proposal.region).filter(pk=supervisor.pk).exists():
            raise ValidationError({"supervisor": _("领衔督办须是本级或上级人大常委会的领导。")})
    with transaction.atomic():
        proposal = locked_for("supervise", actor, proposal)
        before = [proposal.key_supervision, proposal.supervisor_id]
        proposal.key_supervision = key
        proposal.supervisor = supervisor if key else None
        proposal.save(update_fields=["key_supervision", "supervisor", "updated_at"])
        if key:
            tell(
                [supervisor],
                proposal=proposal,
                title=_("请您领衔督办代表建议：%(title)s") % {"title": proposal.title},
            )
        audit(
            actor,
            proposal,
            changes={"key_supervision": [before, [key, proposal.supervisor_id]]},
        )
    return proposal


def proposal_publication(*, actor, proposal: Proposal, withheld: bool, reason: str = ""):
    """Handling results are public by default; staff may withhold one with a reason."""
    reason = (reason or "").strip()
    if withheld and not reason:
        raise ValidationError({"reason": _("不予公开须写明理由。")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("理由不能超过200字。")})
    with transaction.atomic():
        proposal = locked_for("publication", actor, proposal)
        before = [proposal.withheld, proposal.withhold_reason]
        proposal.withheld, proposal.withhold_reason = withheld, reason if withheld else ""
        proposal.save(update_fields=["withheld", "withhold_reason", "updated_at"])
        audit(actor, proposal, changes={"withheld": [before, [withheld, proposal.withhold_reason]]})
    return proposal


SETTING_FIELDS = [
    "assign_days",
    "return_days",
    "reply_months",
    "hard_reply_months",
    "co_view_months",
    "max_extension_months",
    "rehandle_months",
    "remind_days_before",
]


def settings_save(*, actor, region, values: dict) -> ProposalSettings:
    """A body's numbers (every one a setting per region)."""
    if not can.can_keep_office_of(actor, region):
        raise PermissionDenied(_("您无权进行此操作。"))
    cleaned = {}
    for name in SETTING_FIELDS:
        raw = values.get(name)
        try:
            number = int(raw)
        except (TypeError, ValueError):
            raise ValidationError({name: _("请填写整数。")}) from None
        if not 0 <= number <= 366:
            raise ValidationError({name: _("请填写0到366之间的整数。")})
        cleaned[name] = number
    for name in ("reply_months", "hard_reply_months", "assign_days", "return_days"):
        if cleaned[name] < 1:
            raise ValidationError({name: _("期限不能为0。")})
    if cleaned["max_extension_months"] > 3:
        raise ValidationError({"max_extension_months": _("延期最长不超过3个月。")})
    cleaned["require_before_contact"] = bool(values.get("require_before_contact"))
    with transaction.atomic():
        row, created = ProposalSettings.objects.select_for_update().get_or_create(
            region=region, defaults=cleaned
        )
        if not created:
            for key, value in cleaned.items():
                setattr(row, key, value)
            row.save()
        audit(actor, row, AuditRecord.Action.UPDATE, obj=row, changes=cleaned)
    return row
