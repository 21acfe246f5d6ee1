"""Candidates and, once adopted, the projects: plans, progress, inspections, problems,
the supervising group, and the year-end explanation and rectification."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.services import diff, snapshot
from calendars.deadlines import compute
from core import clock
from duties.models import DutyKind
from duties.services import duty_credit, duty_withdraw
from supervision import tracking

from .. import permissions as can
from ..models import (
    Cycle,
    Inspection,
    Milestone,
    Problem,
    ProgressReport,
    Project,
    Proposal,
)
from ..workflow import CYCLE, PLAN_DEADLINE, PROBLEM_DEADLINE
from .common import CREATE, UPDATE, locked_cycle, record

FIELDS = [
    "name",
    "content",
    "implementer",
    "lead_unit",
    "investment",
    "funding_source",
    "due_by",
    "requirements",
]


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError):
        raise ValidationError({field: _("请填写金额（万元）。")}) from None
    if amount < 0 or amount >= Decimal("1e10"):
        raise ValidationError({field: _("金额应为不小于0的数（万元）。")})
    return amount.quantize(Decimal("0.01"))


def _check_project(cycle: Cycle, values: dict) -> dict:
    errors = {}
    for name in ("name", "content", "implementer"):
        if name in values and not (values[name] or "").strip():
            errors[name] = _("此项必填。")
    if "investment" in values:
        try:
            values["investment"] = _money(values["investment"], "investment")
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def project_create(*, actor, cycle: Cycle, co_units=(), **values) -> Project:
    """A candidate: 项目名称、主要内容、实施主体、投资额度、资金来源、完成时限、相关要求."""
    cycle = locked_cycle(cycle)
    CYCLE.check("screen", actor, cycle)
    values = _check_project(cycle, {k: v for k, v in values.items() if k in FIELDS})
    last = cycle.projects.aggregate(last=Max("number"))["last"] or 0
    project = Project.objects.create(cycle=cycle, number=last + 1, **values)
    project.co_units.set(co_units)
    record(actor, CREATE, project, changes=diff({}, snapshot(project, FIELDS)))
    return project


@transaction.atomic
def project_update(*, actor, project: Project, co_units=None, **values) -> Project:
    cycle = locked_cycle(project.cycle)
    CYCLE.check("screen", actor, cycle)
    project = Project.objects.select_for_update().get(pk=project.pk)
    values = _check_project(cycle, {k: v for k, v in values.items() if k in FIELDS})
    before = snapshot(project, FIELDS)
    for name, value in values.items():
        setattr(project, name, value)
    project.save()
    if co_units is not None:
        project.co_units.set(co_units)
    record(actor, UPDATE, project, changes=diff(before, snapshot(project, FIELDS)))
    return project


# --- The supervising group --------------------------------------------------------------------


@transaction.atomic
def supervisors_set(*, actor, project: Project, deputies) -> Project:
    """The deputies who supervise the project (seated in the body); credited in their
    duty record once each."""
    cycle = locked_cycle(project.cycle)
    CYCLE.check("supervise", actor, cycle)
    if project.status != Project.Status.ADOPTED:
        raise ValidationError(_("只有票决通过的项目才有监督小组。"))
    wanted = {d.pk: d for d in deputies}
    seated = set(cycle.members.filter(deputy_id__in=wanted).values_list("deputy_id", flat=True))
    if set(wanted) - seated:
        raise ValidationError({"deputies": _("监督小组成员须为本届代表。")})
    before = set(project.supervisors.values_list("pk", flat=True))
    project.supervisors.set(wanted.values())
    for pk in before - set(wanted):
        duty_withdraw(kind=DutyKind.PROJECT_SUPERVISION, source=project, deputy=pk)
    for deputy in wanted.values():
        duty_credit(
            deputy=deputy,
            kind=DutyKind.PROJECT_SUPERVISION,
            date=clock.today(),
            source=project,
            title=_("监督民生实事项目：%(name)s") % {"name": project.name},
            url=reverse("livelihood:project", args=[project.pk]),
        )
    record(
        actor,
        UPDATE,
        project,
        changes={"supervisors": [sorted(before), sorted(wanted)]},
    )
    return project


# --- Plans ----------------------------------------------------------------------------------


@transaction.atomic
def plan_save(*, actor, project: Project, tasks: str, milestones: list[dict]) -> Project:
    """The implementation plan: task breakdown and milestones (dates, shares summing to 100)."""
    cycle = locked_cycle(project.cycle)
    CYCLE.check("plan", actor, cycle)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if project.status != Project.Status.ADOPTED:
        raise ValidationError(_("只有票决通过的项目才编制实施方案。"))
    tasks = (tasks or "").strip()
    errors = {}
    if len(tasks) < 5:
        errors["tasks"] = _("请填写任务分解。")
    rows = [m for m in milestones if (m.get("title") or "").strip()]
    if not rows:
        errors["milestones"] = _("请至少填写一个节点任务。")
    total = 0
    for row in rows:
        if not isinstance(row.get("due_on"), datetime.date):
            errors["milestones"] = _("每个节点任务须有计划完成日期。")
            break
        share = row.get("share")
        if share is None or int(share) <= 0:
            errors["milestones"] = _("每个节点任务须有计划占比。")
            break
        total += int(share)
    if rows and "milestones" not in errors and total != 100:
        errors["milestones"] = _("各节点计划占比之和应为100%%，现为%(n)s%%。") % {"n": total}
    if errors:
        raise ValidationError(errors)
    project.milestones.all().delete()
    Milestone.objects.bulk_create(
        [
            Milestone(
                cycle=cycle,
                project=project,
                title=row["title"].strip()[:120],
                due_on=row["due_on"],
                share=int(row["share"]),
                unit=row.get("unit"),
            )
            for row in rows
        ]
    )
    first = project.plan_state != "in"
    project.plan_tasks = tasks
    project.plan_state = "in"
    if first:
        project.plan_submitted_on = clock.today()
    project.save(update_fields=["plan_tasks", "plan_state", "plan_submitted_on"])
    tracking.settle(subject=project, kind=PLAN_DEADLINE)
    record(actor, UPDATE, project, changes={"plan": [None, len(rows)]}, note=_("实施方案"))
    return project


# --- Progress, inspections, problems ------------------------------------------------------------


def _adopted(project: Project) -> None:
    if project.status != Project.Status.ADOPTED:
        raise ValidationError(_("只有票决通过的项目才跟踪督办。"))


@transaction.atomic
def progress_report(
    *,
    actor,
    project: Project,
    percent_done: int,
    spent,
    note: str,
    milestone: Milestone | None = None,
    photo=None,
    reported_on: datetime.date | None = None,
) -> ProgressReport:
    cycle = locked_cycle(project.cycle)
    CYCLE.check("supervise", actor, cycle)
    project = Project.objects.select_for_update().get(pk=project.pk)
    _adopted(project)
    errors = {}
    if percent_done is None or not 0 <= int(percent_done) <= 100:
        errors["percent_done"] = _("完成进度应在0到100之间。")
    if not (note or "").strip():
        errors["note"] = _("请填写进展情况。")
    if milestone is not None and milestone.project_id != project.pk:
        errors["milestone"] = _("该节点不属于本项目。")
    reported_on = reported_on or clock.today()
    if reported_on > clock.today():
        errors["reported_on"] = _("报告日期不能晚于今天。")
    if errors:
        raise ValidationError(errors)
    spent = _money(spent, "spent")
    report = ProgressReport.objects.create(
        cycle=cycle,
        project=project,
        milestone=milestone,
        reported_on=reported_on,
        percent_done=int(percent_done),
        spent=spent,
        note=note.strip(),
        photo=photo or "",
        created_by=actor,
    )
    before = snapshot(project, ["percent_done", "spent", "completed_on"])
    project.percent_done = int(percent_done)
    project.spent = spent
    project.completed_on = reported_on if project.percent_done == 100 else None
    project.save(update_fields=["percent_done", "spent", "completed_on"])
    record(
        actor,
        CREATE,
        report,
        changes=diff(before, snapshot(project, ["percent_done", "spent", "completed_on"])),
    )
    return report


@transaction.atomic
def inspection_log(
    *,
    actor,
    project: Project,
    kind: str,
    held_on: datetime.date,
    findings: str,
    deputies=(),
    problems=(),
) -> Inspection:
    """A 视察、调研 or 听取报告, with its findings; each problem found becomes a supervised
    item with its own deadline; the deputies who took part are credited."""
    cycle = locked_cycle(project.cycle)
    if not can.can_inspect_project(actor, project):
        raise PermissionDenied
    if cycle.status not in (Cycle.Status.PLANS, Cycle.Status.PROGRESS, Cycle.Status.REVIEW):
        raise ValidationError(_("项目实施期间才能登记视察、调研。"))
    _adopted(project)
    errors = {}
    if kind not in Inspection.Kind.values:
        errors["kind"] = _("请选择形式。")
    if held_on is None or held_on > clock.today():
        errors["held_on"] = _("日期不能晚于今天。")
    if len((findings or "").strip()) < 2:
        errors["findings"] = _("请填写发现的情况。")
    deputies = list(deputies)
    seated = set(cycle.members.filter(deputy__in=deputies).values_list("deputy_id", flat=True))
    if {d.pk for d in deputies} - seated:
        errors["deputies"] = _("参加的代表须为本届代表。")
    clean_problems = []
    for problem in problems:
        text = (problem.get("description") or "").strip()
        if not text:
            continue
        due = problem.get("due_on")
        if not isinstance(due, datetime.date) or due <= clock.today():
            errors["problems"] = _("每个问题须有晚于今天的整改期限。")
            break
        clean_problems.append((text, due))
    if errors:
        raise ValidationError(errors)
    inspection = Inspection.objects.create(
        cycle=cycle,
        project=project,
        kind=kind,
        held_on=held_on,
        findings=findings.strip(),
        created_by=actor,
    )
    inspection.deputies.set(deputies)
    record(actor, CREATE, inspection, changes={"kind": [None, kind]})
    duty_kind = DutyKind.SURVEY if kind == Inspection.Kind.SURVEY else DutyKind.INSPECTION
    for deputy in deputies:
        duty_credit(
            deputy=deputy,
            kind=duty_kind,
            date=held_on,
            source=inspection,
            title=_("%(kind)s民生实事项目：%(name)s")
            % {"kind": inspection.get_kind_display(), "name": project.name},
            url=reverse("livelihood:project", args=[project.pk]),
        )
    for text, due in clean_problems:
        problem = Problem.objects.create(
            cycle=cycle, project=project, inspection=inspection, description=text, due_on=due
        )
        tracking.track(
            subject=problem,
            kind=PROBLEM_DEADLINE,
            label=_("整改民生实事项目问题"),
            title=f"{project.name}：{text[:60]}",
            region=cycle.region,
            deadline=compute(
                what=_("整改"),
                spec=f"d:{(due - clock.today()).days}",
                start=clock.today(),
                region=cycle.region,
                source=_("视察发现问题"),
            ),
            link=reverse("livelihood:project", args=[project.pk]),
            unit=project.lead_unit,
        )
        record(actor, CREATE, problem)
    return inspection


@transaction.atomic
def problem_resolve(*, actor, problem: Problem, resolution: str) -> Problem:
    cycle = locked_cycle(problem.cycle)
    CYCLE.check("supervise", actor, cycle)
    problem = Problem.objects.select_for_update().get(pk=problem.pk)
    if problem.resolved_on:
        raise ValidationError(_("该问题已解决。"))
    if len((resolution or "").strip()) < 2:
        raise ValidationError({"resolution": _("请填写解决情况。")})
    problem.resolution = resolution.strip()
    problem.resolved_on = clock.today()
    problem.save(update_fields=["resolution", "resolved_on"])
    tracking.settle(subject=problem, kind=PROBLEM_DEADLINE)
    record(actor, UPDATE, problem, changes={"resolved_on": [None, str(problem.resolved_on)]})
    return problem


# --- Year end -------------------------------------------------------------------------------


@transaction.atomic
def project_explain(
    *,
    actor,
    project: Project,
    explanation: str,
    rectification: str,
    rectification_due: datetime.date | None = None,
) -> Project:
    """A 不满意 or unfinished project's written explanation and its rectification (整改)."""
    cycle = locked_cycle(project.cycle)
    CYCLE.check("rectify", actor, cycle)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not project.needs_rectification:
        raise ValidationError(_("该项目测评满意且已完成，无需整改。"))
    errors = {}
    if len((explanation or "").strip()) < 5:
        errors["explanation"] = _("请填写书面说明。")
    if len((rectification or "").strip()) < 5:
        errors["rectification"] = _("请填写整改措施。")
    if errors:
        raise ValidationError(errors)
    before = snapshot(project, ["explanation", "rectification", "rectification_due"])
    project.explanation = explanation.strip()
    project.rectification = rectification.strip()
    project.rectification_due = rectification_due
    project.save(update_fields=["explanation", "rectification", "rectification_due"])
    record(actor, UPDATE, project, changes=diff(before, snapshot(project, list(before))))
    return project


@transaction.atomic
def project_carry(*, actor, project: Project, to_cycle: Cycle) -> Proposal:
    """Carry an unfinished or 不满意 project into next year's cycle, as a proposal there."""
    from .proposals import _create

    if not project.needs_rectification:
        raise ValidationError(_("只有不满意或未完成的项目才结转下一年度。"))
    if to_cycle.region_id != project.cycle.region_id or to_cycle.year <= project.cycle.year:
        raise ValidationError({"to_cycle": _("请选择本辖区以后年度的票决工作。")})
    target = locked_cycle(to_cycle)
    CYCLE.check("propose", actor, target)
    if Proposal.objects.filter(cycle=target, carried_from=project).exists():
        raise ValidationError(_("该项目已结转。"))
    return _create(
        actor=actor,
        cycle=target,
        title=project.name[:120],
        content=project.content,
        reason=_("%(year)s年度结转：%(why)s")
        % {
            "year": project.cycle.year,
            "why": project.explanation or project.get_rating_display(),
        },
        channel=Proposal.Channel.CARRIED,
        received_on=clock.today(),
        carried_from=project,
    )
