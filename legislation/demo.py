"""Demo consultations for Lvliang (吕梁市), after seed 000: three high-standard legislative
points built on stations ("one site, two plaques", the 天宁镇 station among them), its
information collectors, and the fire regulation draft that drew 15 comments.

- closed: 《吕梁市消防条例（修订草案）》 (60 articles), four months ago, 15 comments at
  the points (citizens online and at a 座谈会, a deputy, collectors, the 意见箱), the
  summary worked article by article and sent up before the closing date, and the
  adoption feedback (six comments adopted, and the two merged into them);
- open: 《吕梁市城乡养犬管理条例（草案）》 (16 articles), closing in three weeks, with
  its first comments.

Everything goes through the services with the clock set back to the day it happened,
so the audit trail, the deadlines and the duty credits read true. Skipped when the
consultation already exists (seeding twice adds nothing).
"""

from __future__ import annotations

import datetime
from pathlib import Path

from accounts.models import Role, User
from core import clock
from deputies.models import Deputy, StationMembership, current_membership_q
from regions.models import Region
from stations.models import Station

from . import permissions as can
from . import services
from .models import (
    OFFLINE_CHANNELS,
    AuthorKind,
    Channel,
    Collector,
    Comment,
    Consultation,
    Meeting,
    Sending,
)

CITY_CODE = "1411"
DATA = Path(__file__).resolve().parent / "data"
FIRE_TITLE = "吕梁市消防条例（修订草案）"
DOG_TITLE = "吕梁市城乡养犬管理条例（草案）"
ISSUER = "吕梁市人大常委会法制工作委员会"
SHOWCASE = "天宁镇人大代表联络站"
COLLECTORS = [
    ("王志强", "司法所所长", "交城县天宁镇司法所", "13935800101"),
    ("李建平", "派出所所长", "交城县公安局天宁派出所", "13935800102"),
    ("赵慧敏", "律师", "山西晋商律师事务所", "13935800103"),
    ("郭晓红", "网格员", "天宁镇西街社区", "13935800104"),
]
# (point index, article number or None, author, channel, days after opening, text)
FIRE_COMMENTS = [
    (
        0,
        16,
        "citizen",
        "online",
        3,
        "建议明确小区内电动自行车集中充电设施由谁建设、谁维护，否则禁止楼道充电难以落实。",
    ),
    (
        0,
        16,
        "citizen",
        "symposium",
        9,
        "楼道里停放电动车的问题很普遍，建议物业发现后先劝导，劝导无效再报告处理。",
    ),
    (
        0,
        16,
        "deputy",
        "portal",
        10,
        "第十六条建议增加“鼓励有条件的小区建设电动自行车集中停放充电场所”的内容。",
    ),
    (
        0,
        12,
        "collector",
        "symposium",
        9,
        "老旧小区改造中消防通道问题突出，建议写明改造方案须经消防救援机构提出意见。",
    ),
    (
        0,
        11,
        "citizen",
        "box",
        14,
        "没有物业的老旧小区，谁来管消防设施？建议明确由社区牵头确定管理人并公示。",
    ),
    (0, 11, "citizen", "box", 14, "无物业小区的消防设施长期没人管，希望条例写清楚责任。"),
    (
        0,
        24,
        "collector",
        "visit",
        17,
        "农村消防水源不足，建议将消防水池建设纳入乡村建设规划，并明确维护经费来源。",
    ),
    (
        0,
        54,
        "citizen",
        "online",
        20,
        "第五十四条对个人的罚款上限五百元偏低，起不到警示作用，建议适当提高。",
    ),
    (
        0,
        None,
        "citizen",
        "online",
        22,
        "建议增加消防宣传进农村集市、进社区的内容，用群众听得懂的方式宣传。",
    ),
    (
        1,
        30,
        "organisation",
        "symposium",
        8,
        "餐饮油烟管道清洗周期建议由条例明确，如“至少每季度清洗一次”。",
    ),
    (1, 39, "citizen", "online", 12, "微型消防站的人员和经费保障建议写得更具体一些。"),
    (
        1,
        21,
        "citizen",
        "online",
        15,
        "建议对占用消防车通道的私家车可以直接拖移，并明确由哪个部门执行。",
    ),
    (2, 29, "citizen", "visit", 11, "养老机构夜间值班人员少，建议规定夜间消防值班人员的最低配置。"),
    (2, 14, "citizen", "online", 18, "建议在第十四条增加报警人信息保密的规定，保护报警群众。"),
    (2, 60, "citizen", "online", 19, "条例生效前应给单位留出整改过渡期。"),
]
# number in FIRE_COMMENTS order -> decision (merged: into which comment of the list)
FIRE_DECISIONS = {
    1: ("merge", 0),
    5: ("merge", 4),
    14: ("drop", "施行日期由常委会审议时确定，不属于本条内容。"),
}
FIRE_OPINIONS = {
    16: "建议本条增加政府和物业服务企业建设电动自行车集中停放充电场所的责任，"
    "禁止性规定与疏导措施并重。",
    11: "建议明确未实行物业管理住宅区的消防设施管理人由村（居）民委员会确定并公示。",
    12: "建议老旧小区改造方案征求消防救援机构意见。",
    24: "建议明确农村消防水源建设和维护的经费保障。",
    54: "建议适当提高对个人的罚款上限。",
    None: "本联系点群众普遍关注电动自行车停放充电、老旧小区消防设施管理和农村消防水源问题。",
}
FIRE_ADOPTED = [0, 3, 4, 6, 9, 11]
DOG_COMMENTS = [
    (
        7,
        "citizen",
        "online",
        2,
        "每户限养一只是否过严？建议区分城区和农村，农村看家护院的犬只不宜一刀切。",
    ),
    (9, "citizen", "online", 4, "犬链长度一点五米的规定很好，建议同时规定夜间遛狗要佩戴发光项圈。"),
    (None, "collector", "symposium", 6, "建议条例明确流浪犬收容的责任部门和经费来源。"),
    (
        13,
        "citizen",
        "box",
        6,
        "被狗咬伤后养犬人不垫付医药费的情况时有发生，建议写明拒不垫付的处理办法。",
    ),
]


