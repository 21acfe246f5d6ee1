"""Demo stations and points of Lvliang (吕梁市), in the proportions of the articles.

Lvliang has 747 sites (167 stations, 580 points) for 11,386 deputies. The demo keeps
the shape at a smaller scale: a station in every township of 交城县 and 离石区 and
in two townships of each other county (~40 stations), about three points under each,
the city's checklist (六有/八有) and star ratings for most stations. Rows are
matched by natural key (name and region), so seeding twice adds nothing.
"""

import datetime
import random
from decimal import Decimal

from regions.models import Region

from .models import StandardItem, Station, StationAssessment
from .services import DEFAULT_STANDARDS

CITY_CODE = "1411"
FULL_COUNTIES = ("141122", "141102")  # 交城县, 离石区: every township gets a station
TOWNSHIPS_PER_OTHER_COUNTY = 2
POINTS_PER_STATION = 3
# Approximate county seats, so the demo map shows stations in the right places.
COUNTY_CENTRES = {
    "141102": (37.519, 111.134),
    "141121": (37.436, 112.028),
    "141122": (37.556, 112.159),
    "141123": (38.463, 111.127),
    "141124": (37.951, 110.993),
    "141125": (37.431, 110.889),
    "141126": (36.998, 110.835),
    "141127": (38.280, 111.673),
    "141128": (37.889, 111.241),
    "141129": (37.357, 111.179),
    "141130": (36.982, 111.181),
    "141181": (37.144, 111.781),
    "141182": (37.262, 111.788),
}
# The station the demo accounts are bound to (accounts/demo.py looks it up by name).
SHOWCASE = {
    "name": "天宁镇人大代表联络站",
    "region_code": "141122100",
    "kind": Station.Kind.TOWNSHIP,
    "address": "交城县天宁镇政府院内",
    "opening_hours": "工作日 8:30-12:00, 14:30-17:30",
    "head_name": "刘芳",
}
HEAD_NAMES = ["王建华", "李秀梅", "张国庆", "刘志军", "陈丽娟", "杨海平", "赵文斌", "郭红霞"]
HOURS = [
    "工作日 8:30-12:00, 14:30-17:30",
    "每周四全天；每月20日代表接待日",
    "每月5日、20日 9:00-11:30",
    "工作日 9:00-17:00",
]


def _township_targets() -> list[Region]:
    city = Region.objects.get(code=CITY_CODE)
    townships = list(
        Region.objects.filter(level=Region.Level.TOWNSHIP, path__startswith=city.path).order_by(
            "code"
        )
    )
    chosen, per_county = [], {}
    for township in townships:
        county_code = township.code[:6]
        if county_code in FULL_COUNTIES:
            chosen.append(township)
        elif per_county.get(county_code, 0) < TOWNSHIPS_PER_OTHER_COUNTY:
            per_county[county_code] = per_county.get(county_code, 0) + 1
            chosen.append(township)
    return chosen


def _station_name(township: Region) -> tuple[str, str]:
    if township.name.endswith(("园区", "开发区")):
        return f"{township.name}代表工作站", Station.Kind.PARK
    return f"{township.name}人大代表联络站", Station.Kind.TOWNSHIP


def _coords(rng: random.Random, code: str) -> tuple[Decimal, Decimal]:
    lat, lon = COUNTY_CENTRES.get(code[:6], (37.52, 111.14))
    return (
        Decimal(str(round(lat + rng.uniform(-0.12, 0.12), 6))),
        Decimal(str(round(lon + rng.uniform(-0.12, 0.12), 6))),
    )


def _new_station(rng, *, name, kind, region, parent=None, **extra) -> Station:
    lat, lon = _coords(rng, region.code)
    values = {
        "address": f"{region.parent.name if region.parent else ''}{region.name}便民服务中心",
        "opening_hours": rng.choice(HOURS),
        "phone": f"0358-{rng.randint(3000000, 7999999)}",
        "head_name": rng.choice(HEAD_NAMES),
        "latitude": lat,
        "longitude": lon,
        **extra,
    }
    return Station(
        name=name, kind=kind, region=region, region_path=region.path, parent=parent, **values
    )


