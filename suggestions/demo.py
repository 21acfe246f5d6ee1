"""Demo suggestions for 吕梁市: handling units, deadline rules, reply templates, ~300 suggestions.

Units are made for 交城县 and 离石区 (the counties whose demo accounts handle
suggestions); suggestions come through the demo deputies' and stations' codes all over the
city, in every state of the workflow, dated over the past six months. A fixed seed
gives the same world every time; a second run adds nothing (suggestions are keyed by
their submission token "demo-NNNN").
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from core import clock
from deputies.models import StationMembership, current_membership_q
from regions.models import Region
from stations.models import Station

from . import deadlines
from .models import (
    Assignment,
    Category,
    Channel,
    Constituent,
    ExtensionRequest,
    HandlingUnit,
    ReplyTemplate,
    SLAProfile,
    Suggestion,
    SuggestionEvent,
)

CITY_CODE = "1411"
TOTAL = 300
TOKEN_PREFIX = "demo-"
Kind = HandlingUnit.Kind
C = Category

# (county code, unit name, kind, the categories it leads on)
UNITS = [
    ("141122", "交城县水务局", Kind.DEPARTMENT, [C.WATER, C.DRAINAGE]),
    ("141122", "交城县交通运输局", Kind.DEPARTMENT, [C.ROADS, C.PARKING]),
    ("141122", "交城县住房和城乡建设局", Kind.DEPARTMENT, [C.OLD_HOUSING, C.DRAINAGE]),
    ("141122", "交城县教育科技局", Kind.DEPARTMENT, [C.SCHOOLS]),
    ("141122", "交城县民政局", Kind.DEPARTMENT, [C.ELDERLY_CARE]),
    ("141122", "交城县人力资源和社会保障局", Kind.DEPARTMENT, [C.EMPLOYMENT]),
    ("141122", "交城县燃气有限公司", Kind.UTILITY, [C.GAS]),
    ("141122", "交城县集中供热有限公司", Kind.UTILITY, [C.HEATING]),
    ("141122100", "天宁镇人民政府", Kind.TOWNSHIP_GOVERNMENT, [C.ENVIRONMENT, C.OTHER]),
    ("141122101", "夏家营镇人民政府", Kind.TOWNSHIP_GOVERNMENT, [C.ENVIRONMENT, C.OTHER]),
    ("141102", "离石区水利局", Kind.DEPARTMENT, [C.WATER]),
    ("141102", "离石区交通运输局", Kind.DEPARTMENT, [C.ROADS, C.PARKING]),
    ("141102", "离石区住房和城乡建设局", Kind.DEPARTMENT, [C.OLD_HOUSING, C.DRAINAGE]),
    ("141102", "离石区教育局", Kind.DEPARTMENT, [C.SCHOOLS]),
    ("141102", "离石区民政局", Kind.DEPARTMENT, [C.ELDERLY_CARE]),
    ("141102", "离石区人力资源和社会保障局", Kind.DEPARTMENT, [C.EMPLOYMENT]),
    ("141102", "吕梁市燃气有限公司离石分公司", Kind.UTILITY, [C.GAS]),
    ("141102", "离石区热力有限公司", Kind.UTILITY, [C.HEATING]),
    ("141102001", "滨河街道办事处", Kind.TOWNSHIP_GOVERNMENT, [C.ENVIRONMENT, C.OTHER]),
    ("141102002", "凤山街道办事处", Kind.TOWNSHIP_GOVERNMENT, [C.ENVIRONMENT, C.OTHER]),
]

CONTENT = {
    C.ROADS: [
        "{place}主路有好几个大坑，下雨天积水，电动车经过很危险，希望尽快修补。",
        "{place}路口没有红绿灯，早晚上下学时段车多，孩子过马路不安全。",
        "{place}通往镇上的路灯坏了一大半，晚上出行看不清路。",
        "{place}公交站取消后，老人去县城看病要走很远，希望恢复站点。",
        "{place}村道太窄，会车困难，建议加宽或者设置错车道。",
    ],
    C.GAS: [
        "{place}楼道里经常闻到煤气味，担心管道老化泄漏，请燃气公司上门检查。",
        "{place}还没有通天然气，冬天烧煤取暖有安全隐患，希望早日通气。",
        "{place}燃气表坏了，燃气公司说要自费更换，费用太高，希望给个说法。",
        "{place}燃气公司安检人员上门次数太少，老人不会检查灶具软管。",
    ],
    C.WATER: [
        "{place}这几天自来水发黄，有异味，不敢做饭用，请检测水质。",
        "{place}高层住户水压太低，白天基本上不来水。",
        "{place}已经停水三天了，没有任何通知，老人买水很困难。",
        "{place}自来水管道漏水，路面一直湿着，冬天结冰容易摔倒。",
        "{place}村里的自来水一天只供两个小时，希望延长供水时间。",
    ],
    C.HEATING: [
        "{place}暖气不热，室温只有十二三度，家里有老人和小孩。",
        "{place}供暖管道入户阀门坏了，热力公司说不归他们管。",
        "{place}今年还没开始供暖，天已经很冷了，希望提前供暖。",
        "{place}暖气费收费标准不清楚，希望公开计费依据。",
    ],
    C.DRAINAGE: [
        "{place}下水道经常堵，污水漫到路面上，气味很大。",
        "{place}一下大雨就积水，地下室被淹过两次。",
        "{place}排水沟被垃圾堵死了，雨季前希望清理一下。",
        "{place}化粪池满了没人清掏，污水外溢。",
    ],
    C.PARKING: [
        "{place}车位太少，车辆乱停乱放，消防通道被堵。",
        "{place}小区门口被占道停车，救护车都进不来。",
        "{place}附近缺少电动车充电桩，居民只能飞线充电，很不安全。",
        "{place}停车收费不合理，希望物价部门核查。",
    ],
    C.OLD_HOUSING: [
        "{place}是九十年代的老楼，外墙脱落，屋顶漏水，希望纳入老旧小区改造。",
        "{place}楼道没有扶手，老人上下楼困难，希望加装电梯或扶手。",
        "{place}老旧小区改造后，施工留下的建筑垃圾一直没人清运。",
        "{place}没有物业管理，楼道灯坏了没人修，卫生没人管。",
    ],
    C.SCHOOLS: [
        "{place}附近的小学学位紧张，孩子入学要跑很远。",
        "{place}学校门口上下学时段拥堵，希望安排交警疏导。",
        "{place}幼儿园收费偏高，希望增加普惠性幼儿园学位。",
        "{place}学校周边小摊贩卖三无食品，担心孩子健康。",
    ],
    C.ELDERLY_CARE: [
        "{place}独居老人多，希望开办老年食堂，解决吃饭难。",
        "{place}日间照料中心建好了一直没开放使用。",
        "{place}高龄津贴发放不及时，老人们很着急。",
        "{place}希望社区医生定期上门，为行动不便的老人体检。",
    ],
    C.ENVIRONMENT: [
        "{place}垃圾桶满了好几天没人清运，夏天气味很大。",
        "{place}附近小作坊晚上排烟，呛得人睡不着觉。",
        "{place}河道里漂浮垃圾，希望定期清理。",
    ],
    C.EMPLOYMENT: [
        "{place}在外打工被拖欠工资，找不到老板，希望帮忙讨薪。",
        "{place}灵活就业人员办理养老保险手续太复杂，希望简化。",
    ],
    C.OTHER: [
        "{place}广场舞音响太大，晚上十点还不停，影响休息。",
        "{place}流浪狗多，咬伤过人，希望有关部门处理。",
        "{place}手机信号很差，在家里打不了电话。",
    ],
}

REPLIES = {
    C.ROADS: "经现场核查，已安排养护队对路面进行修补，并增设警示标志，预计本周内完工。",
    C.GAS: "燃气公司已上门检测，更换了老化的连接软管，检测无泄漏，并对住户进行了安全用气宣传。",
    C.WATER: "经检测水质符合标准，异常系管网维修后管道冲洗不彻底所致，已冲洗管网并恢复正常供水。",
    C.HEATING: "热力公司已上门排气并调整了单元阀门，室温已达到18摄氏度以上，将持续跟踪。",
    C.DRAINAGE: "已组织人员疏通排水管网，清理淤泥，并列入雨季前排水设施检查计划。",
    C.PARKING: "已联合交警和社区施划停车位，清理占道停车，并在小区门口设置禁停标志。",
    C.OLD_HOUSING: "该小区已列入明年老旧小区改造计划，改造内容包括外墙保温、屋面防水和楼道扶手。",
    C.SCHOOLS: "教育部门已协调学区内学校增加学位，并会同交警在上下学时段安排疏导。",
    C.ELDERLY_CARE: "民政部门已协调社区开办老年助餐点，每周一至周五中午为老人提供午餐。",
    C.ENVIRONMENT: "镇政府已安排环卫人员每日清运，增设了垃圾桶，并对周边作坊进行了检查。",
    C.EMPLOYMENT: "人社部门已受理欠薪线索，约谈用工单位，工资已于近日足额发放。",
    C.OTHER: "已协调社区与相关方面沟通，约定活动时间和音量，并将持续关注。",
}

PLACES = ["3号楼", "东区", "村口", "主街", "幼儿园旁", "菜市场附近", "老街", "南侧", "文化广场"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈"
GIVEN = ["大爷", "阿姨", "师傅", "女士", "先生", "建华", "桂兰", "秀英", "国强", "玉梅", "志明"]

# How many suggestions end up in each state (of TOTAL).
PLAN = [
    ("submitted", 30),
    ("accepted", 18),
    ("rejected", 10),
    ("merged", 6),
    ("on_spot", 36),
    ("local_handling", 14),
    ("local_closed", 26),
    ("assigned", 30),
    ("handling", 40),
    ("replied", 26),
    ("reopened", 6),
    ("closed", 58),
]
ASSIGNED_PLANS = {"assigned", "handling", "replied", "reopened", "closed"}


@dataclass
class Source:
    deputy: object | None
    station: Station | None
    region: Region
    county_code: str


def _county_code(region: Region) -> str:
    codes = [code for code in region.path.split("/") if code]
    return codes[2] if len(codes) > 2 else codes[-1]


def seed_units() -> dict[str, list[HandlingUnit]]:
    regions = {r.code: r for r in Region.objects.filter(code__in={u[0] for u in UNITS})}
    by_county: dict[str, list[HandlingUnit]] = {}
    for code, name, kind, _categories in UNITS:
        region = regions.get(code)
        if region is None:
            continue
        unit, _ = HandlingUnit.objects.get_or_create(
            name=name, defaults={"region": region, "kind": kind}
        )
        by_county.setdefault(_county_code(region), []).append(unit)
    return by_county


def seed_rules() -> None:
    city = Region.objects.filter(code=CITY_CODE).first()
    jiaocheng = Region.objects.filter(code="141122").first()
    if city is None:
        return
    SLAProfile.objects.get_or_create(region=city, category="", defaults={"reply_days": 10})
    if jiaocheng is not None:
        # 交城县 answers water and gas in 3 working days (utilities that cannot wait).
        for category in (C.WATER, C.GAS):
            SLAProfile.objects.get_or_create(
                region=jiaocheng, category=category, defaults={"reply_days": 3}
            )
    for category, body in REPLIES.items():
        ReplyTemplate.objects.get_or_create(
            region=city,
            category=category,
            title=f"{Category(category).label}·已办结",
            defaults={"body": body},
        )
    ReplyTemplate.objects.get_or_create(
        region=city,
        category="",
        title="纳入计划·暂缓解决",
        defaults={
            "body": "您反映的问题已收悉。经研究，该事项需纳入下一年度计划统筹解决，"
            "我们将持续跟踪并及时向您反馈进展。感谢您的理解和监督。"
        },
    )


def _sources(city: Region) -> list[Source]:
    memberships = (
        StationMembership.objects.filter(
            current_membership_q(),
            station__region_path__startswith=city.path,
            station__status=Station.Status.ACTIVE,
            deputy__status="active",
        )
        .select_related("deputy__region", "station__region")
        .order_by("pk")
    )
    sources, seen = [], set()
    for membership in memberships:
        if membership.deputy_id in seen:
            continue
        seen.add(membership.deputy_id)
        deputy = membership.deputy
        sources.append(
            Source(deputy, membership.station, deputy.region, _county_code(deputy.region))
        )
    stations = Station.objects.filter(
        region_path__startswith=city.path, status=Station.Status.ACTIVE
    ).select_related("region")
    for station in stations.order_by("pk"):
        sources.append(Source(None, station, station.region, _county_code(station.region)))
    return sources


def _pick_source(rng, sources, favoured, showcase, i) -> Source:
    if showcase and i % 12 == 0:
        return rng.choice(showcase)
    if favoured and rng.random() < 0.6:
        return rng.choice(favoured)
    return rng.choice(sources)


def _lead_unit(units: list[HandlingUnit], category: str) -> HandlingUnit:
    leads = {name: cats for _code, name, _kind, cats in UNITS}
    for unit in units:
        if category in leads.get(unit.name, []) and unit.kind != Kind.TOWNSHIP_GOVERNMENT:
            return unit
    for unit in units:
        if category in leads.get(unit.name, []):
            return unit
    return units[0]


def _office_hours(rng, now: datetime.datetime, days_ago: int) -> datetime.datetime:
    """A moment `days_ago` days before `now` between 08:00 and 18:00 Beijing time (people
    raise matters by day: never at 04:11), and never after `now`."""
    day = timezone.localtime(now).date() - datetime.timedelta(days=days_ago)
    at = datetime.time(rng.randint(8, 17), rng.randint(0, 59))
    moment = timezone.make_aware(datetime.datetime.combine(day, at))
    if moment > now:
        moment -= datetime.timedelta(days=1)
    return moment


def seed_suggestions(units_by_county, stdout=None) -> int:
    from calendars.workdays import WorkingCalendar

    if Suggestion.objects.filter(submission_token__startswith=TOKEN_PREFIX).exists():
        return 0
    city = Region.objects.filter(code=CITY_CODE).first()
    if city is None:
        return 0
    sources = _sources(city)
    if not sources:
        return 0
    rng = random.Random(20260301)
    calendar = WorkingCalendar()
    now = clock.now()
    favoured = [s for s in sources if s.county_code in units_by_county]
    showcase = [
        s
        for s in sources
        if (s.deputy is not None and s.deputy.name == "马志刚")
        or (s.deputy is None and s.station.name == "天宁镇人大代表联络站")
    ]
    plans = [state for state, count in PLAN for _ in range(count)]
    rng.shuffle(plans)

    constituents: dict[tuple[int, str], Constituent] = {}
    counties = {r.code: r for r in Region.objects.filter(parent=city)}
    rows = []  # (suggestion, plan, source, times)
    for i, plan in enumerate(plans[:TOTAL]):
        source = _pick_source(rng, sources, favoured, showcase, i)
        if plan in ASSIGNED_PLANS and source.county_code not in units_by_county:
            plan = "local_closed" if plan == "closed" else "local_handling"
        category = rng.choice(list(CONTENT))
        place = f"{source.region.name}{rng.choice(PLACES)}"
        content = rng.choice(CONTENT[category]).format(place=place)
        days_ago = {
            "submitted": rng.randint(0, 4),
            "accepted": rng.randint(1, 8),
            "assigned": rng.randint(1, 12),
            "handling": rng.randint(4, 30),
            "local_handling": rng.randint(2, 20),
            "reopened": rng.randint(25, 60),
        }.get(plan, rng.randint(8, 175))
        submitted_at = _office_hours(rng, now, days_ago)
        county = counties.get(source.county_code, city)
        constituent = None
        if rng.random() < 0.8:
            phone = f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}"
            key = (county.pk, phone)
            if key not in constituents:
                constituents[key] = Constituent(
                    region=county,
                    region_path=county.path,
                    name=rng.choice(SURNAMES) + rng.choice(GIVEN),
                    phone=phone,
                    village=source.region.name if source.region.level == "village" else "",
                )
            constituent = constituents[key]
        suggestion = Suggestion(
            region=source.region,
            region_path=source.region.path,
            submission_token=f"{TOKEN_PREFIX}{i:04d}",
            channel=rng.choice(
                [Channel.QR] * 5 + [Channel.STATION, Channel.RECEPTION, Channel.PHONE]
            ),
            category=category,
            content=content,
            place=place,
            deputy=source.deputy,
            station=source.station,
            submitted_at=submitted_at,
        )
        suggestion._demo_constituent = constituent
        rows.append((suggestion, plan, source))

    with transaction.atomic():
        Constituent.objects.bulk_create(constituents.values())
        for suggestion, _plan, _source in rows:
            suggestion.constituent = suggestion._demo_constituent
        _apply_plans(rows, units_by_county, rng, calendar, now)
        Suggestion.objects.bulk_create([row[0] for row in rows])
        _write_children(rows)
    if stdout:
        stdout.write(f"suggestions: {len(rows)} demo suggestions, {len(constituents)} constituents")
    return len(rows)


def _event(suggestion, kind, at, public="", staff="", actor="", data=None):
    suggestion._demo_events.append(
        SuggestionEvent(
            kind=kind,
            at=at,
            actor_label=actor,
            public_text=public,
            staff_text=staff,
            data=data or {},
        )
    )


def _set_due(suggestion, spec, start, terms, calendar):
    due = deadlines.compute(
        what="答复",
        spec=spec,
        start=start,
        region=suggestion.region,
        source=terms.source,
        calendar=calendar,
    )
    suggestion.due_date = due.date
    suggestion.due_rule = due.rule
    suggestion.due_provisional = due.provisional
    suggestion.due_start = due.start
    suggestion.due_spec = due.spec


def _apply_plans(rows, units_by_county, rng, calendar, now) -> None:
    """Walk each suggestion through its planned steps, writing the fields and events."""
    S = Suggestion.Status
    satisfied = ["satisfied"] * 6 + ["basically"] * 3 + ["unsatisfied"]
    previous = None
    for suggestion, plan, source in rows:
        suggestion._demo_events = []
        suggestion._demo_assignments = []
        suggestion._demo_extension = None
        at = suggestion.submitted_at
        span = max((now - at).total_seconds(), 3600)

        def step(fraction, start=at, span=span):
            # A moment `fraction` of the way from submission to now.
            return start + datetime.timedelta(seconds=span * fraction)

        _event(
            suggestion, "submitted", at, public="您的意见建议已提交，我们会尽快处理。", actor="群众"
        )
        if plan == "submitted":
            continue
        station_label = source.station.name if source.station else source.region.name
        staff = "联络站工作人员"
        if plan == "merged" and previous is not None:
            suggestion.status = S.MERGED
            suggestion._demo_merge_into = previous
            suggestion.closed_at = step(0.2)
            _event(
                suggestion,
                "merged",
                step(0.2),
                actor=staff,
                public="您反映的问题与其他群众反映的同一问题合并办理。",
            )
            continue
        if plan == "merged":
            plan = "accepted"
        accepted_at = step(0.1)
        _event(suggestion, "accepted", accepted_at, public="您反映的问题已受理。", actor=staff)
        if plan == "accepted":
            suggestion.status = S.ACCEPTED
            continue
        if plan == "rejected":
            suggestion.status = S.REJECTED
            suggestion.reject_reason = rng.choice(["litigation", "personal_dispute", "arbitration"])
            suggestion.reject_note = "该事项应通过法定途径解决，建议向人民法院或相关仲裁机构申请。"
            suggestion.closed_at = step(0.2)
            _event(
                suggestion,
                "rejected",
                step(0.2),
                actor=staff,
                public="经审核，您反映的问题不属于受理范围：" + suggestion.reject_note,
            )
            continue
        reply = REPLIES[suggestion.category]
        terms = deadlines.terms_for(suggestion.region, suggestion.category)
        if plan == "on_spot":
            suggestion.handling = Suggestion.Handling.ON_SPOT
            suggestion.status = S.REPLIED if rng.random() < 0.3 else S.CLOSED
            suggestion.reply_text = "代表现场了解情况后，已联系相关方面当场协调解决。"
            suggestion.replied_at = step(0.15)
            _event(
                suggestion,
                "on_spot",
                suggestion.replied_at,
                public="人大代表已当场答复，请查看答复内容并评价。",
                actor=source.deputy.name if source.deputy else staff,
            )
            if suggestion.status == S.CLOSED:
                _close(suggestion, rng.choice(satisfied[:-1]), step(0.3))
            continue
        if plan in ("local_handling", "local_closed"):
            suggestion.handling = Suggestion.Handling.LOCAL
            start = timezone.localdate(accepted_at)
            _set_due(suggestion, f"wd:{terms.reply_days}", start, terms, calendar)
            _event(
                suggestion,
                "local",
                accepted_at,
                actor=staff,
                public=f"您反映的问题由{station_label}办理。",
            )
            if plan == "local_handling":
                suggestion.status = S.HANDLING
                continue
            suggestion.reply_text = reply
            suggestion.replied_at = step(0.4)
            _event(
                suggestion,
                "replied",
                suggestion.replied_at,
                actor=staff,
                public="已答复，请查看答复内容并评价。",
                staff=reply,
            )
            _close(suggestion, rng.choice(satisfied), step(0.6))
            continue
        # Assigned to a handling unit of the county.
        units = units_by_county[source.county_code]
        lead = _lead_unit(units, suggestion.category)
        assigned_at = step(0.15)
        start = timezone.localdate(assigned_at)
        suggestion.handling = Suggestion.Handling.ASSIGNED
        _set_due(suggestion, f"wd:{terms.reply_days}", start, terms, calendar)
        ack = deadlines.compute(
            what="签收",
            spec=f"wd:{terms.acknowledge_days}",
            start=start,
            region=suggestion.region,
            source=terms.source,
            calendar=calendar,
        )
        assignment = Assignment(
            unit=lead,
            role=Assignment.Role.LEAD,
            assigned_at=assigned_at,
            due_start=start,
            acknowledge_due=ack.date,
            acknowledge_spec=ack.spec,
            acknowledge_rule=ack.rule,
            acknowledge_provisional=ack.provisional,
            return_due=ack.date,
            return_spec=ack.spec,
            return_rule=ack.rule.replace("签收", "退回"),
            return_provisional=ack.provisional,
        )
        suggestion._demo_assignments.append(assignment)
        _event(
            suggestion,
            "assigned",
            assigned_at,
            actor="县人大常委会工作人员",
            public=f"您反映的问题已交由{lead.name}办理，答复期限{suggestion.due_date:%Y年%m月%d日}。",
            staff=f"主办：{lead.name}。",
        )
        if plan == "assigned":
            suggestion.status = S.ASSIGNED
            continue
        assignment.status = Assignment.Status.ACKNOWLEDGED
        assignment.acknowledged_at = step(0.2)
        _event(
            suggestion,
            "acknowledged",
            assignment.acknowledged_at,
            actor=lead.name,
            public=f"{lead.name}已签收，正在办理。",
        )
        if plan == "handling":
            suggestion.status = S.HANDLING
            if rng.random() < 0.25:
                suggestion._demo_extension = ExtensionRequest(
                    assignment=assignment,
                    days=5,
                    reason="需协调施工队伍，申请延期。",
                    requested_at=step(0.5),
                )
                _event(
                    suggestion,
                    "ext_requested",
                    step(0.5),
                    actor=lead.name,
                    staff="申请延长5个工作日：需协调施工队伍。",
                )
            continue
        suggestion.reply_text = reply
        suggestion.replied_at = step(0.5)
        assignment.status = Assignment.Status.DONE
        _event(
            suggestion,
            "replied",
            suggestion.replied_at,
            actor=lead.name,
            public="已答复，请查看答复内容并评价。",
            staff=reply,
        )
        if plan == "replied":
            suggestion.status = S.REPLIED
            continue
        if plan == "reopened":
            suggestion.satisfaction = "unsatisfied"
            suggestion.followed_up_at = step(0.6)
            suggestion.reopened_count = 1
            suggestion.status = S.HANDLING
            assignment.status = Assignment.Status.ACKNOWLEDGED
            _event(
                suggestion,
                "followed_up",
                suggestion.followed_up_at,
                actor=staff,
                public="回访评价：不满意。",
                data={"satisfaction": "unsatisfied"},
            )
            _set_due(
                suggestion, "m:1", timezone.localdate(suggestion.followed_up_at), terms, calendar
            )
            _event(
                suggestion,
                "reopened",
                suggestion.followed_up_at,
                actor=staff,
                public=f"您对答复不满意，已重新办理，答复期限{suggestion.due_date:%Y年%m月%d日}。",
            )
            continue
        _close(suggestion, rng.choice(satisfied), step(0.7))
        previous = suggestion


def _close(suggestion, satisfaction, at) -> None:
    from .models import Satisfaction

    suggestion.satisfaction = satisfaction
    suggestion.followed_up_at = at
    suggestion.closed_at = at
    suggestion.status = Suggestion.Status.CLOSED
    label = Satisfaction(satisfaction).label
    _event(
        suggestion,
        "followed_up",
        at,
        actor="联络站工作人员",
        public=f"回访评价：{label}。",
        data={"satisfaction": satisfaction},
    )
    _event(suggestion, "closed", at, public="已办结。感谢您的监督。", actor="联络站工作人员")


def _write_children(rows) -> None:
    events, assignments, extensions, merged = [], [], [], []
    for suggestion, _plan, _source in rows:
        for event in suggestion._demo_events:
            event.suggestion = suggestion
            events.append(event)
        for assignment in suggestion._demo_assignments:
            assignment.suggestion = suggestion
            assignments.append(assignment)
        into = getattr(suggestion, "_demo_merge_into", None)
        if into is not None:
            suggestion.merged_into = into
            merged.append(suggestion)
    SuggestionEvent.objects.bulk_create(events, batch_size=500)
    Assignment.objects.bulk_create(assignments, batch_size=500)
    for suggestion, _plan, _source in rows:
        extension = suggestion._demo_extension
        if extension is not None:
            extension.suggestion = suggestion
            extension.assignment = extension.assignment  # saved above, pk now set
            extensions.append(extension)
    ExtensionRequest.objects.bulk_create(extensions)
    Suggestion.objects.bulk_update(merged, ["merged_into"])


def seed(stdout=None) -> None:
    from accounts.demo import ensure_base_places

    ensure_base_places()
    units = seed_units()
    seed_rules()
    created = seed_suggestions(units, stdout=stdout)
    if stdout and not created:
        stdout.write("suggestions: demo suggestions already present")