def _staff(role: str, region: Region) -> User | None:
    return (
        User.objects.filter(
            is_active=True, role_assignments__role=role, role_assignments__region=region
        )
        .order_by("pk")
        .first()
    )


def _points(city: Region) -> list[Station]:
    """The showcase station and two more stations as the demo's legislative points."""
    showcase = Station.objects.filter(name=SHOWCASE, region_path__startswith=city.path).first()
    if showcase is None:
        return []
    others = list(
        Station.objects.filter(
            region_path__startswith=city.path, parent__isnull=True, status=Station.Status.ACTIVE
        )
        .exclude(pk=showcase.pk)
        .order_by("-is_legislative_point", "region_path")[:2]
    )
    points = [showcase, *others]
    Station.objects.filter(pk__in=[p.pk for p in points]).update(is_legislative_point=True)
    for point in points:
        point.is_legislative_point = True
    return points


def _collectors(actor, station: Station) -> list[Collector]:
    existing = {c.name: c for c in Collector.objects.filter(station=station)}
    for name, occupation, unit, phone in COLLECTORS:
        if name not in existing:
            existing[name] = services.collector_save(
                actor=actor,
                station=station,
                name=name,
                occupation=occupation,
                unit=unit,
                phone=phone,
            )
    return [existing[name] for name, *_ in COLLECTORS]


def _deputy_of(station: Station):
    membership = (
        StationMembership.objects.filter(
            current_membership_q(),
            station=station,
            deputy__status=Deputy.Status.ACTIVE,
            deputy__user__isnull=False,
        )
        .select_related("deputy__user")
        .first()
    )
    return membership.deputy if membership else None


