"""A year of demo registers for Lvliang (吕梁市): receptions, households, visits, activities.

Rates follow 万柏林区 (2023, 67 sites): 368 deputy visits to stations, 1,002 people
received and 701 raised raised in a year, scaled to the demo's sites (each station
with its points). Receptions fall on the schedule's duty days first, with most of
the deputies on duty present; the rest happen at the points, off the schedule, so
the planned-versus-done pages have both. Each deputy keeps about ten fixed contact
households (固定联系10户) and logs a visit about once a quarter ("季回家"); stations
hold about one activity a month.

Rows are bulk-inserted; each item raised becomes a suggestion through
`suggestions.services.suggestion_submit` (channel "reception" or "visit"), dated
back to its reception or visit. A part that already has rows in the demo city is
skipped, so a second run adds nothing.
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from core import clock
from deputies.models import Deputy, StationMembership, current_membership_q
from regions.models import Region
from stations.models import Station

from .models import (
    ActivityKind,
    ContactHousehold,
    Reception,
    StationActivity,
    Visit,
)

DEMO_CITY_PATH = "14/1411/"
DAYS = 365
# 万柏林区 2023 per site and year.
VISITS_PER_SITE = 368 / 67
PEOPLE_PER_SITE = 1002 / 67
SUGGESTIONS_PER_SITE = 701 / 67
# A deputy named for a duty day is there on it this often.
PRESENT_SHARE = 0.93
ON_SPOT_SHARE = 0.25  # raised a deputy answered there and then
# Of the rest, the share the township or station handles and closes (办结率 ~83%).
LOCAL_CLOSE_SHARE = 0.78
REPLIES = [
    "经镇村两级协调，问题已处理，已向群众当面反馈。",
    "已联系相关部门现场查看并整改，群众表示满意。",
    "已纳入村级年度计划，近期已完成施工。",
]
HOUSEHOLDS_PER_DEPUTY = 10
VISITS_PER_DEPUTY = (2, 6)
VISIT_MATTER_SHARE = 0.2
ACTIVITIES_PER_STATION = 12

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋"
GIVEN = "建华桂兰秀英国强玉梅志明凤英金花保国二虎翠花春生来福爱民素珍富贵树林海燕小平"
RAISED_TEXTS = {
    "roads": ["村里主干道坑洼不平，下雨天出行困难。", "路口缺少红绿灯，学生过马路不安全。"],
    "water": ["小区水压太低，高层用水困难。", "自来水有异味，希望检测水质。"],
    "heating": ["暖气不热，室温不到十六度。", "供暖管道漏水，楼道结冰。"],
    "drainage": ["雨季排水不畅，巷子里积水。", "下水道堵塞，污水外溢。"],
    "parking": ["小区停车位不足，车辆乱停占道。"],
    "old_housing": ["老旧小区外墙脱落，存在安全隐患。", "楼道照明损坏，老人上下楼不便。"],
    "schools": ["希望增加学校周边的交通协管。", "幼儿园学位紧张，入园难。"],
    "elderly_care": ["希望社区开办老年食堂。", "独居老人缺少日常探访。"],
    "environment": ["垃圾清运不及时，气味大。", "河道两侧杂物堆积。"],
    "employment": ["希望多组织技能培训，帮助就业。", "灵活就业人员社保缴费咨询。"],
    "gas": ["燃气管道老化，希望尽快更换。"],
    "other": ["希望村里建一个文化活动广场。"],
}
ACTIVITY_TITLES = {
    ActivityKind.TRAINING: ["代表履职能力培训", "代表建议撰写培训"],
    ActivityKind.PARTY_LECTURE: ["代表讲党课：学习党的二十届三中全会精神"],
    ActivityKind.POLICY_LECTURE: [
        "代表讲政策：城乡居民医保新政解读",
        "代表讲政策：惠农补贴政策宣讲",
    ],
    ActivityKind.LAW_LECTURE: ["代表讲法律：民法典进村入户", "代表讲法律：反电诈宣传"],
    ActivityKind.INSPECTION: ["视察农村饮水安全工程", "视察老旧小区改造项目"],
    ActivityKind.SURVEY: ["调研居家养老服务情况", "调研人居环境整治情况"],
    ActivityKind.LEADER_DAY: ["领导干部进站接待群众"],
    ActivityKind.THEME: ["“人大代表在身边”主题活动", "民生实事项目征集座谈会"],
}
LEADERS = ["县人大常委会副主任", "县人大常委会主任", "镇党委书记", "市人大常委会副主任"]


def seed_registers(stdout=None) -> None:
    city = Region.objects.filter(path=DEMO_CITY_PATH).first()
    if city is None:
        return
    end = clock.today() - datetime.timedelta(days=1)
    start = end - datetime.timedelta(days=DAYS - 1)
    rng = random.Random(368)
    actor = _demo_actor()
    stations = list(
        Station.objects.filter(
            region_path__startswith=DEMO_CITY_PATH,
            parent__isnull=True,
            status=Station.Status.ACTIVE,
        )
        .select_related("region")
        .order_by("region_path", "pk")
    )
    members = _members([station.pk for station in stations])
    report = []
    report.append(_seed_households(rng))
    if not Reception.objects.filter(region_path__startswith=DEMO_CITY_PATH).exists():
        report.append(_seed_receptions(rng, actor, stations, members, start, end))
    if not Visit.objects.filter(region_path__startswith=DEMO_CITY_PATH).exists():
        report.append(_seed_visits(rng, actor, start, end))
    if not StationActivity.objects.filter(region_path__startswith=DEMO_CITY_PATH).exists():
        report.append(_seed_activities(rng, stations, members, start, end))
    if stdout:
        stdout.write("registers: " + ("; ".join(part for part in report if part) or "unchanged"))


def _demo_actor():
    """Who the demo's suggestions are recorded by: the demo system administrator, if seeded."""
    from accounts.models import User

    return User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()


