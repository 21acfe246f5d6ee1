"""Demo livelihood-project cycles for Lvliang (吕梁市), after seed 002.

- 交城县 (its people's congress, county deputies seated): a finished cycle (this year's
  in December, after its rating on 1 December; else last year's):
  proposals from every channel, screening with reasons, 8 candidates for 7 places with
  a 10% margin, the approval trail, a paper round entered and confirmed by two
  tellers, the notice, plans within 30 days, progress, an inspection, the year-end
  satisfaction vote (one project 不满意, with its explanation and rectification);
- 天宁镇 (its township congress): a cycle open for proposals on its public page (next
  year's in December, else this year's), with its first proposals.

Everything goes through the services with the clock set to the day it happened, so
the audit trail, the deadlines and the duty credits read true. Skipped when the cycle
already exists (seeding twice adds nothing).
"""

from __future__ import annotations

import datetime

from accounts.models import Role, User
from core import clock
from regions.models import Region
from suggestions.models import HandlingUnit

from . import services
from .models import Body, Cycle, Project

COUNTY_CODE = "141122"
TOWNSHIP_NAME = "天宁镇"
D = datetime.date

PROPOSALS = [
    ("坡底社区道路硬化", "天宁镇坡底社区主干道管网改造后路面破损约1.2公里，需硬化", "letter"),
    ("城区老旧小区改造", "城区2000年前建成的12个小区外墙保温、管网更新", "meeting"),
    ("农村饮水安全提升", "西营镇等5个乡镇集中供水管网延伸", "reception"),
    ("中小学校舍维修", "城区3所小学校舍维修和操场改造", "letter"),
    ("城乡公交线路优化", "新增两条城乡公交线路，延伸到偏远村", "meeting"),
    ("老年助餐服务", "在社区建设10个老年助餐点", "reception"),
    ("城区停车位建设", "利用边角地新建公共停车位500个", "letter"),
    ("公共厕所改造", "改造城区和集镇公厕20座", "meeting"),
    ("坡底社区道路修补", "坡底社区道路坑洼，雨天出行难", "reception"),  # merged into the first
    ("建设大型体育馆", "县城新建一座万人体育馆", "letter"),  # not adopted
]
CANDIDATES = [
    # name, content, implementer, investment (万元), unit name hint
    ("坡底社区等道路硬化工程", "硬化坡底社区等4个社区道路约5公里", "县住建局", 860, "住建"),
    ("老旧小区改造", "完成12个老旧小区外墙保温、雨污分流和管网更新", "县住建局", 2400, "住建"),
    ("农村饮水安全巩固提升", "集中供水管网延伸至5个乡镇28个村", "县水务局", 1350, "水务"),
    ("中小学校舍维修改造", "维修3所小学校舍，改造2块操场", "县教育局", 620, "教育"),
    ("城乡公交线路优化", "新增2条城乡公交线路，更新新能源公交车10辆", "县交通运输局", 480, "交通"),
    ("社区老年助餐服务", "建设社区老年助餐点10个", "县民政局", 300, "民政"),
    ("公共停车位建设", "新建公共停车位500个", "县住建局", 750, "住建"),
    ("城乡公厕改造提升", "改造城区和集镇公厕20座", "县城管局", 260, "城管"),
]


def _staff(role: str, region: Region) -> User | None:
    return (
        User.objects.filter(
            is_active=True, role_assignments__role=role, role_assignments__region=region
        )
        .order_by("pk")
        .first()
    )


def _unit(county: Region, hint: str) -> HandlingUnit | None:
    return (
        HandlingUnit.objects.filter(region_path__startswith=county.path, name__contains=hint)
        .order_by("pk")
        .first()
        or HandlingUnit.objects.filter(region_path__startswith=county.path).order_by("pk").first()
    )


def _at(day: datetime.date, hour: int = 10):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=datetime.UTC)


