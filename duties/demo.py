"""Demo duty records for Lvliang (吕梁市): report-backs, a county's own point rules, points.

About half of the deputies reported back to their voters on last year in the first
quarter (述职), a few already on this year; 交城县 weighs station duty more than the
defaults, so its deputies' breakdowns name the county as the source. Points are then
computed for this year and last. Reports are skipped when the demo city has any;
the point rules are matched by (region, kind); the points are recomputed each run.
"""

import datetime
import random

from core import clock
from deputies.models import Deputy
from regions.models import Region

from .models import DutyKind, DutyReport, PointRule
from .services import deputy_points_recompute

DEMO_CITY_PATH = "14/1411/"
JIAOCHENG = "141122"
COUNTY_RULES = {DutyKind.RECEPTION: 4, DutyKind.DUTY_ATTENDED: 3, DutyKind.DUTY_MISSED: -1}
NOTES = [
    "在村委会向选民报告履职情况，选民现场测评满意。",
    "在社区党群服务中心述职，回答选民提问。",
    "在联络站向选民代表述职，听取意见建议。",
]


def seed(stdout=None) -> None:
    if not Region.objects.filter(path=DEMO_CITY_PATH).exists():
        return
    today = clock.today()
    deputies = Deputy.objects.filter(
        region_path__startswith=DEMO_CITY_PATH, status=Deputy.Status.ACTIVE
    )
    reports = 0
    if not DutyReport.objects.filter(region_path__startswith=DEMO_CITY_PATH).exists():
        reports = _seed_reports(deputies, today)
    county = Region.objects.filter(code=JIAOCHENG).first()
    if county is not None:
        for kind, points in COUNTY_RULES.items():
            PointRule.objects.get_or_create(region=county, kind=kind, defaults={"points": points})
    written = 0
    for year in (today.year - 1, today.year):
        written += deputy_points_recompute(deputies=deputies, year=year)
    if stdout:
        stdout.write(f"duties: {reports} report-backs, points for {written} deputy-years")


def _seed_reports(deputies, today: datetime.date) -> int:
    rng = random.Random(2977)
    rows = []
    for deputy_id, region_id, path in deputies.order_by("pk").values_list(
        "pk", "region_id", "region_path"
    ):
        if rng.random() < 0.5:
            day = datetime.date(today.year, 1, 5) + datetime.timedelta(days=rng.randrange(80))
            if day < today:
                rows.append((deputy_id, region_id, path, today.year - 1, day))
        if rng.random() < 0.12:
            day = today - datetime.timedelta(days=rng.randrange(1, 40))
            rows.append((deputy_id, region_id, path, today.year, day))
    DutyReport.objects.bulk_create(
        [
            DutyReport(
                deputy_id=deputy_id,
                region_id=region_id,
                region_path=path,
                year=year,
                date=day,
                notes=rng.choice(NOTES),
            )
            for deputy_id, region_id, path, year, day in rows
        ],
        batch_size=1000,
    )
    return len(rows)