def _members(station_ids) -> dict[int, list[Deputy]]:
    """Active deputies grouped into each station or one of its points, by station."""
    pools: dict[int, list[Deputy]] = defaultdict(list)
    memberships = (
        StationMembership.objects.filter(current_membership_q())
        .filter(deputy__status=Deputy.Status.ACTIVE)
        .filter(station_id__in=station_ids)
        .select_related("deputy")
        .order_by("deputy_id")
    )
    for membership in memberships:
        if membership.deputy not in pools[membership.station_id]:
            pools[membership.station_id].append(membership.deputy)
    points = Station.objects.filter(parent_id__in=station_ids).values_list("pk", "parent_id")
    parent_of = dict(points)
    for membership in StationMembership.objects.filter(
        current_membership_q(), station_id__in=parent_of, deputy__status=Deputy.Status.ACTIVE
    ).select_related("deputy"):
        pool = pools[parent_of[membership.station_id]]
        if membership.deputy not in pool:
            pool.append(membership.deputy)
    return pools


def _person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN[0::2]) + rng.choice(GIVEN[1::2])


def _spread(rng: random.Random, total: int, slots: int, *, minimum: int = 0) -> list[int]:
    """`total` split at random over `slots` (each at least `minimum`)."""
    if slots <= 0:
        return []
    counts = [minimum] * slots
    for _ in range(max(total - minimum * slots, 0)):
        counts[rng.randrange(slots)] += 1
    return counts


