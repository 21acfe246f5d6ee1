"""Demo formal suggestions for 交城县 (after seeds 000, 001 and 004): a year of them.

Seed 004 reports about 700 suggestions a term in a county; the demo county gets a year's
worth at demo scale (about 60): the session's suggestions handed in on paper in January
and assigned at the 交办会 in February, the rest raised between sessions. They go
through every state: replies of class A-D, ratings, some re-handled after 不满意, B/C
promises checked again (one missed), a few late replies, two refused and one merged,
key supervision (领衔督办) by 吴志勇 (leader_jiaocheng), two withheld from publication.
马志刚 (deputy_demo) has a draft, one raised from a concern of his, and a reply waiting
for his rating; 孙建军 (water_clerk) has 水务局's in hand.

Everything goes through the services with the clock set to the day it happened, so the
audit trail, deadlines, supervision and duty credits read true. Skipped when 交城县
already has suggestions (seeding twice adds nothing).
"""

from __future__ import annotations

import datetime
import random

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import Role, User
from calendars.workdays import is_working_day
from core import clock
from deputies.models import Deputy
from regions.models import Region
from suggestions.models import HandlingUnit, Suggestion

from . import services
from .models import Contact, Proposal

COUNTY = "141122"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
# (title, category, problem, causes, solution, lead unit, co units)
TOPICS = [
    (
        "关于加快城区老旧供水管网改造的建议",
        "urban",
        "城区西街、东关一带供水管网建于上世纪八十年代，漏损严重，夏季用水高峰经常停水。",
        "管网老化，改造资金未列入年度计划。",
        "将老旧管网改造列入明后两年计划，分片实施，先改主管。",
        "交城县水务局",
        ["交城县住房和城乡建设局"],
    ),
    (
        "关于解决山区村饮水安全的建议",
        "agriculture",
        "西社、东坡底等山区村旱季缺水，部分水源水质不达标。",
        "水源地保护不足，集中供水工程覆盖不到。",
        "实施山区集中供水工程，完善水质监测。",
        "交城县水务局",
        [],
    ),
    (
        "关于整治城区雨季内涝的建议",
        "urban",
        "每逢暴雨，天宁大街、永宁路多处积水，车辆熄火。",
        "排水管径偏小，雨污未分流。",
        "实施雨污分流改造，扩建主排水管道。",
        "交城县住房和城乡建设局",
        ["交城县水务局"],
    ),
    (
        "关于加快老旧小区加装电梯的建议",
        "urban",
        "城区多数老旧小区为六层无电梯住宅，老年人上下楼困难。",
        "业主意见难统一，资金筹措难。",
        "出台加装电梯补贴办法，简化审批。",
        "交城县住房和城乡建设局",
        [],
    ),
    (
        "关于增开城乡公交线路的建议",
        "transport",
        "夏家营、岭底等乡镇到县城公交班次少，群众出行不便。",
        "客流少，运营亏损。",
        "增开城乡公交，对偏远线路给予运营补贴。",
        "交城县交通运输局",
        [],
    ),
    (
        "关于改善中小学校周边交通秩序的建议",
        "transport",
        "上下学高峰校门口车辆乱停，学生安全隐患大。",
        "缺少临时停车位和交通疏导。",
        "设置即停即走区，高峰时段安排警力和志愿者疏导。",
        "交城县交通运输局",
        ["交城县教育科技局"],
    ),
    (
        "关于扩充城区学位供给的建议",
        "education",
        "城区小学大班额问题突出，部分班级超过55人。",
        "城区人口增长快，学校建设滞后。",
        "新建一所九年一贯制学校，挖潜扩容现有学校。",
        "交城县教育科技局",
        [],
    ),
    (
        "关于加强农村幼儿园建设的建议",
        "education",
        "部分乡镇幼儿园设施陈旧，师资不足。",
        "投入不足，教师待遇偏低。",
        "实施农村幼儿园提质工程，落实教师待遇。",
        "交城县教育科技局",
        [],
    ),
    (
        "关于发展社区居家养老服务的建议",
        "social",
        "城区空巢老人多，社区养老服务设施少。",
        "养老服务网点布局不足，运营资金缺乏。",
        "每个社区建设日间照料中心，引入专业机构运营。",
        "交城县民政局",
        [],
    ),
    (
        "关于提高农村低保精准度的建议",
        "social",
        "个别村低保评定不够公开，群众有意见。",
        "入户核查不细，公示不到位。",
        "完善入户核查和公示制度，开展专项检查。",
        "交城县民政局",
        [],
    ),
    (
        "关于加强高校毕业生就业服务的建议",
        "social",
        "本地高校毕业生回乡就业渠道少。",
        "岗位信息不对称，创业扶持不足。",
        "举办专场招聘会，完善创业担保贷款政策。",
        "交城县人力资源和社会保障局",
        [],
    ),
    (
        "关于规范农民工工资支付的建议",
        "social",
        "部分工程项目存在拖欠农民工工资现象。",
        "工资保证金制度落实不到位。",
        "全面落实工资专户和保证金制度，加强执法检查。",
        "交城县人力资源和社会保障局",
        [],
    ),
    (
        "关于推进农村天然气入户的建议",
        "urban",
        "城郊村群众冬季取暖仍以燃煤为主。",
        "管网未延伸到村。",
        "制定燃气管网延伸计划，分批入户。",
        "交城县燃气有限公司",
        ["交城县住房和城乡建设局"],
    ),
    (
        "关于加强燃气安全检查的建议",
        "governance",
        "部分餐饮店燃气使用不规范，存在安全隐患。",
        "检查频次不够，宣传不到位。",
        "开展燃气安全专项整治，推广安装报警装置。",
        "交城县燃气有限公司",
        [],
    ),
    (
        "关于提升冬季供暖质量的建议",
        "urban",
        "部分小区冬季室温不达标，群众反映强烈。",
        "老旧管网热损失大，末端水力不平衡。",
        "改造老旧供热管网，建立室温监测和投诉快速处理机制。",
        "交城县集中供热有限公司",
        [],
    ),
    (
        "关于扩大集中供热覆盖范围的建议",
        "urban",
        "新建小区和城郊部分区域尚未接入集中供热。",
        "热源不足，管网延伸滞后。",
        "扩建热源，完善管网规划。",
        "交城县集中供热有限公司",
        ["交城县住房和城乡建设局"],
    ),
    (
        "关于整治天宁镇农村人居环境的建议",
        "environment",
        "部分村垃圾乱堆、污水乱排，影响村容村貌。",
        "保洁队伍不稳定，设施不足。",
        "完善垃圾收运体系，建设村级污水处理设施。",
        "天宁镇人民政府",
        [],
    ),
    (
        "关于支持天宁镇特色农业发展的建议",
        "agriculture",
        "天宁镇核桃、红枣品质好，但销售渠道窄、价格低。",
        "缺少加工企业和品牌。",
        "扶持农产品加工企业，打造区域品牌，发展电商销售。",
        "天宁镇人民政府",
        [],
    ),
    (
        "关于夏家营镇农田水利设施维修的建议",
        "agriculture",
        "部分灌溉渠道年久失修，影响春灌。",
        "管护主体不明确，维修资金缺乏。",
        "明确管护责任，安排专项维修资金。",
        "夏家营镇人民政府",
        ["交城县水务局"],
    ),
    (
        "关于修缮夏家营镇文化广场的建议",
        "culture",
        "镇文化广场设施老化，群众活动场所不足。",
        "维护资金不足。",
        "修缮广场设施，增设健身器材。",
        "夏家营镇人民政府",
        [],
    ),
]
CLASS_WEIGHTS = {"A": 45, "B": 30, "C": 15, "D": 10}
RESULT_WEIGHTS = {"satisfied": 70, "basically": 20, "unsatisfied": 10}


