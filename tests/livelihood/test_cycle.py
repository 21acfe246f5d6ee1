"""A cycle from proposals to done, through the services: screening, plans due within 30
days watched by 督办, supervision credits, the year-end rating and rectification."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from core import outbox
from duties.models import DutyCredit, DutyKind
from livelihood import services
from livelihood.models import Cycle, Project, Proposal
from supervision import sweeps
from supervision.models import Supervision, TrackedDeadline

from .test_voting import confirm, enter, paper
from .world import make_cycle, voting_cycle

pytestmark = pytest.mark.django_db
D = datetime.date


def _at(day):
    return datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC)


def test_public_proposal_is_idempotent_and_only_while_collecting(world, clock):
    clock(_at(D(2026, 1, 10)))
    cycle = make_cycle(world.township, title="征集")
    args = dict(
        actor=None, cycle=cycle, title="修路", content="坡底社区道路硬化", submission_token="t" * 20
    )
    first, created = services.proposal_submit(**args, contact_phone="13912345678")
    again, created_again = services.proposal_submit(**args, contact_phone="13912345678")
    assert created and not created_again and first.pk == again.pk
    assert Proposal.objects.count() == 1 and first.number == 1
    with pytest.raises(ValidationError, match="正确的手机号"):
        services.proposal_submit(**{**args, "submission_token": "u" * 20}, contact_phone="123")
    clock(_at(D(2026, 3, 1)))
    with pytest.raises(ValidationError, match="征集已于2026年2月28日截止"):
        services.proposal_submit(**{**args, "submission_token": "v" * 20})
    # Staff still enter what came in by letter.
    late = services.proposal_record(
        actor=world.township_officer,
        cycle=cycle,
        channel="letter",
        title="路灯",
        content="西街路灯不亮",
        received_on=D(2026, 2, 27),
    )
    assert late.number == 2


def test_screening_records_reason_and_merges(world, clock):
    clock(_at(D(2026, 3, 2)))
    cycle = make_cycle(world.township, title="初审", status=Cycle.Status.SCREENING)
    a, b, c = (
        services.proposal_record(
            actor=world.township_officer, cycle=cycle, channel="meeting", title=t, content=t * 3
        )
        for t in ("修路一", "修路二", "建广场")
    )
    project = services.project_create(
        actor=world.township_officer,
        cycle=cycle,
        name="坡底社区道路硬化",
        content="主干道1.2公里",
        implementer="天宁镇人民政府",
        lead_unit=world.unit,
        investment="120.5",
        funding_source="镇级财政",
        due_by=D(2026, 11, 30),
    )
    with pytest.raises(ValidationError) as error:
        services.proposal_decide(
            actor=world.township_officer, proposal=a, decision="candidate", reason=""
        )
    assert "decision_reason" in error.value.message_dict and "project" in error.value.message_dict
    services.proposal_decide(
        actor=world.township_officer,
        proposal=a,
        decision="candidate",
        reason="群众反映集中，普惠性强",
        criteria={"necessity": True, "feasibility": True, "inclusiveness": True, "balance": True},
        project=project,
    )
    services.proposals_merge(actor=world.township_officer, keep=a, others=[b], reason="")
    services.proposal_decide(
        actor=world.township_officer,
        proposal=c,
        decision="rejected",
        reason="资金需求超出镇级财力，可行性不足",
    )
    b.refresh_from_db()
    assert b.decision == "merged" and b.merged_into == a and b.project == project
    assert "第1件" in b.decision_reason


def adopted_cycle(world, clock):
    clock(_at(D(2026, 4, 10)))
    s = voting_cycle(world)
    confirm(world, enter(world, paper(world, s.cycle), {x: 9 for x in s.projects[:7]}))
    services.cycle_advance(actor=world.township_officer, cycle=s.cycle, action="publish")
    assert Project.objects.filter(status="not_adopted").count() == 1
    return s


def test_plans_are_due_in_30_days_and_late_ones_are_supervised_once(world, clock):
    s = adopted_cycle(world, clock)
    services.cycle_advance(
        actor=world.township_officer, cycle=s.cycle, action="close_session", on=D(2026, 4, 12)
    )
    project = Project.objects.filter(status="adopted").order_by("rank").first()
    assert project.plan_due_on == D(2026, 5, 12)  # 30 calendar days, a Tuesday
    assert TrackedDeadline.objects.filter(kind="livelihood.plan", status="open").count() == 7
    services.plan_save(
        actor=world.township_officer,
        project=project,
        tasks="一、勘察设计；二、招标；三、施工。",
        milestones=[
            {"title": "完成招标", "due_on": D(2026, 6, 1), "share": 30},
            {"title": "完工验收", "due_on": D(2026, 10, 31), "share": 70},
        ],
    )
    with pytest.raises(ValidationError, match="100%"):
        services.plan_save(
            actor=world.township_officer,
            project=project,
            tasks="一、勘察设计",
            milestones=[{"title": "完成", "due_on": D(2026, 6, 1), "share": 50}],
        )
    # Two working days before the date (Saturday 9 May is a make-up working day) the lead
    # unit's clerk is reminded, once per plan.
    assert sweeps.remind_due(now=_at(D(2026, 5, 7))).counts["tracked"] == 0
    assert sweeps.remind_due(now=_at(D(2026, 5, 11))).counts["tracked"] == 6
    assert sweeps.remind_due(now=_at(D(2026, 5, 11))).counts["tracked"] == 0
    assert sweeps.escalate_overdue(now=_at(D(2026, 5, 12))).counts["tracked"] == 0
    assert sweeps.escalate_overdue(now=_at(D(2026, 5, 13))).counts["tracked"] == 6
    assert sweeps.escalate_overdue(now=_at(D(2026, 5, 13))).counts["tracked"] == 0
    assert Supervision.objects.filter(deadline__kind="livelihood.plan").count() == 6
    assert not Supervision.objects.filter(deadline__object_id=project.pk).exists()
    outbox.run_pending()
    from notifications.models import Notification

    assert Notification.objects.filter(recipient=world.clerk, kind="deadline_reminder").exists()
    record = Supervision.objects.filter(deadline__kind="livelihood.plan").first()
    assert record.region == world.township and record.unit == world.unit
    from django.test import Client
    from django.urls import reverse

    staff = Client()
    staff.force_login(world.township_officer)
    letter = staff.get(reverse("supervision:letter", args=[record.pk]))  # 提醒督办函
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")
    with pytest.raises(ValidationError, match="还有6个项目未报送实施方案"):
        services.cycle_advance(actor=world.township_officer, cycle=s.cycle, action="start_progress")


def test_year_end_rating_rectification_and_duty_credits(world, clock):
    s = adopted_cycle(world, clock)
    cycle = s.cycle
    services.cycle_advance(actor=world.township_officer, cycle=cycle, action="close_session")
    for project in Project.objects.filter(status="adopted"):
        services.plan_save(
            actor=world.township_officer,
            project=project,
            tasks="任务分解如下",
            milestones=[{"title": "完工", "due_on": D(2026, 10, 1), "share": 100}],
        )
    services.cycle_advance(actor=world.township_officer, cycle=cycle, action="start_progress")
    first = Project.objects.get(status="adopted", rank=1)
    services.supervisors_set(actor=world.township_officer, project=first, deputies=[world.deputy])
    assert DutyCredit.objects.filter(
        kind=DutyKind.PROJECT_SUPERVISION, deputy=world.deputy
    ).exists()
    services.progress_report(
        actor=world.township_officer, project=first, percent_done=100, spent="98.5", note="已完工"
    )
    inspection = services.inspection_log(
        actor=world.deputy_user,
        project=first,
        kind="inspection",
        held_on=D(2026, 4, 10),
        findings="路面平整，排水沟未同步施工",
        deputies=[world.deputy],
        problems=[{"description": "排水沟未同步施工", "due_on": D(2026, 5, 30)}],
    )
    assert DutyCredit.objects.filter(kind=DutyKind.INSPECTION, deputy=world.deputy).count() == 1
    assert TrackedDeadline.objects.filter(kind="livelihood.problem").count() == 1
    assert inspection.problems.count() == 1
    services.cycle_advance(actor=world.township_officer, cycle=cycle, action="start_review")
    meeting = services.meeting_open(actor=world.township_officer, cycle=cycle)
    services.attendance_sign(actor=world.township_officer, meeting=meeting, deputies=s.deputies)
    rating = paper(world, cycle)
    assert rating.purpose == "rating" and rating.projects.count() == 7
    tallies = {}
    for project in rating.projects.all():
        tallies[project.pk] = (
            {"satisfied": 6, "basic": 2, "unsatisfied": 1}
            if project.pk == first.pk
            else {"satisfied": 2, "basic": 2, "unsatisfied": 5}
        )
    services.round_enter_totals(
        actor=world.township_officer, round=rating, issued=9, returned=9, invalid=0, tallies=tallies
    )
    confirm(world, rating)
    first.refresh_from_db()
    assert first.rating == "satisfied" and not first.needs_rectification
    other = Project.objects.filter(status="adopted").exclude(pk=first.pk).first()
    assert other.rating == "unsatisfied" and other.needs_rectification
    services.cycle_advance(actor=world.township_officer, cycle=cycle, action="finish_rating")
    with pytest.raises(ValidationError, match="须先填写书面说明和整改措施"):
        services.cycle_advance(actor=world.township_officer, cycle=cycle, action="close")
    for project in Project.objects.filter(status="adopted", rating="unsatisfied"):
        services.project_explain(
            actor=world.township_officer,
            project=project,
            explanation="受汛期影响工期延误",
            rectification="增加施工班组，年底前完成",
        )
    services.cycle_advance(actor=world.township_officer, cycle=cycle, action="close")
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.DONE
    assert DutyCredit.objects.filter(kind=DutyKind.VOTE, deputy=world.deputy).count() == 2
    # The 不满意 project is carried into next year's cycle, once.
    following = Cycle.objects.create(
        region=world.township,
        year=2027,
        title="天宁镇2027年民生实事项目",
        body=cycle.body,
        collect_from=D(2027, 1, 5),
        collect_until=D(2027, 2, 28),
    )
    carried = services.project_carry(
        actor=world.township_officer, project=other, to_cycle=following
    )
    assert carried.channel == "carried" and carried.carried_from == other
    with pytest.raises(ValidationError, match="已结转"):
        services.project_carry(actor=world.township_officer, project=other, to_cycle=following)
    with pytest.raises(ValidationError, match="只有不满意或未完成"):
        services.project_carry(actor=world.township_officer, project=first, to_cycle=following)
