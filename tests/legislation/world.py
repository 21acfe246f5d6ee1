"""Legislative-point objects on the 交城县 side of the `world` cast, made on first use.

The cross-region walk and the legislation tests share them: `legislation_world(world)`.
吕梁市 (the city) publishes a consultation of a short draft and asks 天宁镇's station
(a legislative point, "one site, two plaques"); 文水县's 凤城镇 station is a point too,
but is asked to join only its own county's consultation (`neighbour_consultation`).
"""

import datetime
from types import SimpleNamespace

from legislation.models import (
    Article,
    AuthorKind,
    Channel,
    Collector,
    Comment,
    Consultation,
    Heading,
    Participation,
)

OPENS = datetime.date(2026, 3, 2)
CLOSES = datetime.date(2026, 3, 31)


def consultation_of(region, stations, *, title, status=Consultation.Status.PUBLISHED):
    consultation = Consultation.objects.create(
        region=region,
        kind=Consultation.Kind.DRAFT,
        title=title,
        issuing_body=f"{region.name}人大常委会法制工作委员会",
        summary_to=f"{region.name}人大常委会法制工作委员会",
        opens_on=OPENS,
        closes_on=CLOSES,
        status=status,
    )
    chapter = Heading.objects.create(
        consultation=consultation, order=0, level="chapter", number=1, label="第一章", title="总则"
    )
    for number in range(1, 4):
        Article.objects.create(
            consultation=consultation,
            order=number,
            number=number,
            label=f"第{'一二三'[number - 1]}条",
            paragraphs=[f"第{number}条的内容。"],
            heading=chapter,
        )
    for station in stations:
        Participation.objects.create(
            consultation=consultation,
            station=station,
            region=station.region,
        )
    return consultation


def legislation_world(world) -> SimpleNamespace:
    if getattr(world, "_legislation_world", None) is not None:
        return world._legislation_world
    for station in (world.station, world.neighbour_station):
        station.is_legislative_point = True
        station.save(update_fields=["is_legislative_point"])
    consultation = consultation_of(world.city, [world.station], title="吕梁市消防条例（修订草案）")
    participation = consultation.participations.get()
    article = consultation.articles.get(number=1)
    comment = Comment.objects.create(
        consultation=consultation,
        participation=participation,
        station=world.station,
        region=world.station.region,
        number=1,
        article=article,
        content="建议明确电动自行车集中充电设施的建设责任。",
        author_kind=AuthorKind.CITIZEN,
        author_name="张三丰",
        contact_phone="13912345678",
        channel=Channel.ONLINE,
        received_on=OPENS,
    )
    collector = Collector.objects.create(
        station=world.station,
        region=world.station.region,
        name="王志强",
        occupation="司法所所长",
        phone="13935800101",
    )
    neighbour_consultation = consultation_of(
        world.neighbour, [world.neighbour_station], title="文水县立法项目征集"
    )
    world._legislation_world = SimpleNamespace(
        consultation=consultation,
        participation=participation,
        article=article,
        comment=comment,
        collector=collector,
        neighbour_consultation=neighbour_consultation,
        neighbour_participation=neighbour_consultation.participations.get(),
    )
    return world._legislation_world