def _ending(rng) -> tuple[str, str]:
    """How a handled one ends: the reply's class and the author's rating of the result."""
    klass = rng.choices(list(CLASS_WEIGHTS), weights=list(CLASS_WEIGHTS.values()))[0]
    result = rng.choices(list(RESULT_WEIGHTS), weights=list(RESULT_WEIGHTS.values()))[0]
    return klass, result


def _user(username):
    return User.objects.filter(username=username, is_active=True).first()


def _letter():
    return SimpleUploadedFile("答复函.pdf", PDF, content_type="application/pdf")


def _at(day):
    return clock.frozen(day)


def _contact(actor, proposal, stage, day, mode=Contact.Mode.FACE):
    with _at(day):
        services.contact_record(
            actor=actor,
            proposal=proposal,
            stage=stage,
            held_on=day,
            mode=mode,
            participants=f"{proposal.author.name}代表、承办单位分管负责人",
            agreed="通报办理思路，听取代表意见，明确完成时限。",
        )


def _reply(actor, proposal, klass, day, text=""):
    promise = {}
    if klass in ("B", "C"):
        promise = {
            "promise": "按计划分步实施，完成后书面报告代表。",
            "promise_due": day + datetime.timedelta(days=120 if klass == "B" else 240),
        }
    with _at(day):
        services.proposal_reply(
            actor=actor,
            proposal=proposal,
            klass=klass,
            text=text or "经研究，已将建议事项列入工作计划，具体措施如下：一是……二是……",
            signed_by="局长 签发",
            letter=_letter(),
            **promise,
        )


