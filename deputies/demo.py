"""Demo deputies of Lvliang (吕梁市): ~1,000 of five levels, grouped into stations.

Lvliang has 11,386 deputies for 747 sites; the demo keeps about 25 per station.
Names, units and commitments are generated from fixed lists with a fixed seed, so
the same people appear every time; rows are matched by name and phone and a
second run adds nothing. Avatars are plain coloured squares with the surname,
drawn with the Noto CJK font when fontconfig finds it.
"""

import datetime
import random
import subprocess
from pathlib import Path

from django.conf import settings

from regions.models import Region
from stations.models import Station

from .models import Deputy, DeputyGroup, StationMembership

CITY_CODE = "1411"
PER_STATION = 25
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋"
    "蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟"
    "龙万段雷钱汤尹易常武乔贺赖龚文牛温霍闫"
)
MALE_GIVEN = "建国志刚伟强军明海平斌文杰涛鹏飞勇峰磊超亮俊华东永红兵宏斌晓波春生林庆福贵成"
FEMALE_GIVEN = "秀英丽娟芳敏静燕霞红梅玲兰琴桂英慧雪洁颖婷倩瑞丽萍翠莲春花爱华晓琳美玉"
# The demo deputy of accounts/demo.py (looked up there by name): never generate the name.
SHOWCASE = {
    "name": "马志刚",
    "region_code": "141122100",
    "level": Deputy.Level.COUNTY,
    "gender": Deputy.Gender.MALE,
    "work_unit": "天宁镇西街社区",
    "position": "党支部书记",
    "commitment": "倾听群众呼声，件件有回音。",
}
# How many of each level among PER_STATION * stations deputies (national is rarest).
LEVEL_WEIGHTS = [
    (Deputy.Level.NATIONAL, 0.3),
    (Deputy.Level.PROVINCIAL, 1.2),
    (Deputy.Level.CITY, 6),
    (Deputy.Level.COUNTY, 30),
    (Deputy.Level.TOWNSHIP, 62.5),
]
TERMS = {
    Deputy.Level.NATIONAL: "第十四届",
    Deputy.Level.PROVINCIAL: "第十四届",
    Deputy.Level.CITY: "第五届",
    Deputy.Level.COUNTY: "第十七届",
    Deputy.Level.TOWNSHIP: "第十八届",
}
JOBS = [
    ("{village}村民委员会", "党支部书记", "基层治理"),
    ("{village}村民委员会", "村委会主任", "基层治理"),
    ("{township}人民政府", "副镇长", "基层治理"),
    ("{township}中心学校", "教师", "教育"),
    ("{township}卫生院", "医生", "医疗卫生"),
    ("{county}人民医院", "主任医师", "医疗卫生"),
    ("{county}律师事务所", "律师", "法律"),
    ("{county}农业农村局", "农艺师", "农业"),
    ("{township}农民专业合作社", "理事长", "农业"),
    ("山西{county}实业有限公司", "总经理", "企业经营"),
    ("吕梁{county}煤业有限公司", "工程师", "企业经营"),
    ("{village}", "种植户", "农业"),
    ("{township}", "个体工商户", "企业经营"),
    ("{county}生态环境分局", "科长", "生态环保"),
]
PARTIES = ["中共党员"] * 7 + ["群众", "群众", "民盟盟员", "农工党党员", "无党派人士"]
COMMITMENTS = [
    "倾听群众呼声，件件有回音。",
    "扎根基层，为民办实事、解难题。",
    "常回选区看看，把群众的事当成自己的事。",
    "月进站、季回家，做群众的贴心人。",
    "依法履职，为乡村振兴建言献策。",
    "多听民声，多解民忧，不负选民重托。",
]
PALETTE = ["#b4232a", "#1f6f8b", "#2f7d32", "#8a5a00", "#5b3c88", "#37474f"]


def _font_file() -> tuple[str, int] | None:
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{file}|%{index}", "Noto Sans CJK SC:bold"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    path, _sep, index = found.partition("|")
    if "CJK" not in path or not Path(path).exists():
        return None
    return path, int(index or 0)


def avatar(surname: str, gender: str, font) -> str:
    """A 240x300 PNG: a coloured square with the surname; returns the media-relative name."""
    from PIL import Image, ImageDraw

    colour = PALETTE[(ord(surname) + (gender == Deputy.Gender.FEMALE)) % len(PALETTE)]
    name = f"deputies/photos/demo/{ord(surname):x}-{gender or 'x'}.png"
    target = Path(settings.MEDIA_ROOT) / name
    if target.exists():
        return name
    target.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", (240, 300), colour)
    draw = ImageDraw.Draw(image)
    draw.text((120, 150), surname, fill="white", font=font, anchor="mm")
    image.save(target, "PNG", optimize=True)
    return name


def _person(rng: random.Random, used: set[str]) -> tuple[str, str]:
    while True:
        gender = rng.choice([Deputy.Gender.MALE] * 3 + [Deputy.Gender.FEMALE] * 2)
        pool = MALE_GIVEN if gender == Deputy.Gender.MALE else FEMALE_GIVEN
        given = rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.7 else "")
        name = rng.choice(SURNAMES) + given
        if name not in used and name != SHOWCASE["name"]:
            used.add(name)
            return name, gender


def _stations() -> list[Station]:
    city = Region.objects.get(code=CITY_CODE)
    return list(
        Station.objects.filter(region_path__startswith=city.path, parent__isnull=True)
        .select_related("region", "region__parent")
        .order_by("region_path", "pk")
    )


