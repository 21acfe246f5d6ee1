"""A cycle: its settings, its phases, the body's roster, the approval trail, sign-in."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.services import diff, snapshot
from calendars.deadlines import compute
from core import clock
from deputies.models import Deputy
from supervision import tracking

from .. import permissions as can
from ..models import (
    BODY_DEPUTY_LEVEL,
    ApprovalStep,
    Attendance,
    Cycle,
    Meeting,
    Member,
    Project,
)
from ..workflow import CYCLE, PLAN_DEADLINE
from .common import CREATE, DELETE, STATE, UPDATE, locked_cycle, mark_entered, record

SETTINGS = [
    "year",
    "title",
    "body",
    "body_name",
    "description",
    "collect_from",
    "collect_until",
    "session_on",
    "review_on",
    "places",
    "competitive",
    "margin_percent",
    "threshold_base",
    "quorum_numerator",
    "quorum_denominator",
    "plan_days",
    "rating_percent",
]


def _check_settings(values: dict) -> None:
    errors = {}
    if values.get("places") is not None and values["places"] < 1:
        errors["places"] = _("名额至少为1个。")
    start, end = values.get("collect_from"), values.get("collect_until")
    if start and end and end < start:
        errors["collect_until"] = _("征集截止日期不能早于开始日期。")
    num, den = values.get("quorum_numerator"), values.get("quorum_denominator")
    if num is not None and den is not None and (den == 0 or num > den or num == 0):
        errors["quorum_numerator"] = _("法定人数比例应为大于0、不大于1的分数，如三分之二。")
    if values.get("rating_percent") is not None and not 1 <= values["rating_percent"] < 100:
        errors["rating_percent"] = _("测评通过比例应在1到99之间。")
    if values.get("plan_days") is not None and values["plan_days"] < 1:
        errors["plan_days"] = _("实施方案期限至少1日。")
    if errors:
        raise ValidationError(errors)


def cycle_create(*, actor, region, **values) -> Cycle:
    if not can.can_run_cycle_in(actor, region):
        raise PermissionDenied
    values = {k: v for k, v in values.items() if k in SETTINGS}
    _check_settings(values)
    cycle = Cycle(region=region, created_by=actor, **values)
    mark_entered(cycle, Cycle.Status.COLLECTING)
    try:
        with transaction.atomic():
            cycle.save()
            record(actor, CREATE, cycle, changes=diff({}, snapshot(cycle, SETTINGS)))
    except IntegrityError:
        raise ValidationError(
            {"body": _("%(region)s本年度已有该票决机关的票决工作。") % {"region": region.name}}
        ) from None
    return cycle


@transaction.atomic
def cycle_update(*, actor, cycle: Cycle, **values) -> Cycle:
    cycle = locked_cycle(cycle)
    CYCLE.check("edit", actor, cycle)
    values = {k: v for k, v in values.items() if k in SETTINGS}
    _check_settings({**{name: getattr(cycle, name) for name in SETTINGS}, **values})
    before = snapshot(cycle, SETTINGS)
    for name, value in values.items():
        setattr(cycle, name, value)
    cycle.save()
    record(actor, UPDATE, cycle, changes=diff(before, snapshot(cycle, SETTINGS)))
    return cycle


def _move(actor, cycle: Cycle, action: str) -> Cycle:
    before = cycle.status
    CYCLE.move(action, cycle)
    mark_entered(cycle, cycle.status)
    cycle.save(update_fields=["status", "entered", "session_closed_on", "updated_at"])
    record(actor, STATE, cycle, changes={"status": [before, cycle.status]}, note=action)
    return cycle


@transaction.atomic
def cycle_advance(*, actor, cycle: Cycle, action: str, on: datetime.date | None = None) -> Cycle:
    """Take one phase step of the table (close collection, fix candidates, ...)."""
    cycle = locked_cycle(cycle)
    if action not in {a.name for a in CYCLE.actions if a.targets}:
        raise ValidationError(_("没有这个操作。"))
    CYCLE.check(action, actor, cycle)
    if action == "publish":
        _publish(cycle)
    elif action == "close_session":
        _start_plan_deadlines(cycle, on or clock.today())
    return _move(actor, cycle, action)


def _publish(cycle: Cycle) -> None:
    """Results are public: every candidate not adopted is marked so."""
    cycle.projects.filter(status=Project.Status.CANDIDATE).update(status=Project.Status.NOT_ADOPTED)


def _start_plan_deadlines(cycle: Cycle, closed_on: datetime.date) -> None:
    """The plans are due `plan_days` after the session closed, watched by 督办."""
    cycle.session_closed_on = closed_on
    due = compute(
        what=_("报送实施方案"),
        spec=f"d:{cycle.plan_days}",
        start=closed_on,
        region=cycle.region,
        source=_("大会闭幕后%(n)s日内") % {"n": cycle.plan_days},
    )
    for project in cycle.projects.filter(status=Project.Status.ADOPTED).select_related("lead_unit"):
        project.plan_due_on = due.date
        project.plan_state = "due"
        project.save(update_fields=["plan_due_on", "plan_state"])
        tracking.track(
            subject=project,
            kind=PLAN_DEADLINE,
            label=_("编制民生实事项目实施方案"),
            title=project.name,
            region=cycle.region,
            deadline=due,
            link=reverse("livelihood:project", args=[project.pk]),
            unit=project.lead_unit,
        )


# --- The body's roster --------------------------------------------------------------------


def register_deputies(cycle: Cycle):
    """The deputy register of the cycle's body: active deputies of its level under its
    region (a standing committee's members are entered by hand)."""
    level = BODY_DEPUTY_LEVEL.get(cycle.body)
    if level is None:
        return Deputy.objects.none()
    return Deputy.objects.filter(
        level=level,
        status=Deputy.Status.ACTIVE,
        region_path__startswith=cycle.region_path,
    )


@transaction.atomic
def members_from_register(*, actor, cycle: Cycle) -> int:
    cycle = locked_cycle(cycle)
    CYCLE.check("roster", actor, cycle)
    have = set(cycle.members.values_list("deputy_id", flat=True))
    new = [d for d in register_deputies(cycle).values_list("pk", flat=True) if d not in have]
    Member.objects.bulk_create([Member(cycle=cycle, deputy_id=pk) for pk in new])
    record(actor, UPDATE, cycle, changes={"members": [len(have), len(have) + len(new)]})
    return len(new)


@transaction.atomic
def member_add(*, actor, cycle: Cycle, deputy: Deputy) -> Member:
    cycle = locked_cycle(cycle)
    CYCLE.check("roster", actor, cycle)
    if not deputy.region_path.startswith(cycle.region_path):
        raise ValidationError({"deputy": _("只能加入本辖区的代表。")})
    member, created = Member.objects.get_or_create(cycle=cycle, deputy=deputy)
    if created:
        record(actor, CREATE, member, note=deputy.name)
    return member


@transaction.atomic
def member_remove(*, actor, cycle: Cycle, deputy: Deputy) -> int:
    cycle = locked_cycle(cycle)
    CYCLE.check("roster", actor, cycle)
    removed, _rows = Member.objects.filter(cycle=cycle, deputy=deputy).delete()
    if removed:
        record(actor, DELETE, cycle, note=_("移出代表名单：%(n)s") % {"n": deputy.name})
    return removed


# --- Approval trail -------------------------------------------------------------------------


@transaction.atomic
def approval_record(*, actor, cycle: Cycle, kind: str, held_on: datetime.date, note: str = ""):
    cycle = locked_cycle(cycle)
    CYCLE.check("approve", actor, cycle)
    if kind not in ApprovalStep.Kind.values:
        raise ValidationError({"kind": _("请选择审议程序。")})
    if held_on > clock.today():
        raise ValidationError({"held_on": _("日期不能晚于今天。")})
    step = ApprovalStep.objects.create(
        cycle=cycle, kind=kind, held_on=held_on, note=note.strip(), created_by=actor
    )
    record(actor, CREATE, step, changes={"kind": [None, kind], "held_on": [None, str(held_on)]})
    return step


# --- Meetings and sign-in ---------------------------------------------------------------------


def _purpose_of(cycle: Cycle) -> str:
    return Meeting.Purpose.RATING if cycle.status == Cycle.Status.REVIEW else Meeting.Purpose.SELECT


@transaction.atomic
def meeting_open(*, actor, cycle: Cycle, held_on: datetime.date | None = None) -> Meeting:
    """The sitting of this phase (the session vote, or the year-end rating); one each."""
    cycle = locked_cycle(cycle)
    CYCLE.check("hold_round", actor, cycle)
    purpose = _purpose_of(cycle)
    meeting = cycle.meetings.filter(purpose=purpose).first()
    if meeting is None:
        meeting = Meeting.objects.create(
            cycle=cycle, purpose=purpose, held_on=held_on or clock.today()
        )
        record(actor, CREATE, meeting)
    return meeting


@transaction.atomic
def attendance_sign(*, actor, meeting: Meeting, deputies) -> int:
    """Sign seated deputies in (签到); returns how many were new. Only the roster counts."""
    cycle = locked_cycle(meeting.cycle)
    CYCLE.check("hold_round", actor, cycle)
    if meeting.purpose != _purpose_of(cycle):
        raise ValidationError(_("该会议不在本阶段，不能签到。"))
    ids = {d.pk if hasattr(d, "pk") else int(d) for d in deputies}
    seated = set(cycle.members.filter(deputy_id__in=ids).values_list("deputy_id", flat=True))
    outside = ids - seated
    if outside:
        raise ValidationError(
            {"deputies": _("%(n)s人不在本届实有代表名单中，不能签到。") % {"n": len(outside)}}
        )
    have = set(meeting.attendances.values_list("deputy_id", flat=True))
    now = clock.now()
    rows = [
        Attendance(cycle=cycle, meeting=meeting, deputy_id=pk, signed_at=now)
        for pk in sorted(seated - have)
    ]
    Attendance.objects.bulk_create(rows, ignore_conflicts=True)
    record(
        actor,
        UPDATE,
        meeting,
        changes={"present": [len(have), meeting.attendances.count()]},
        note=_("签到"),
    )
    return len(rows)