def _rate(actor, proposal, result, day):
    with _at(day):
        services.proposal_rate(
            actor=actor,
            proposal=proposal,
            attitude="satisfied",
            result=result,
            comment="" if result != "unsatisfied" else "只有原则表态，没有具体时间表。",
        )


def _handle(office, clerks, proposal, lead, start, rng, ending, today):
    """Contacts, the reply, the rating, maybe a re-handling; stops before `today`."""
    actor = clerks.get(lead.name, office)
    before = start + datetime.timedelta(days=rng.randint(7, 20))
    if before >= today:
        return
    mode = rng.choices(["face", "phone", "letter"], weights=[75, 18, 7])[0]
    _contact(actor, proposal, "before", before, mode=mode)
    during = before + datetime.timedelta(days=rng.randint(15, 30))
    if during < today and rng.random() < 0.6:
        _contact(actor, proposal, "during", during, mode=rng.choice(["site", "phone", "phone"]))
    replied_on = start + datetime.timedelta(days=rng.randint(50, 100))
    if replied_on >= today or ending is None:
        return
    klass, result = ending
    _contact(actor, proposal, "reply", replied_on, mode=rng.choice(["face", "letter", "phone"]))
    _reply(actor, proposal, klass, replied_on)
    rated = replied_on + datetime.timedelta(days=rng.randint(5, 15))
    if rated >= today:
        return
    _rate(office, proposal, result, rated)
    if result != "unsatisfied":
        return
    again = rated + datetime.timedelta(days=rng.randint(10, 20))
    if again >= today:
        return
    _contact(
        actor, Proposal.objects.get(pk=proposal.pk), "before", again - datetime.timedelta(days=5)
    )
    _reply(
        actor, proposal, "A" if klass != "A" else "B", again, text="再办理：已落实资金，近期开工。"
    )
    if again + datetime.timedelta(days=7) < today:
        _rate(office, proposal, "basically", again + datetime.timedelta(days=7))