def _officer_of(station: Station, fallback: User) -> User:
    """The point's liaison officer (offline comments are theirs to record), else staff."""
    return (
        User.objects.filter(
            is_active=True,
            role_assignments__role=Role.STATION_OFFICER,
            role_assignments__station=station,
        )
        .order_by("pk")
        .first()
        or fallback
    )


def _consultation(actor, city, points, *, title, text_file, opens_on, closes_on, description):
    with clock.frozen(opens_on - datetime.timedelta(days=2)):
        consultation = services.consultation_create(
            actor=actor,
            region=city,
            kind=Consultation.Kind.DRAFT,
            title=title,
            issuing_body=ISSUER,
            summary_to=ISSUER,
            opens_on=opens_on,
            closes_on=closes_on,
            description=description,
            points=points,
        )
        services.consultation_set_text(
            actor=actor,
            consultation=consultation,
            text=(DATA / text_file).read_text(encoding="utf-8"),
            filename=f"{title}.docx",
        )
        services.consultation_publish(actor=actor, consultation=consultation)
    return consultation


def _comment(
    consultation,
    participation,
    *,
    number,
    author,
    channel,
    day,
    text,
    officer,
    collectors,
    deputy,
    phone="",
):
    """One demo comment, through the path it would really take."""
    article = consultation.articles.filter(number=number).first() if number else None
    with clock.frozen(day):
        if author == "deputy" and deputy and can.deputy_at_point(deputy.user, participation):
            comment, _ = services.comment_submit(
                actor=deputy.user, participation=participation, content=text, article=article
            )
            return comment
        if author == "citizen" and channel == "online":
            comment, _ = services.comment_submit(
                actor=None,
                participation=participation,
                content=text,
                article=article,
                contact_phone=phone,
            )
            return comment
        offline = channel if channel in OFFLINE_CHANNELS else Channel.SYMPOSIUM
        return services.comment_record(
            actor=officer,
            participation=participation,
            content=text,
            article=article,
            channel=offline,
            received_on=day,
            author_kind=author if author != "deputy" or deputy else AuthorKind.CITIZEN,
            deputy=deputy if author == "deputy" else None,
            collector=collectors[sum(map(ord, text)) % len(collectors)]
            if author == "collector"
            else None,
            contact_phone=phone if author in ("citizen", "organisation") else "",
        )


