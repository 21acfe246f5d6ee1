"""Livelihood-project objects on the 交城县 side of the `world` cast, made on first use.

天宁镇's congress runs its 2026 cycle (`cycle`), with nine seated deputies (the cast's
two and seven more); 文水县's 凤城镇 runs its own (`neighbour_cycle`). `voting_cycle`
builds a cycle standing at the session, with candidates, roster and sign-in, for the
vote's tests.
"""

import datetime
from types import SimpleNamespace

from deputies.models import Deputy
from livelihood import services
from livelihood.models import (
    ApprovalStep,
    Body,
    Cycle,
    Meeting,
    Member,
    Milestone,
    Problem,
    Project,
    Proposal,
    Round,
)
from tests import factories as f

D = datetime.date
SESSION = D(2026, 4, 10)


def make_cycle(region, *, title, status=Cycle.Status.COLLECTING, **settings):
    return Cycle.objects.create(
        region=region,
        year=2026,
        title=title,
        body=Body.TOWNSHIP_CONGRESS,
        collect_from=D(2026, 1, 5),
        collect_until=D(2026, 2, 28),
        session_on=SESSION,
        status=status,
        **settings,
    )


def seat(cycle, deputies):
    Member.objects.bulk_create([Member(cycle=cycle, deputy=d) for d in deputies])


def candidates(cycle, n, unit=None):
    return [
        Project.objects.create(
            cycle=cycle,
            number=i + 1,
            name=f"候选项目{i + 1}",
            content=f"第{i + 1}个项目的主要内容",
            implementer="天宁镇人民政府",
            lead_unit=unit,
            investment=100 + i,
            funding_source="镇级财政",
            due_by=D(2026, 11, 30),
        )
        for i in range(n)
    ]


def township_deputies(world, extra: int):
    more = [
        f.DeputyFactory(name=f"天宁代表{i}", region=world.township, level=Deputy.Level.TOWNSHIP)
        for i in range(extra)
    ]
    return [world.deputy, world.other_deputy, *more]


def voting_cycle(
    world,
    *,
    n_candidates=8,
    places=7,
    seated=9,
    present=None,
    competitive=True,
    margin_percent=10,
    base=Cycle.Base.PRESENT,
    region=None,
):
    """A cycle at its session: candidates fixed, roster seated, `present` signed in."""
    cycle = make_cycle(
        region or world.township,
        title="天宁镇2026年民生实事项目票决",
        status=Cycle.Status.CANDIDATES,
        places=places,
        competitive=competitive,
        margin_percent=margin_percent,
        threshold_base=base,
    )
    projects = candidates(cycle, n_candidates, unit=world.unit)
    deputies = township_deputies(world, seated - 2)
    seat(cycle, deputies)
    ApprovalStep.objects.create(cycle=cycle, kind="party", held_on=D(2026, 3, 20))
    services.cycle_advance(actor=world.township_officer, cycle=cycle, action="start_voting")
    meeting = services.meeting_open(actor=world.township_officer, cycle=cycle, held_on=SESSION)
    signed = deputies[: seated if present is None else present]
    services.attendance_sign(actor=world.township_officer, meeting=meeting, deputies=signed)
    cycle.refresh_from_db()
    return SimpleNamespace(
        cycle=cycle, projects=projects, deputies=deputies, meeting=meeting, signed=signed
    )


def livelihood_world(world) -> SimpleNamespace:
    """One cycle of each kind of object the pages address, on the 交城县 side."""
    if getattr(world, "_livelihood_world", None) is not None:
        return world._livelihood_world
    cycle = make_cycle(world.township, title="天宁镇2026年民生实事项目", places=1)
    seat(cycle, [world.deputy, world.other_deputy])
    proposal = Proposal.objects.create(
        cycle=cycle,
        number=1,
        title="坡底社区道路硬化",
        content="坡底社区主干道硬化，雨天出行难",
        contact_name="孙庆华",
        contact_phone="13912345678",
        channel=Proposal.Channel.ONLINE,
        received_on=D(2026, 1, 10),
    )
    project = candidates(cycle, 1, unit=world.unit)[0]
    project.status = Project.Status.ADOPTED
    project.save(update_fields=["status"])
    project.supervisors.add(world.deputy)
    meeting = Meeting.objects.create(cycle=cycle, purpose="select", held_on=SESSION)
    round = Round.objects.create(
        cycle=cycle,
        meeting=meeting,
        number=1,
        purpose="select",
        method="electronic",
        status=Round.Status.COUNTING,
        places=1,
        seated=2,
        present=2,
        base=2,
        opened_at=datetime.datetime(2026, 4, 10, 9, tzinfo=datetime.UTC),
        issued=2,
        returned=0,
    )
    round.projects.add(project)
    milestone = Milestone.objects.create(
        cycle=cycle, project=project, title="完成招标", due_on=D(2026, 6, 1), share=100
    )
    problem = Problem.objects.create(
        cycle=cycle, project=project, description="排水沟未同步施工", due_on=D(2026, 7, 1)
    )
    neighbour_cycle = make_cycle(world.neighbour_township, title="凤城镇2026年民生实事项目")
    world._livelihood_world = SimpleNamespace(
        cycle=cycle,
        proposal=proposal,
        project=project,
        meeting=meeting,
        round=round,
        milestone=milestone,
        problem=problem,
        neighbour_cycle=neighbour_cycle,
    )
    return world._livelihood_world