def seed(stdout=None) -> None:
    county = Region.objects.filter(code=COUNTY).first()
    if county is None or Proposal.objects.filter(region=county).exists():
        return
    office = User.objects.filter(
        role_assignments__role=Role.COUNTY_STAFF, role_assignments__region=county
    ).first()
    if office is None:
        return
    units = {u.name: u for u in HandlingUnit.objects.filter(region_path__startswith=county.path)}
    deputies = list(
        Deputy.objects.filter(
            level=Deputy.Level.COUNTY,
            status=Deputy.Status.ACTIVE,
            region_path__startswith=county.path,
        ).order_by("pk")[:40]
    )
    if not units or len(deputies) < 5:
        return
    rng = random.Random(16)
    today = clock.today()
    clerks = {"交城县水务局": _user("water_clerk")} if _user("water_clerk") else {}
    leader = _user("leader_jiaocheng")
    session_day = today - datetime.timedelta(days=330)
    meeting_day = session_day + datetime.timedelta(days=26)
    while not is_working_day(meeting_day, region=county):  # held on a working day
        meeting_day += datetime.timedelta(days=1)
    with _at(meeting_day):
        meeting = services.meeting_create(
            actor=office,
            region=county,
            title=f"{meeting_day.year}年人代会代表建议交办会",
            held_on=meeting_day,
            note="县人大常委会、县政府联合召开。",
        )
    made = []
    plan = []
    for i in range(58):
        topic = TOPICS[i % len(TOPICS)]
        session = "during" if i < 24 else "between"
        if session == "during":
            day = session_day + datetime.timedelta(days=rng.randint(0, 3))
        else:
            day = session_day + datetime.timedelta(days=40 + (i - 24) * 8 + rng.randint(0, 4))
        if day >= today - datetime.timedelta(days=2):
            day = today - datetime.timedelta(days=rng.randint(3, 6))
        plan.append((i, topic, session, day))
    plan.sort(key=lambda row: row[3])
    for order, (i, topic, session, day) in enumerate(plan):
        title, category, problem, causes, solution, lead_name, co_names = topic
        if i >= len(TOPICS):
            title = title.replace("的建议", f"（{['二', '三', '四'][i // len(TOPICS) - 1]}）的建议")
        author = deputies[i % len(deputies)]
        cosigners = [d.pk for d in rng.sample(deputies, 2) if d.pk != author.pk]
        with _at(day):
            proposal = services.proposal_record_paper(
                actor=office,
                author=author,
                values={
                    "title": title,
                    "category": category,
                    "session": session,
                    "problem": problem,
                    "causes": causes,
                    "solution": solution,
                },
                cosigner_ids=cosigners if rng.random() < 0.6 else [],
                token=f"demo-proposal-{i}",
            )
        made.append(proposal)
        register_day = day + datetime.timedelta(days=2)
        if register_day >= today or order >= len(plan) - 2:
            continue  # the newest wait for the office
        if i in (30, 41):
            with _at(register_day):
                services.proposal_refuse(
                    actor=office,
                    proposal=proposal,
                    reason="not_proposal" if i == 30 else "litigation",
                    note="属于具体个人诉求，已转有关部门依法处理。"
                    if i == 30
                    else "涉及正在审理的民事诉讼。",
                )
            continue
        if i == 44:
            with _at(register_day):
                services.proposal_merge(actor=office, proposal=proposal, into=made[0])
            continue
        with _at(register_day):
            services.proposal_register(actor=office, proposal=proposal)
        lead = units.get(lead_name) or next(iter(units.values()))
        start = meeting_day if session == "during" else day + datetime.timedelta(days=5)
        if start >= today or (session == "between" and i % 9 == 8):
            continue  # registered, waiting for its assignment
        with _at(max(start, register_day)):
            services.proposal_assign(
                actor=office,
                proposal=proposal,
                lead_unit=lead,
                co_units=[units[n] for n in co_names if n in units and units[n] != lead],
                hard_case=i % 11 == 5,
                meeting=meeting if session == "during" else None,
            )
        for row in proposal.assignments.filter(role="co"):
            view_day = start + datetime.timedelta(days=rng.randint(10, 25))
            if view_day < today:
                with _at(view_day):
                    services.co_view_submit(
                        actor=clerks.get(row.unit.name, office),
                        assignment=row,
                        text="我单位同意主办单位的办理方案，将配合做好相关工作。",
                    )
        with _at(start + datetime.timedelta(days=5)):
            if start + datetime.timedelta(days=5) < today:
                services.plan_save(
                    actor=clerks.get(lead.name, office),
                    proposal=proposal,
                    scheme="成立专班，制定办理方案。",
                    measures="摸底调查、争取资金、分步实施。",
                    goal="年内完成主要任务。",
                    due=start + datetime.timedelta(days=80),
                )
        ending = None if i % 13 == 3 else _ending(rng)
        _handle(office, clerks, proposal, lead, start, rng, ending, today)
    # 重点督办 by the county's leader, and two withheld from publication.
    replied = [p for p in Proposal.objects.filter(region=county).order_by("pk")]
    if leader is not None:
        for p in [p for p in replied if p.status in ("assigned", "replied")][:3]:
            services.proposal_supervise(actor=office, proposal=p, key=True, supervisor=leader)
    for p in [p for p in replied if p.status == "closed"][-2:]:
        services.proposal_publication(
            actor=office, proposal=p, withheld=True, reason="涉及尚未公开的规划信息。"
        )
    # Promises kept (回头看) on the earliest B/C replies whose date has come.
    for p in Proposal.objects.filter(region=county, status="closed", replies__klass__in=["B"]):
        reply = p.current_reply()
        if reply.promise_due and reply.promise_due < today and not reply.promise_reported_at:
            with _at(reply.promise_due - datetime.timedelta(days=3)):
                services.promise_report(
                    actor=clerks.get(reply.unit.name, office),
                    proposal=p,
                    text="承诺事项已按期完成，已书面报告代表。",
                )
            break
    _showcase(office, units, today)
    if stdout:
        stdout.write(
            f"proposals: {Proposal.objects.filter(region=county).count()} formal suggestions"
        )