def seed_stations(rng: random.Random) -> list[Station]:
    townships = _township_targets()
    wanted_regions = {t.pk for t in townships}
    existing = {
        (s.name, s.region_id): s
        for s in Station.objects.filter(region__parent_id__in=wanted_regions)
        | Station.objects.filter(region_id__in=wanted_regions)
    }
    showcase_region = Region.objects.get(code=SHOWCASE["region_code"])
    if (SHOWCASE["name"], showcase_region.pk) not in existing:
        extra = {k: v for k, v in SHOWCASE.items() if k not in ("name", "region_code", "kind")}
        station = _new_station(
            rng, name=SHOWCASE["name"], kind=SHOWCASE["kind"], region=showcase_region, **extra
        )
        station.save()
        existing[(station.name, showcase_region.pk)] = station

    new_stations = []
    for township in townships:
        name, kind = _station_name(township)
        if (name, township.pk) not in existing:
            new_stations.append(_new_station(rng, name=name, kind=kind, region=township))
    for station in Station.objects.bulk_create(new_stations):
        existing[(station.name, station.region_id)] = station

    villages: dict[int, list[Region]] = {}
    for village in Region.objects.filter(
        parent_id__in=wanted_regions, level=Region.Level.VILLAGE
    ).order_by("code"):
        villages.setdefault(village.parent_id, []).append(village)
    points = []
    for township in townships:
        name, _kind = _station_name(township)
        parent = existing[(name, township.pk)]
        for index, village in enumerate(villages.get(township.pk, [])[:POINTS_PER_STATION]):
            enterprise = index == 2 and township.code[:6] in FULL_COUNTIES
            point_name = (
                f"{village.name}企业代表联络点" if enterprise else f"{village.name}代表联络点"
            )
            if (point_name, village.pk) in existing:
                continue
            points.append(
                _new_station(
                    rng,
                    name=point_name,
                    kind=Station.Kind.ENTERPRISE if enterprise else Station.Kind.VILLAGE_POINT,
                    region=village,
                    parent=parent,
                    is_legislative_point=village.code.endswith("001") and rng.random() < 0.3,
                )
            )
    Station.objects.bulk_create(points)
    return [existing[(_station_name(t)[0], t.pk)] for t in townships]


def seed_standards() -> list[StandardItem]:
    city = Region.objects.get(code=CITY_CODE)
    if not StandardItem.objects.filter(region=city).exists():
        StandardItem.objects.bulk_create(
            StandardItem(region=city, region_path=city.path, code=code, text=text, order=order)
            for order, (code, text) in enumerate(DEFAULT_STANDARDS, start=1)
        )
    return list(StandardItem.objects.filter(region=city).order_by("order"))


def seed_assessments(stations: list[Station], items: list[StandardItem]) -> int:
    """Two yearly ratings for three stations in four; decided by region code, so stable."""
    rated = set(
        StationAssessment.objects.filter(station__in=stations).values_list("station_id", flat=True)
    )
    assessments, met = [], []
    for station in stations:
        rng = random.Random(station.region_path)
        if station.pk in rated or rng.random() < 0.25:
            continue
        stars = rng.choices([2, 3, 4, 5], weights=[1, 3, 4, 2])[0]
        for year, drift in ((2024, -1), (2025, 0)):
            assessment = StationAssessment(
                station=station,
                region_id=station.region_id,
                region_path=station.region_path,
                assessed_on=datetime.date(year, 11, rng.randint(1, 28)),
                stars=max(1, stars + drift),
                notes="按“六有”“八有”标准现场评定。",
            )
            assessments.append(assessment)
            met.append(items[: 2 * assessment.stars])
    StationAssessment.objects.bulk_create(assessments)
    through = StationAssessment.items_met.through
    through.objects.bulk_create(
        through(stationassessment_id=a.pk, standarditem_id=item.pk)
        for a, items_met in zip(assessments, met, strict=True)
        for item in items_met
    )
    latest = {a.station_id: a.stars for a in assessments if a.assessed_on.year == 2025}
    for station in stations:
        if station.pk in latest:
            station.stars = latest[station.pk]
    Station.objects.bulk_update([s for s in stations if s.pk in latest], ["stars"])
    return len(assessments)


def seed(stdout=None) -> None:
    rng = random.Random(1411)
    stations = seed_stations(rng)
    items = seed_standards()
    rated = seed_assessments(stations, items)
    if stdout:
        city = Region.objects.get(code=CITY_CODE)
        total = Station.objects.filter(region_path__startswith=city.path)
        stdout.write(
            f"stations: {total.filter(parent__isnull=True).count()} stations, "
            f"{total.filter(parent__isnull=False).count()} points, {rated} new assessments"
        )