def _seed_fire(actor, officer, city, points, collectors, today) -> Consultation:
    opens_on = today - datetime.timedelta(days=120)
    closes_on = opens_on + datetime.timedelta(days=30)
    consultation = _consultation(
        actor,
        city,
        points,
        title=FIRE_TITLE,
        text_file="fire_regulation_draft.txt",
        opens_on=opens_on,
        closes_on=closes_on,
        description="市人大常委会法制工作委员会就《吕梁市消防条例（修订草案）》公开征求意见，"
        "请各基层立法联系点组织群众、代表和信息采集员逐条提出意见。",
    )
    participations = {p.station_id: p for p in consultation.participations.all()}
    deputy = _deputy_of(points[0])
    comments = []
    for index, (point, number, author, channel, after, text) in enumerate(FIRE_COMMENTS):
        participation = participations[points[point].pk]
        comments.append(
            _comment(
                consultation,
                participation,
                number=number,
                author=author,
                channel=channel,
                day=opens_on + datetime.timedelta(days=after),
                text=text,
                officer=_officer_of(points[point], actor),
                collectors=collectors,
                deputy=deputy,
                phone=f"139358{index:05d}" if index % 2 == 0 else "",
            )
        )
    symposium = opens_on + datetime.timedelta(days=9)
    with clock.frozen(symposium):
        services.meeting_record(
            actor=officer,
            participation=participations[points[0].pk],
            kind=Meeting.Kind.SYMPOSIUM,
            held_on=symposium,
            place="天宁镇人大代表联络站会议室",
            people_count=18,
            note="邀请居民代表、物业企业和信息采集员逐条讨论草案。",
            collectors=collectors,
        )
    # The points' own officers work their comments, send and give the feedback.
    keeper = {p.pk: _officer_of(p.station, actor) for p in participations.values()}
    decided = opens_on + datetime.timedelta(days=27)
    with clock.frozen(decided):
        for index, comment in enumerate(comments):
            decision = FIRE_DECISIONS.get(index, ("keep", None))
            if decision[0] == "keep":
                services.comment_decide(
                    actor=keeper[comment.participation_id], comment=comment, decision="keep"
                )
        for index, (kind, target) in FIRE_DECISIONS.items():
            if kind == "merge":
                services.comment_decide(
                    actor=keeper[comments[index].participation_id],
                    comment=comments[index],
                    decision="merge",
                    merged_into=Comment.objects.get(pk=comments[target].pk),
                )
            else:
                services.comment_decide(
                    actor=keeper[comments[index].participation_id],
                    comment=comments[index],
                    decision="drop",
                    reason=target,
                )
        main = participations[points[0].pk]
        for number, text in FIRE_OPINIONS.items():
            article = consultation.articles.filter(number=number).first() if number else None
            services.opinion_save(
                actor=keeper[main.pk], participation=main, article=article, text=text
            )
    with clock.frozen(closes_on - datetime.timedelta(days=1)):
        for participation in participations.values():
            services.participation_send(
                actor=keeper[participation.pk],
                participation=participation,
                sent_on=clock.today(),
                sent_to=ISSUER,
                method=Sending.Method.DOCUMENT,
                note="以联系点名义正式行文报送，附意见清单。",
            )
    with clock.frozen(closes_on + datetime.timedelta(days=30)):
        by_point: dict[int, list[int]] = {}
        for index in FIRE_ADOPTED:
            by_point.setdefault(comments[index].participation_id, []).append(comments[index].pk)
        for participation in participations.values():
            services.comments_mark_adopted(
                actor=keeper[participation.pk],
                participation=participation,
                adopted_ids=by_point.get(participation.pk, []),
            )
            services.participation_feedback(
                actor=keeper[participation.pk], participation=participation
            )
    return consultation


def _seed_dog(actor, officer, city, points, collectors, today) -> Consultation:
    opens_on = today - datetime.timedelta(days=10)
    consultation = _consultation(
        actor,
        city,
        points,
        title=DOG_TITLE,
        text_file="dog_regulation_draft.txt",
        opens_on=opens_on,
        closes_on=today + datetime.timedelta(days=20),
        description="欢迎对草案逐条提出修改意见和建议。",
    )
    participation = consultation.participations.get(station=points[0])
    for number, author, channel, after, text in DOG_COMMENTS:
        _comment(
            consultation,
            participation,
            number=number,
            author=author,
            channel=channel,
            day=min(today, opens_on + datetime.timedelta(days=after)),
            text=text,
            officer=officer,
            collectors=collectors,
            deputy=None,
        )
    return consultation


def seed(stdout=None) -> None:
    city = Region.objects.filter(code=CITY_CODE).first()
    if city is None:
        return
    actor = _staff(Role.CITY_STAFF, city)
    points = _points(city)
    if actor is None or not points:
        return
    officer = _officer_of(points[0], actor)
    collectors = _collectors(actor, points[0])
    today = clock.today()
    made = []
    existing = set(Consultation.objects.filter(region=city).values_list("title", flat=True))
    if FIRE_TITLE not in existing:
        made.append(_seed_fire(actor, officer, city, points, collectors, today))
    if DOG_TITLE not in existing:
        made.append(_seed_dog(actor, officer, city, points, collectors, today))
    if stdout:
        stdout.write(
            f"legislation: {len(made)} consultations, {len(points)} legislative points, "
            f"{len(collectors)} collectors"
        )