def _when(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


# --- Receptions ------------------------------------------------------------------------


def _seed_receptions(rng, actor, stations, members, start, end) -> str:
    from .selectors import reception_days_between

    days = reception_days_between(
        Station.objects.filter(pk__in=[s.pk for s in stations]), start, end
    )
    by_station: dict[int, list] = defaultdict(list)
    for day in days:
        by_station[day.station.pk].append(day)
    points: dict[int, list[Station]] = defaultdict(list)
    for point in Station.objects.filter(
        parent_id__in=[s.pk for s in stations], status=Station.Status.ACTIVE
    ).select_related("region"):
        points[point.parent_id].append(point)

    planned = []  # (station, date, deputies, rule id, people, raised)
    for station in stations:
        sites = 1 + len(points[station.pk])
        jitter = rng.uniform(0.8, 1.2)
        target = round(VISITS_PER_SITE * sites * jitter)
        people = round(PEOPLE_PER_SITE * sites * jitter)
        raised = round(SUGGESTIONS_PER_SITE * sites * jitter)
        entries = []
        visits = 0
        scheduled = sorted(by_station[station.pk], key=lambda _d: rng.random())
        for day in scheduled:
            # A deputy on duty comes on nearly every duty day (a few missed a year, not
            # 65): every scheduled day has its entry, whatever the station's target.
            present = [d for d in day.deputies if rng.random() < PRESENT_SHARE] or day.deputies[:1]
            if not present:
                continue
            entries.append([station, day.date, present, day.rule_id])
            visits += len(present)
        pool = members.get(station.pk, [])
        places = points[station.pk] or [station]
        while visits < target and pool:
            present = rng.sample(pool, k=min(len(pool), rng.choice([1, 1, 2])))
            day = start + datetime.timedelta(days=rng.randrange(DAYS))
            entries.append([rng.choice(places), day, present, None])
            visits += len(present)
        if not entries:
            continue
        for entry, count, suggestion_count in zip(
            entries,
            _spread(rng, people, len(entries), minimum=1),
            _spread(rng, raised, len(entries)),
            strict=True,
        ):
            planned.append((*entry, count, min(suggestion_count, count)))

    receptions = [
        Reception(
            station=station,
            region_id=station.region_id,
            region_path=station.region_path,
            date=day,
            people_count=people,
            rule_id=rule_id,
            notes="群众反映问题已逐条登记。" if raised else "接待群众，宣传政策，无问题反映。",
            form_token=f"demo-reception-{index:05d}",
            recorded_by=actor,
        )
        for index, (station, day, _deputies, rule_id, people, raised) in enumerate(planned)
    ]
    Reception.objects.bulk_create(receptions, batch_size=500)
    through = Reception.deputies.through
    through.objects.bulk_create(
        [
            through(reception_id=reception.pk, deputy_id=deputy.pk)
            for reception, plan in zip(receptions, planned, strict=True)
            for deputy in plan[2]
        ],
        batch_size=1000,
    )
    links = []
    made = 0
    for reception, (station, day, deputies, _rule, _people, count) in zip(
        receptions, planned, strict=True
    ):
        for index in range(count):
            suggestion = _raise(
                rng,
                actor,
                channel="reception",
                token=f"{reception.form_token}-{index}",
                deputy=rng.choice(deputies),
                station=station,
                region=station.region,
                day=day,
            )
            links.append(
                Reception.suggestions.through(
                    reception_id=reception.pk, suggestion_id=suggestion.pk
                )
            )
            made += 1
    Reception.suggestions.through.objects.bulk_create(links, batch_size=1000)
    _quiet_history()
    return f"{len(receptions)} receptions, {made} raised"


def _raise(rng, actor, *, channel, token, deputy, station, region, day, contact=None):
    """One suggestion through the intake service, dated back to the day it was raised."""
    from suggestions.models import Suggestion
    from suggestions.services import suggestion_answer_on_spot, suggestion_submit

    category = rng.choice(list(RAISED_TEXTS))
    if contact is None and rng.random() < 0.6:
        contact = (_person(rng), f"13{rng.randint(0, 9)}{rng.randint(10000000, 99999999)}", "")
    name, phone, village = contact or ("", "", "")
    suggestion, _created = suggestion_submit(
        actor=actor,
        channel=channel,
        category=category,
        content=rng.choice(RAISED_TEXTS[category]),
        deputy=deputy,
        station=station,
        region=region,
        contact_name=name,
        contact_phone=phone,
        village=village,
        submission_token=token,
    )
    on_spot = actor is not None and rng.random() < ON_SPOT_SHARE
    if on_spot:
        suggestion = suggestion_answer_on_spot(
            actor=actor, suggestion=suggestion, text="代表当场作了解释说明，群众表示理解。"
        )
    when = _when(day, rng.choice([9, 10, 11, 15, 16]))
    replied = when if suggestion.replied_at else None
    if actor is not None:
        suggestion, replied = _carry_on(rng, actor, suggestion, day, when, on_spot)
    Suggestion.objects.filter(pk=suggestion.pk).update(
        submitted_at=when,
        replied_at=replied,
        closed_at=replied if suggestion.closed_at else None,
    )
    return suggestion


def _carry_on(rng, actor, suggestion, day, when, on_spot):
    """Walk a raised matter on the way the articles report (吕梁: 3,589 of 4,344 closed):
    most older than a few weeks are handled locally, answered and closed after the
    return visit; recent ones are still in hand. Returns (suggestion, replied at)."""
    from suggestions.models import Satisfaction
    from suggestions.services import (
        suggestion_follow_up,
        suggestion_handle_locally,
        suggestion_reply,
    )

    age = (clock.today() - day).days
    replied = when if on_spot else None
    if not on_spot:
        if age < 10 or rng.random() > LOCAL_CLOSE_SHARE:
            return suggestion, None
        suggestion = suggestion_handle_locally(actor=actor, suggestion=suggestion)
        if age < 20:
            return suggestion, None
        suggestion = suggestion_reply(actor=actor, suggestion=suggestion, text=rng.choice(REPLIES))
        replied = when + datetime.timedelta(days=rng.randint(3, min(age - 1, 18)))
    if age < 30:
        return suggestion, replied
    satisfaction = rng.choices(
        [Satisfaction.SATISFIED, Satisfaction.BASICALLY], weights=[0.8, 0.2]
    )[0]
    suggestion = suggestion_follow_up(actor=actor, suggestion=suggestion, satisfaction=satisfaction)
    return suggestion, replied


def _quiet_history() -> None:
    """Date the demo suggestions' timelines to their intake and send no notifications.

    The raised are a year old: their first events take the intake time, and the
    notices queued for them are marked done, so nobody is told of them today.
    """
    from core.models import OutboxMessage
    from suggestions.models import Suggestion, SuggestionEvent

    demo = Suggestion.objects.filter(
        Q(submission_token__startswith="demo-reception-")
        | Q(submission_token__startswith="demo-visit-")
    )
    SuggestionEvent.objects.filter(suggestion__in=demo).update(
        at=Subquery(Suggestion.objects.filter(pk=OuterRef("suggestion_id")).values("submitted_at"))
    )
    OutboxMessage.objects.filter(
        task__in=[
            "suggestions.tasks.notify_new_suggestion",
            "suggestions.tasks.notify_replied",
        ],
        done_at__isnull=True,
    ).filter(kwargs__suggestion_id__in=list(demo.values_list("pk", flat=True))).update(
        done_at=clock.now()
    )


# --- Contact households and visits ---------------------------------------------------------


def _county_of(region: Region, counties: dict[str, Region]) -> Region:
    for path, county in counties.items():
        if region.path.startswith(path):
            return county
    return region


def _seed_households(rng) -> str:
    from suggestions.models import Constituent

    deputies = list(
        Deputy.objects.filter(region_path__startswith=DEMO_CITY_PATH, status=Deputy.Status.ACTIVE)
        .exclude(households__isnull=False)
        .select_related("region")
        .order_by("pk")
    )
    if not deputies:
        return ""
    counties = {
        county.path: county
        for county in Region.objects.filter(
            path__startswith=DEMO_CITY_PATH, level=Region.Level.COUNTY
        )
    }
    villages: dict[int, list[str]] = defaultdict(list)
    for parent_id, name in Region.objects.filter(
        parent_id__in={d.region_id for d in deputies}, level=Region.Level.VILLAGE
    ).values_list("parent_id", "name"):
        villages[parent_id].append(name)
    taken = set(
        Constituent.objects.filter(region_path__startswith=DEMO_CITY_PATH).values_list(
            "region_id", "phone"
        )
    )
    people, owners = [], []
    for deputy in deputies:
        county = _county_of(deputy.region, counties)
        for index in range(HOUSEHOLDS_PER_DEPUTY):
            phone = f"150{deputy.pk:05d}{index:03d}"
            if (county.pk, phone) in taken:
                continue
            village = rng.choice(villages.get(deputy.region_id) or [deputy.region.name])
            people.append(
                Constituent(
                    region=county,
                    region_path=county.path,
                    name=_person(rng),
                    phone=phone,
                    village=village,
                )
            )
            owners.append((deputy, f"{village}{rng.randint(1, 60)}号"))
    Constituent.objects.bulk_create(people, batch_size=1000)
    ContactHousehold.objects.bulk_create(
        [
            ContactHousehold(
                deputy=deputy,
                constituent=person,
                region_id=deputy.region_id,
                region_path=deputy.region_path,
                address=address,
            )
            for person, (deputy, address) in zip(people, owners, strict=True)
        ],
        batch_size=1000,
    )
    return f"{len(people)} contact households"


def _seed_visits(rng, actor, start, end) -> str:
    households: dict[int, list[ContactHousehold]] = defaultdict(list)
    for household in (
        ContactHousehold.objects.filter(region_path__startswith=DEMO_CITY_PATH, active=True)
        .select_related("constituent", "deputy__region")
        .order_by("pk")
    ):
        households[household.deputy_id].append(household)
    visits, picks = [], []
    for deputy_id, own in households.items():
        deputy = own[0].deputy
        for number in range(rng.randint(*VISITS_PER_DEPUTY)):
            chosen = rng.sample(own, k=min(len(own), rng.choice([1, 2, 2, 3])))
            visits.append(
                Visit(
                    deputy=deputy,
                    region_id=deputy.region_id,
                    region_path=deputy.region_path,
                    date=start + datetime.timedelta(days=rng.randrange((end - start).days + 1)),
                    notes="入户走访，了解生产生活情况。",
                    form_token=f"demo-visit-{deputy_id}-{number}",
                    recorded_by=actor,
                )
            )
            picks.append(chosen)
    Visit.objects.bulk_create(visits, batch_size=1000)
    through = Visit.households.through
    through.objects.bulk_create(
        [
            through(visit_id=visit.pk, contacthousehold_id=household.pk)
            for visit, chosen in zip(visits, picks, strict=True)
            for household in chosen
        ],
        batch_size=1000,
    )
    links, made = [], 0
    for visit, chosen in zip(visits, picks, strict=True):
        if rng.random() >= VISIT_MATTER_SHARE:
            continue
        person = chosen[0].constituent
        suggestion = _raise(
            rng,
            actor,
            channel="visit",
            token=f"{visit.form_token}-0",
            deputy=visit.deputy,
            station=None,
            region=visit.deputy.region,
            day=visit.date,
            contact=(person.name, person.phone, person.village),
        )
        links.append(Visit.suggestions.through(visit_id=visit.pk, suggestion_id=suggestion.pk))
        made += 1
    Visit.suggestions.through.objects.bulk_create(links, batch_size=1000)
    _quiet_history()
    return f"{len(visits)} visits, {made} raised"


# --- Station activities ----------------------------------------------------------------------


def _seed_activities(rng, stations, members, start, end) -> str:
    kinds = list(ACTIVITY_TITLES)
    weights = [3, 1, 2, 2, 1, 2, 2, 2]
    activities, attendees = [], []
    for station in stations:
        pool = members.get(station.pk, [])
        for _number in range(ACTIVITIES_PER_STATION):
            kind = rng.choices(kinds, weights)[0]
            others = ""
            if kind == ActivityKind.LEADER_DAY:
                others = (
                    f"{rng.choice(LEADERS)}{rng.choice(SURNAMES)}某某，群众{rng.randint(8, 30)}人"
                )
            elif rng.random() < 0.5:
                others = f"群众{rng.randint(10, 60)}人"
            activities.append(
                StationActivity(
                    station=station,
                    region_id=station.region_id,
                    region_path=station.region_path,
                    kind=kind,
                    title=rng.choice(ACTIVITY_TITLES[kind]),
                    date=start + datetime.timedelta(days=rng.randrange((end - start).days + 1)),
                    other_attendees=others,
                    notes="活动按计划开展，群众反响良好。",
                )
            )
            attendees.append(rng.sample(pool, k=min(len(pool), rng.randint(3, 8))) if pool else [])
    StationActivity.objects.bulk_create(activities, batch_size=1000)
    through = StationActivity.deputies.through
    through.objects.bulk_create(
        [
            through(stationactivity_id=activity.pk, deputy_id=deputy.pk)
            for activity, chosen in zip(activities, attendees, strict=True)
            for deputy in chosen
        ],
        batch_size=1000,
    )
    return f"{len(activities)} station activities"