def _finished(actor, second, county: Region, year: int) -> Cycle:
    with clock.frozen(_at(D(year, 1, 3))):
        cycle = services.cycle_create(
            actor=actor,
            region=county,
            year=year,
            title=f"交城县{year}年民生实事项目人大代表票决",
            body=Body.COUNTY_CONGRESS,
            body_name="交城县第十七届人民代表大会第四次会议",
            description="请围绕教育、医疗、养老、交通、住房、饮水等方面提出您身边的民生实事。",
            collect_from=D(year, 1, 5),
            collect_until=D(year, 2, 28),
            session_on=D(year, 4, 10),
            review_on=D(year, 12, 1),
            places=7,
            competitive=True,
            margin_percent=10,
        )
    proposals = []
    for i, (title, content, channel) in enumerate(PROPOSALS):
        day = D(year, 1, 8) + datetime.timedelta(days=i * 5)
        with clock.frozen(_at(day)):
            if channel == "letter" and i % 2:
                proposal, _created = services.proposal_submit(
                    actor=None, cycle=cycle, title=title, content=content
                )
            else:
                proposal = services.proposal_record(
                    actor=actor, cycle=cycle, channel=channel, title=title, content=content
                )
        proposals.append(proposal)
    with clock.frozen(_at(D(year, 3, 1))):
        services.cycle_advance(actor=actor, cycle=cycle, action="close_collection")
        projects = []
        for name, content, implementer, money, hint in CANDIDATES:
            projects.append(
                services.project_create(
                    actor=actor,
                    cycle=cycle,
                    name=name,
                    content=content,
                    implementer=implementer,
                    lead_unit=_unit(county, hint),
                    investment=money,
                    funding_source="县级财政",
                    due_by=D(year, 11, 30),
                    requirements="按期完工，资金专款专用，接受人大代表监督。",
                )
            )
        criteria = {"necessity": True, "feasibility": True, "inclusiveness": True, "balance": True}
        for proposal, project in zip(proposals[:8], projects, strict=True):
            services.proposal_decide(
                actor=actor,
                proposal=proposal,
                decision="candidate",
                reason="群众反映集中，符合必要性、可行性、普惠性和区域平衡协调性",
                criteria=criteria,
                project=project,
            )
        services.proposal_decide(
            actor=actor,
            proposal=proposals[8],
            decision="merged",
            reason="与第1件内容相同，合并办理。",
            merged_into=proposals[0],
        )
        services.proposal_decide(
            actor=actor,
            proposal=proposals[9],
            decision="rejected",
            reason="投资超出县级财力，可行性不足，建议列入中长期规划",
            criteria={"necessity": True, "feasibility": False},
        )
    for kind, day in (("directors", 5), ("party", 12), ("standing", 20), ("presidium", 30)):
        with clock.frozen(_at(D(year, 3, day))):
            services.approval_record(actor=actor, cycle=cycle, kind=kind, held_on=D(year, 3, day))
    with clock.frozen(_at(D(year, 4, 1))):
        services.cycle_advance(actor=actor, cycle=cycle, action="fix_candidates")
        services.members_from_register(actor=actor, cycle=cycle)
    seated = list(cycle.members.select_related("deputy").order_by("deputy_id"))
    if len(seated) < 3:
        return cycle
    with clock.frozen(_at(D(year, 4, 10), 9)):
        services.cycle_advance(actor=actor, cycle=cycle, action="start_voting")
        meeting = services.meeting_open(actor=actor, cycle=cycle, held_on=D(year, 4, 10))
        present = seated[: max(len(seated) * 9 // 10, cycle.quorum_for(len(seated)))]
        services.attendance_sign(actor=actor, meeting=meeting, deputies=[m.deputy for m in present])
        round = services.round_open(actor=actor, cycle=cycle, method="paper")
        n = len(present)
        shares = [0.96, 0.93, 0.9, 0.86, 0.82, 0.78, 0.71, 0.31]
        tallies = {}
        for project, share in zip(projects, shares, strict=True):
            yes = int(n * share)
            tallies[project.pk] = {
                "yes": yes,
                "no": (n - yes) * 2 // 3,
                "abstain": (n - yes) - (n - yes) * 2 // 3,
            }
        services.round_enter_totals(
            actor=actor, round=round, issued=n, returned=n, invalid=0, tallies=tallies
        )
        services.round_confirm(actor=actor, round=round, role="counter", teller_name="王建国")
        services.round_confirm(actor=second, round=round, role="scrutineer", teller_name="李秀兰")
        services.cycle_advance(actor=actor, cycle=cycle, action="publish")
    with clock.frozen(_at(D(year, 4, 12))):
        services.cycle_advance(actor=actor, cycle=cycle, action="close_session")
    adopted = list(Project.objects.filter(cycle=cycle, status="adopted").order_by("rank"))
    for i, project in enumerate(adopted):
        with clock.frozen(_at(D(year, 4, 20 + i))):
            services.plan_save(
                actor=actor,
                project=project,
                tasks="一、4月完成勘察设计；二、5月完成招标；三、6月至10月施工；四、11月验收。",
                milestones=[
                    {"title": "完成勘察设计和招标", "due_on": D(year, 5, 31), "share": 20},
                    {"title": "主体施工", "due_on": D(year, 9, 30), "share": 60},
                    {"title": "竣工验收", "due_on": D(year, 11, 30), "share": 20},
                ],
            )
    with clock.frozen(_at(D(year, 5, 6))):
        services.cycle_advance(actor=actor, cycle=cycle, action="start_progress")
        deputies = [m.deputy for m in present]
        for i, project in enumerate(adopted):
            group = deputies[i * 3 : i * 3 + 3] or deputies[:3]
            services.supervisors_set(actor=actor, project=project, deputies=group)
    for i, project in enumerate(adopted):
        done = 100 if i != len(adopted) - 1 else 70
        with clock.frozen(_at(D(year, 11, 20))):
            services.progress_report(
                actor=actor,
                project=project,
                percent_done=done,
                spent=int(project.investment) * done // 100,
                note="已按方案完成建设任务" if done == 100 else "受汛期影响，主体施工滞后",
            )
    with clock.frozen(_at(D(year, 9, 15))):
        services.inspection_log(
            actor=actor,
            project=adopted[0],
            kind="inspection",
            held_on=D(year, 9, 15),
            findings="道路硬化基本完成，坡底社区排水沟未同步施工",
            deputies=list(adopted[0].supervisors.all()),
            problems=[{"description": "坡底社区排水沟未同步施工", "due_on": D(year, 10, 15)}],
        )
        problem = adopted[0].problems.first()
    with clock.frozen(_at(D(year, 10, 10))):
        services.problem_resolve(actor=actor, problem=problem, resolution="排水沟已于10月完工")
    with clock.frozen(_at(D(year, 12, 1), 9)):
        services.cycle_advance(actor=actor, cycle=cycle, action="start_review")
        meeting = services.meeting_open(actor=actor, cycle=cycle, held_on=D(year, 12, 1))
        services.attendance_sign(actor=actor, meeting=meeting, deputies=[m.deputy for m in present])
        rating = services.round_open(actor=actor, cycle=cycle, method="paper")
        tallies = {}
        for i, project in enumerate(adopted):
            if i == len(adopted) - 1:
                s, b = n // 5, n // 5
            else:
                s, b = int(n * 0.7), int(n * 0.2)
            tallies[project.pk] = {"satisfied": s, "basic": b, "unsatisfied": n - s - b}
        services.round_enter_totals(
            actor=actor, round=rating, issued=n, returned=n, invalid=0, tallies=tallies
        )
        services.round_confirm(actor=actor, round=rating, role="counter", teller_name="王建国")
        services.round_confirm(actor=second, round=rating, role="scrutineer", teller_name="李秀兰")
        services.cycle_advance(actor=actor, cycle=cycle, action="finish_rating")
        for project in Project.objects.filter(cycle=cycle, status="adopted"):
            if project.needs_rectification:
                services.project_explain(
                    actor=actor,
                    project=project,
                    explanation="受汛期影响，主体施工滞后两个月，未能按期完成。",
                    rectification="增加施工班组，次年5月底前完成；结转下一年度跟踪监督。",
                    rectification_due=D(year + 1, 5, 31),
                )
        services.cycle_advance(actor=actor, cycle=cycle, action="close")
    return cycle


def _open(actor, township: Region, year: int, today: datetime.date) -> Cycle:
    cycle = services.cycle_create(
        actor=actor,
        region=township,
        year=year,
        title=f"天宁镇{year}年民生实事项目征集",
        body=Body.TOWNSHIP_CONGRESS,
        body_name="天宁镇第十八届人民代表大会第四次会议",
        description="扫码提出您身边的民生实事，每件建议都会公布初审结果和理由。",
        collect_from=today - datetime.timedelta(days=7),
        collect_until=today + datetime.timedelta(days=45),
        places=5,
        competitive=True,
        margin_percent=25,
    )
    for title, content in (
        ("西街路灯更换", "西街社区主路路灯老化，夜间照明不足"),
        ("坡底社区健身广场", "利用闲置地建设小型健身广场"),
        ("集镇污水管网", "集镇主街污水管网改造，解决污水外溢"),
    ):
        services.proposal_submit(actor=None, cycle=cycle, title=title, content=content)
    services.proposal_record(
        actor=actor,
        cycle=cycle,
        channel="reception",
        title="村卫生室改造",
        content="代表接待日群众反映，3个村卫生室房屋老旧",
    )
    return cycle


def seed(stdout=None) -> None:
    county = Region.objects.filter(code=COUNTY_CODE).first()
    if county is None:
        return
    actor = _staff(Role.COUNTY_STAFF, county)
    second = _staff(Role.CITY_STAFF, county.parent) if county.parent else None
    if actor is None or second is None:
        return
    today = clock.today()
    made = []
    # The finished cycle is this year's once its year-end rating (1 December) is past,
    # else last year's; the open one is next year's in December, else this year's, so
    # the current year's dashboard shows one of them.
    finished_year = today.year if (today.month, today.day) >= (12, 2) else today.year - 1
    if not Cycle.objects.filter(region=county, year=finished_year).exists():
        made.append(_finished(actor, second, county, finished_year))
    township = Region.objects.filter(parent=county, name=TOWNSHIP_NAME).first()
    township_staff = _staff(Role.TOWNSHIP_STAFF, township) if township else None
    year = today.year + 1 if today.month == 12 else today.year
    if township_staff and not Cycle.objects.filter(region=township, year=year).exists():
        made.append(_open(township_staff, township, year, today))
    if stdout:
        stdout.write(f"livelihood: {len(made)} cycles")
