"""Proposals come in (群众点单) and are screened (初审).

From the public page (no account; idempotent by the form's token, written to the
database before anything else so a broker outage loses nothing), entered by staff
from offline channels, imported from a spreadsheet, or turned from a concern. The
government's screening decision carries its reason against the four criteria.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from core import clock
from stations.spreadsheets import Column, Problem, Sheet
from stations.validators import is_phone
from suggestions.models import Suggestion

from .. import permissions as can
from ..models import CRITERIA, TEXT_MAX, Cycle, Project, Proposal
from ..workflow import CYCLE
from .common import CREATE, UPDATE, locked_cycle, record

D = Proposal.Decision
OFFLINE = [
    Proposal.Channel.RECEPTION,
    Proposal.Channel.LETTER,
    Proposal.Channel.MEETING,
]


def proposal_by_token(token: str | None) -> Proposal | None:
    if not token:
        return None
    return Proposal.objects.filter(submission_token=token).first()


def _clean(title: str, content: str, reason: str, phone: str) -> tuple[str, str, str, str]:
    errors = {}
    title, content, reason, phone = (
        (title or "").strip(),
        (content or "").strip(),
        (reason or "").strip(),
        (phone or "").strip(),
    )
    if len(title) < 2:
        errors["title"] = _("请填写项目名称（至少2个字）。")
    elif len(title) > 120:
        errors["title"] = _("项目名称不能超过120字。")
    if len(content) < 5:
        errors["content"] = _("请写明要办什么、在哪里（至少5个字）。")
    elif len(content) > TEXT_MAX:
        errors["content"] = _("内容不能超过%(n)s字。") % {"n": TEXT_MAX}
    if len(reason) > TEXT_MAX:
        errors["reason"] = _("理由不能超过%(n)s字。") % {"n": TEXT_MAX}
    if phone and not is_phone(phone):
        errors["contact_phone"] = _("请填写正确的手机号（11位）或座机号。")
    if errors:
        raise ValidationError(errors)
    return title, content, reason, phone


def _create(*, actor, cycle: Cycle, **fields) -> Proposal:
    last = cycle.proposals.aggregate(last=Max("number"))["last"] or 0
    proposal = Proposal.objects.create(
        cycle=cycle,
        number=last + 1,
        created_by=actor if can.signed_in(actor) else None,
        **fields,
    )
    record(
        actor,
        CREATE,
        proposal,
        changes={"channel": [None, proposal.channel], "title": [None, proposal.title]},
    )
    return proposal


def proposal_submit(
    *,
    actor,
    cycle: Cycle,
    title: str,
    content: str,
    reason: str = "",
    photo=None,
    contact_name: str = "",
    contact_phone: str = "",
    submission_token: str | None = None,
) -> tuple[Proposal, bool]:
    """A proposal from the public page; returns (proposal, created).

    The same token twice returns the first proposal untouched (a double tap, a retry).
    """
    existing = proposal_by_token(submission_token)
    if existing is not None:
        return existing, False
    title, content, reason, contact_phone = _clean(title, content, reason, contact_phone)
    with transaction.atomic():
        cycle = locked_cycle(cycle)
        CYCLE.check("propose", actor, cycle, public=True)
        existing = proposal_by_token(submission_token)  # the twin waited on the lock
        if existing is not None:
            return existing, False
        proposal = _create(
            actor=actor,
            cycle=cycle,
            title=title,
            content=content,
            reason=reason,
            photo=photo or "",
            contact_name=(contact_name or "").strip()[:64],
            contact_phone=contact_phone,
            channel=Proposal.Channel.ONLINE,
            received_on=clock.today(),
            submission_token=submission_token or None,
        )
    return proposal, True


@transaction.atomic
def proposal_record(
    *,
    actor,
    cycle: Cycle,
    channel: str,
    title: str,
    content: str,
    reason: str = "",
    received_on: datetime.date | None = None,
    contact_name: str = "",
    contact_phone: str = "",
) -> Proposal:
    """A proposal collected offline (reception, letter, 征集会), entered by staff."""
    cycle = locked_cycle(cycle)
    if not can.signed_in(actor):
        raise PermissionDenied
    CYCLE.check("propose", actor, cycle)
    if channel not in {*OFFLINE, Proposal.Channel.IMPORT}:
        raise ValidationError({"channel": _("请选择线下征集渠道。")})
    title, content, reason, contact_phone = _clean(title, content, reason, contact_phone)
    received_on = received_on or clock.today()
    if received_on > clock.today():
        raise ValidationError({"received_on": _("收到日期不能晚于今天。")})
    return _create(
        actor=actor,
        cycle=cycle,
        title=title,
        content=content,
        reason=reason,
        contact_name=(contact_name or "").strip()[:64],
        contact_phone=contact_phone,
        channel=channel,
        received_on=received_on,
    )


# --- Import -------------------------------------------------------------------------------

IMPORT_COLUMNS = [
    Column("项目名称", required=True, example="坡底社区道路硬化", width=24),
    Column("内容和地点", required=True, example="天宁镇坡底社区主干道约1.2公里硬化", width=40),
    Column("理由", example="管网改造后路面破损，雨天出行困难", width=40),
    Column("来源", example="联络站接待", width=14),
    Column("收到日期", example="2026-02-10", width=14),
    Column("联系人", width=12),
    Column("联系电话", width=16),
]
CHANNEL_LABELS = {str(label): value for value, label in Proposal.Channel.choices}


def check_import(sheet: Sheet) -> tuple[list[Problem], list[dict]]:
    """Every row's problems at once; the plans only when there is none."""
    problems = list(sheet.problems)
    plans = []
    for row, values in sheet.rows:
        channel = Proposal.Channel.IMPORT
        if values["来源"]:
            channel = CHANNEL_LABELS.get(values["来源"])
            if channel not in {*OFFLINE, Proposal.Channel.IMPORT}:
                problems.append(
                    Problem(
                        row, "来源", _("应为联络站接待、信件、邮件、电话、传真或征集会、走访。")
                    )
                )
        received = None
        if values["收到日期"]:
            try:
                received = datetime.date.fromisoformat(values["收到日期"][:10])
            except ValueError:
                problems.append(Problem(row, "收到日期", _("日期格式应为2026-02-10。")))
        try:
            title, content, reason, phone = _clean(
                values["项目名称"], values["内容和地点"], values["理由"], values["联系电话"]
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                header = {
                    "title": "项目名称",
                    "content": "内容和地点",
                    "reason": "理由",
                    "contact_phone": "联系电话",
                }[field]
                problems.extend(Problem(row, header, m) for m in messages)
            continue
        plans.append(
            {
                "title": title,
                "content": content,
                "reason": reason,
                "channel": channel,
                "received_on": received,
                "contact_name": values["联系人"],
                "contact_phone": phone,
            }
        )
    return problems, plans


@transaction.atomic
def proposals_import(*, actor, cycle: Cycle, sheet: Sheet) -> int:
    """All rows or none: a sheet with any problem raises them all."""
    problems, plans = check_import(sheet)
    if problems:
        raise ValidationError(
            [
                _("第%(row)s行%(col)s：%(msg)s") % {"row": p.row, "col": p.column, "msg": p.message}
                for p in problems
            ]
        )
    for plan in plans:
        proposal_record(actor=actor, cycle=cycle, **plan)
    return len(plans)


@transaction.atomic
def proposal_from_suggestion(*, actor, cycle: Cycle, suggestion: Suggestion) -> Proposal:
    """A concern (意见建议) becomes a proposal of the cycle; the citizen stays out of it."""
    cycle = locked_cycle(cycle)
    CYCLE.check("propose", actor, cycle)
    if not can.signed_in(actor):
        raise PermissionDenied
    if not suggestion.region_path.startswith(cycle.region_path):
        raise ValidationError(_("该意见建议不在本辖区。"))
    if Proposal.objects.filter(suggestion=suggestion).exists():
        raise ValidationError(_("该意见建议已转为项目建议。"))
    content = suggestion.content.strip()
    title = content.splitlines()[0][:30] if content else _("意见建议转入")
    return _create(
        actor=actor,
        cycle=cycle,
        title=title,
        content=(suggestion.place + "：" if suggestion.place else "") + content,
        channel=Proposal.Channel.SUGGESTION,
        received_on=timezone.localdate(suggestion.submitted_at),
        suggestion=suggestion,
    )


# --- Screening ------------------------------------------------------------------------------


@transaction.atomic
def proposal_decide(
    *,
    actor,
    proposal: Proposal,
    decision: str,
    reason: str,
    criteria: dict | None = None,
    project: Project | None = None,
    merged_into: Proposal | None = None,
) -> Proposal:
    """The government's screening decision, with its reason against the four criteria."""
    cycle = locked_cycle(proposal.cycle)
    CYCLE.check("screen", actor, cycle)
    proposal = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if merged_into is not None:
        merged_into = Proposal.objects.filter(pk=merged_into.pk).first()
    reason = (reason or "").strip()
    errors = {}
    if decision not in {D.CANDIDATE, D.MERGED, D.REJECTED}:
        errors["decision"] = _("请选择初审结果。")
    if len(reason) < 2:
        errors["decision_reason"] = _(
            "请写明初审理由（对照必要性、可行性、普惠性、区域平衡协调性）。"
        )
    if decision == D.CANDIDATE and (project is None or project.cycle_id != cycle.pk):
        errors["project"] = _("请选择纳入的候选项目。")
    if decision == D.MERGED:
        if merged_into is None or merged_into.cycle_id != cycle.pk or merged_into.pk == proposal.pk:
            errors["merged_into"] = _("请选择本年度的另一件项目建议。")
        elif merged_into.decision == D.MERGED:
            errors["merged_into"] = _("不能合并到已被合并的建议，请选择它合并到的那一件。")
    if errors:
        raise ValidationError(errors)
    known = {key for key, _label in CRITERIA}
    before = {"decision": proposal.decision, "reason": proposal.decision_reason}
    proposal.decision = decision
    proposal.decision_reason = reason
    proposal.criteria = {k: bool(v) for k, v in (criteria or {}).items() if k in known}
    proposal.project = {D.CANDIDATE: project, D.MERGED: getattr(merged_into, "project", None)}.get(
        decision
    )
    proposal.merged_into = merged_into if decision == D.MERGED else None
    proposal.decided_at = clock.now()
    proposal.save()
    if decision != D.MERGED:
        # What was merged into this one follows it.
        proposal.merged.update(project=proposal.project)
    record(
        actor,
        UPDATE,
        proposal,
        changes={
            "decision": [before["decision"], decision],
            "reason": [before["reason"], reason],
        },
    )
    return proposal


@transaction.atomic
def proposals_merge(*, actor, keep: Proposal, others, reason: str) -> int:
    """Group proposals that ask for the same thing under `keep`."""
    count = 0
    for other in others:
        if other.pk == keep.pk:
            continue
        proposal_decide(
            actor=actor,
            proposal=other,
            decision=D.MERGED,
            reason=reason or _("与第%(n)s件内容相同，合并办理。") % {"n": keep.number},
            merged_into=keep,
        )
        count += 1
    return count