def seed_showcase(font) -> Deputy:
    region = Region.objects.get(code=SHOWCASE["region_code"])
    fields = {k: v for k, v in SHOWCASE.items() if k not in ("name", "region_code")}
    deputy, created = Deputy.objects.get_or_create(
        name=SHOWCASE["name"],
        region=region,
        defaults={
            **fields,
            "phone": "13935800001",
            "phone_public": True,
            "constituency": "天宁镇第一选区",
            "professional_field": "基层治理",
            "party": "中共党员",
            "term": TERMS[Deputy.Level.COUNTY],
            "photo": avatar("马", Deputy.Gender.MALE, font) if font else "",
        },
    )
    station = Station.objects.filter(name="天宁镇人大代表联络站").first()
    if station and not deputy.memberships.exists():
        StationMembership.objects.create(
            deputy=deputy, station=station, start_date=datetime.date(2022, 1, 5)
        )
    return deputy


def seed_deputies(stations: list[Station], font) -> int:
    rng = random.Random(11386)
    used: set[str] = set()
    villages: dict[int, list[Region]] = {}
    for village in Region.objects.filter(
        parent_id__in=[s.region_id for s in stations], level=Region.Level.VILLAGE
    ).order_by("code"):
        villages.setdefault(village.parent_id, []).append(village)
    points: dict[int, list[Station]] = {}
    for point in Station.objects.filter(parent__in=stations).order_by("pk"):
        points.setdefault(point.parent_id, []).append(point)

    levels = [level for level, _w in LEVEL_WEIGHTS]
    weights = [w for _l, w in LEVEL_WEIGHTS]
    planned: list[tuple[Deputy, list[Station]]] = []
    serial = 0
    for station in stations:
        township = station.region
        county = township.parent.name if township.parent else ""
        for number in range(PER_STATION):
            serial += 1
            name, gender = _person(rng, used)
            level = rng.choices(levels, weights)[0]
            village = rng.choice(villages.get(township.pk) or [township])
            unit, position, field = rng.choice(JOBS)
            deputy = Deputy(
                name=name,
                gender=gender,
                level=level,
                region=township,
                region_path=township.path,
                constituency=f"{township.name}第{number % 6 + 1}选区",
                work_unit=unit.format(village=village.name, township=township.name, county=county),
                position=position,
                phone=f"139{35800000 + serial * 7:08d}"[:11],
                phone_public=rng.random() < 0.4,
                professional_field=field,
                party=rng.choice(PARTIES),
                term=TERMS[level],
                commitment=rng.choice(COMMITMENTS),
                status=Deputy.Status.ACTIVE if rng.random() < 0.97 else Deputy.Status.SUSPENDED,
                photo=avatar(name[0], gender, font) if font else "",
            )
            # Most deputies sit at their township's station; a third also at a point.
            homes = [station]
            if points.get(station.pk) and rng.random() < 0.35:
                homes.append(rng.choice(points[station.pk]))
            planned.append((deputy, homes))

    existing = set(
        Deputy.objects.filter(region_path__startswith="14/1411/").values_list("name", "phone")
    )
    fresh = [(d, homes) for d, homes in planned if (d.name, d.phone) not in existing]
    created = Deputy.objects.bulk_create([d for d, _homes in fresh], batch_size=500)
    StationMembership.objects.bulk_create(
        [
            StationMembership(
                deputy=deputy,
                station=home,
                start_date=datetime.date(2022, 1, 1) + datetime.timedelta(days=deputy.pk % 300),
            )
            for deputy, (_d, homes) in zip(created, fresh, strict=True)
            for home in homes
        ],
        batch_size=1000,
    )
    return len(created)


def seed_groups() -> None:
    tianning = Station.objects.filter(name="天宁镇人大代表联络站").select_related("region").first()
    jiaocheng = Region.objects.filter(code="141122").first()
    lishi = Region.objects.filter(code="141102").first()
    plans = []
    if tianning:
        plans.append(
            (
                "天宁镇第一代表小组",
                DeputyGroup.Kind.ORDINARY,
                tianning.region,
                tianning,
                Deputy.objects.filter(memberships__station=tianning).order_by("pk")[:12],
            )
        )
    for region, field, title in (
        (jiaocheng, "法律", "交城县法律专业代表小组"),
        (lishi, "医疗卫生", "离石区医疗卫生专业代表小组"),
    ):
        if region:
            plans.append(
                (
                    title,
                    DeputyGroup.Kind.PROFESSIONAL,
                    region,
                    None,
                    Deputy.objects.filter(
                        region_path__startswith=region.path, professional_field=field
                    ).order_by("pk")[:15],
                )
            )
    for name, kind, region, station, members in plans:
        group, _created = DeputyGroup.objects.get_or_create(
            name=name,
            region=region,
            defaults={"kind": kind, "station": station, "leader_name": ""},
        )
        members = list(members)
        if members and not group.leader_name:
            group.leader_name = members[0].name
            group.save(update_fields=["leader_name"])
        group.members.add(*members)


def seed(stdout=None) -> None:
    font_file = _font_file()
    font = None
    if font_file:
        from PIL import ImageFont

        font = ImageFont.truetype(font_file[0], 150, index=font_file[1])
    seed_showcase(font)
    created = seed_deputies(_stations(), font)
    seed_groups()
    if stdout:
        total = Deputy.objects.filter(region_path__startswith="14/1411/").count()
        stdout.write(
            f"deputies: {total} deputies ({created} new), photos {'on' if font else 'off'}"
        )