def _showcase(office, units, today):
    """马志刚's own: a reply waiting for his rating, one from a concern, a draft."""
    deputy_user = _user("deputy_demo")
    clerk = _user("water_clerk")
    deputy = Deputy.objects.filter(user=deputy_user).first() if deputy_user else None
    water = units.get("交城县水务局")
    if deputy is None or water is None:
        return
    raised = today - datetime.timedelta(days=75)
    with _at(raised):
        mine = services.proposal_create(
            actor=deputy_user,
            values={
                "title": "关于西街社区供水二次加压的建议",
                "category": "urban",
                "session": "between",
                "problem": "西街社区高层住户水压不足，早晚高峰经常断水。",
                "causes": "小区二次供水设施老化，加压泵站能力不足。",
                "solution": "改造二次供水泵房，纳入县水务局统一管理。",
            },
        )
        services.proposal_submit(actor=deputy_user, proposal=mine)
    with _at(raised + datetime.timedelta(days=2)):
        services.proposal_register(actor=office, proposal=mine)
    with _at(raised + datetime.timedelta(days=4)):
        services.proposal_assign(actor=office, proposal=mine, lead_unit=water)
    actor = clerk or office
    _contact(actor, mine, "before", raised + datetime.timedelta(days=12))
    _contact(actor, mine, "during", raised + datetime.timedelta(days=40), mode=Contact.Mode.SITE)
    _contact(actor, mine, "reply", raised + datetime.timedelta(days=70))
    _reply(
        actor,
        mine,
        "A",
        raised + datetime.timedelta(days=70),
        text="泵房改造已完成，高峰水压恢复正常。",
    )
    concern = Suggestion.objects.filter(deputy=deputy).order_by("-submitted_at").first()
    sources = [("suggestion", concern.pk)] if concern else []
    with _at(today - datetime.timedelta(days=1)):
        services.proposal_create(
            actor=deputy_user,
            values={
                "title": "关于天宁镇西街道路修补的建议",
                "category": "transport",
                "session": "between",
                "problem": concern.content if concern else "西街主路坑洼多，雨天积水。",
                "causes": "道路建成多年，养护资金不足。",
                "solution": "将西街道路纳入明年县乡道路养护计划。",
            },
            sources=sources,
        )
