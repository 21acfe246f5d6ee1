"""Build one province-sized dataset (Shanxi) for load tests and benchmarks.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lianxin_province \\
        uv run python manage.py seed_province

At scale 1: all of Shanxi's regions (11 cities, 121 counties, 1,352 townships),
10,000 stations and points, 130,000 deputies (95% grouped into a station), 500,000
receptions with their deputies, 1,000,000 suggestions across every status over two
years, then the dashboard rollups. Rows go in with COPY (PostgreSQL) at explicit
ids, so nothing has to be read back; the sequences are moved past them afterwards.
SQLite is refused unless `--scale` asks for a fraction (it then uses executemany).
Refuses a database that already holds suggestions: it is meant for an empty one.
"""

from __future__ import annotations

import datetime
import random
import time
import uuid
from collections import defaultdict
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from core import clock
from dashboards.rollups import rollup_refresh
from deputies.models import Deputy, StationMembership
from receptions.models import Reception
from regions.models import Region
from regions.services import read_region_csv, region_import
from stations.models import Station
from suggestions.models import Category, Channel, Suggestion

REGION_CSV = Path(__file__).resolve().parents[3] / "regions" / "data" / "shanxi.csv"
FULL = {"stations": 10_000, "deputies": 130_000, "receptions": 500_000, "suggestions": 1_000_000}
DAYS = 730

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段漕钱汤尹黎易常武乔贺赖龚文"  # noqa: E501
GIVEN = (
    "国华建明志强秀英玉兰桂芳军平伟丽红霞海燕文杰敏静春梅晓东丽娟永刚德福金凤秋菊宝山利民卫东爱莲"
)
LEVELS = [("township", 60), ("county", 30), ("city", 7), ("provincial", 2.5), ("national", 0.5)]
STARS = [(5, 5), (4, 15), (3, 30), (2, 15), (1, 5), (None, 30)]
TEXTS = {
    "roads": "村口道路坑洼不平，雨天积水，群众出行不便，希望尽快修补。",
    "gas": "小区天然气管道老化，闻到异味，请有关部门检查维修。",
    "water": "近期自来水水压偏低，高层住户经常停水，请协调解决。",
    "heating": "冬季供暖温度不达标，室内不到十八度，希望供热公司排查。",
    "drainage": "雨污管网堵塞，下雨时路面积水严重，请疏通排水管道。",
    "parking": "小区停车位紧张，车辆乱停占用消防通道，建议规划停车场。",
    "old_housing": "老旧小区楼道照明损坏、外墙脱落，希望纳入改造计划。",
    "schools": "孩子上学路程远，希望增加校车或调整学区划分。",
    "elderly_care": "村里老人多，希望建设日间照料中心，解决老人吃饭难。",
    "environment": "河道垃圾堆积无人清理，夏天气味很大，请加强保洁。",
    "employment": "返乡青年就业难，希望多组织技能培训和招聘会。",
    "other": "建议在村委会设置便民服务点，方便群众办理业务。",
}


def _weighted(pairs):
    values = [v for v, _w in pairs]
    weights = [w for _v, w in pairs]
    return lambda rng: rng.choices(values, weights)[0]


class Writer:
    """Bulk rows into a table at explicit ids: COPY on PostgreSQL, executemany elsewhere."""

    def __init__(self, stdout):
        self.stdout = stdout
        self.postgres = connection.vendor == "postgresql"

    def next_id(self, model) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")
            return cursor.fetchone()[0]

    def write(self, table: str, columns: list[str], rows) -> int:
        count = 0
        with connection.cursor() as cursor:
            if self.postgres:
                sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row(row)
                        count += 1
            else:
                marks = ", ".join(["%s"] * len(columns))
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
                batch = []
                for row in rows:
                    batch.append([self._adapt(value) for value in row])
                    if len(batch) >= 5000:
                        cursor.executemany(sql, batch)
                        count += len(batch)
                        batch = []
                if batch:
                    cursor.executemany(sql, batch)
                    count += len(batch)
        return count

    @staticmethod
    def _adapt(value):
        if isinstance(value, datetime.datetime):
            return connection.ops.adapt_datetimefield_value(value)
        if isinstance(value, datetime.date):
            return connection.ops.adapt_datefield_value(value)
        return value

    def reset_sequence(self, model) -> None:
        if not self.postgres:
            return
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )


class Command(BaseCommand):
    help = (
        "Seed one province-sized dataset (Shanxi) for benchmarks. "
        "PostgreSQL; SQLite only with --scale."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=float,
            default=None,
            help="Fraction of the full size (1.0 = 10,000 stations, 1,000,000 suggestions).",
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed.")
        parser.add_argument(
            "--skip-rollups", action="store_true", help="Do not build the dashboard rollups."
        )

    def handle(self, *args, scale, seed, skip_rollups, **options):
        if connection.vendor != "postgresql" and scale is None:
            raise CommandError(
                "seed_province targets PostgreSQL (set DATABASE_URL). "
                "On SQLite pass --scale with a small fraction, e.g. --scale 0.01."
            )
        scale = 1.0 if scale is None else scale
        if not 0 < scale <= 1:
            raise CommandError("--scale must be in (0, 1].")
        if Suggestion.objects.exists():
            raise CommandError("This database already holds suggestions; seed an empty one.")
        self.rng = random.Random(seed)
        self.writer = Writer(self.stdout)
        self.now = clock.now()
        self.today = clock.today()
        self.tz = timezone.get_current_timezone()
        sizes = {name: max(1, round(n * scale)) for name, n in FULL.items()}
        started = time.monotonic()

        self._phase("regions", self._regions)
        with transaction.atomic():
            if self.writer.postgres:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit = off")
            self._phase("stations", lambda: self._stations(sizes["stations"], scale))
            self._phase("deputies", lambda: self._deputies(sizes["deputies"]))
            self._phase("receptions", lambda: self._receptions(sizes["receptions"]))
            self._phase("suggestions", lambda: self._suggestions(sizes["suggestions"]))
        if not skip_rollups:
            self._phase("rollups", lambda: self.stdout.write(f"  {rollup_refresh()}"))
        self._phase("vacuum analyze", self._analyze)
        self.stdout.write(f"done in {time.monotonic() - started:.1f} s")

    def _phase(self, name, function):
        started = time.monotonic()
        function()
        self.stdout.write(f"{name}: {time.monotonic() - started:.1f} s")
        self.stdout.flush()

    # --- regions -------------------------------------------------------------------------

    def _regions(self):
        report = region_import(rows=read_region_csv(REGION_CSV))
        if report.errors:
            raise CommandError("; ".join(report.errors))
        regions = list(Region.objects.values_list("pk", "path", "level", "parent_id"))
        self.region_path = {pk: path for pk, path, _level, _parent in regions}
        self.townships = sorted(pk for pk, _p, level, _par in regions if level == "township")
        self.villages = defaultdict(list)
        for pk, _path, level, parent in regions:
            if level == "village":
                self.villages[parent].append(pk)
        self.stdout.write(
            f"  regions: {len(regions)} ({len(self.townships)} townships), created {report.created}"
        )

    # --- stations and points -----------------------------------------------------------------

    def _stations(self, total: int, scale: float):
        rng = self.rng
        townships = self.townships
        if scale < 1:
            townships = sorted(rng.sample(townships, max(1, round(len(townships) * scale))))
        station_count = min(len(townships), total)
        base = self.writer.next_id(Station)
        stars = _weighted(STARS)
        self.stations = []  # (id, region id, parent id)
        rows = []
        next_id = base
        tops = []
        for township in townships[:station_count]:
            tops.append((next_id, township))
            self.stations.append((next_id, township, None))
            next_id += 1
        for index in range(total - station_count):
            parent_id, township = tops[index % len(tops)]
            villages = self.villages.get(township)
            region = rng.choice(villages) if villages else township
            self.stations.append((next_id, region, parent_id))
            next_id += 1
        for station_id, region, parent_id in self.stations:
            point = parent_id is not None
            rows.append(
                (
                    station_id,
                    region,
                    self.region_path[region],
                    f"联络{'点' if point else '站'}{station_id}",
                    "village_point" if point else "township",
                    parent_id,
                    False,
                    f"第{station_id % 97 + 1}号",
                    None,
                    None,
                    "每周四 9:00-12:00",
                    "",
                    "",
                    "active",
                    stars(rng),
                    uuid.uuid4().hex,
                    self.now,
                    self.now,
                )
            )
        columns = [
            "id",
            "region_id",
            "region_path",
            "name",
            "kind",
            "parent_id",
            "is_legislative_point",
            "address",
            "latitude",
            "longitude",
            "opening_hours",
            "phone",
            "head_name",
            "status",
            "stars",
            "public_token",
            "created_at",
            "updated_at",
        ]
        # Tops first: a point's parent must exist when its row goes in.
        n = self.writer.write(Station._meta.db_table, columns, rows)
        self.writer.reset_sequence(Station)
        self.stdout.write(f"  stations and points: {n}")

    # --- deputies and memberships -----------------------------------------------------------

    def _deputies(self, total: int):
        rng = self.rng
        level = _weighted(LEVELS)
        base = self.writer.next_id(Deputy)
        membership_base = self.writer.next_id(StationMembership)
        self.members = defaultdict(list)  # station id -> deputy ids
        deputies, memberships = [], []
        for index in range(total):
            deputy_id = base + index
            station_id, region, _parent = self.stations[index % len(self.stations)]
            grouped = rng.random() < 0.95
            status = "active" if rng.random() < 0.97 else rng.choice(["suspended", "terminated"])
            deputies.append(
                (
                    deputy_id,
                    region,
                    self.region_path[region],
                    rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2)))),
                    "",
                    rng.choice(("male", "female")),
                    level(rng),
                    "",
                    "",
                    "",
                    f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}",
                    False,
                    "",
                    "",
                    "",
                    "",
                    status,
                    None,
                    uuid.uuid4().hex,
                    self.now,
                    self.now,
                )
            )
            if grouped:
                start = self.today - datetime.timedelta(days=rng.randrange(200, 1500))
                memberships.append(
                    (
                        membership_base + len(memberships),
                        deputy_id,
                        station_id,
                        start,
                        None,
                        self.now,
                    )
                )
                if status == "active":
                    self.members[station_id].append(deputy_id)
        columns = [
            "id",
            "region_id",
            "region_path",
            "name",
            "photo",
            "gender",
            "level",
            "constituency",
            "work_unit",
            "position",
            "phone",
            "phone_public",
            "professional_field",
            "party",
            "term",
            "commitment",
            "status",
            "user_id",
            "public_token",
            "created_at",
            "updated_at",
        ]
        n = self.writer.write(Deputy._meta.db_table, columns, deputies)
        m = self.writer.write(
            StationMembership._meta.db_table,
            ["id", "deputy_id", "station_id", "start_date", "end_date", "created_at"],
            memberships,
        )
        self.writer.reset_sequence(Deputy)
        self.writer.reset_sequence(StationMembership)
        self.stdout.write(f"  deputies: {n}, memberships: {m}")

    # --- receptions ----------------------------------------------------------------------

    def _day(self) -> datetime.date:
        return self.today - datetime.timedelta(days=self.rng.randrange(DAYS))

    def _receptions(self, total: int):
        rng = self.rng
        base = self.writer.next_id(Reception)
        through = Reception.deputies.through
        self.receptions_by_station = defaultdict(list)
        present = []
        # Stations receive more often than points.
        weights = [4 if parent is None else 1 for _s, _r, parent in self.stations]
        picks = rng.choices(self.stations, weights, k=total)

        def rows():
            for index, (station_id, region, _parent) in enumerate(picks):
                reception_id = base + index
                day = self._day()
                self.receptions_by_station[station_id].append((reception_id, day))
                members = self.members.get(station_id) or []
                for deputy_id in rng.sample(members, min(len(members), rng.choice((1, 2, 2, 3)))):
                    present.append((deputy_id, reception_id))
                moment = datetime.datetime.combine(day, datetime.time(17), tzinfo=self.tz)
                yield (
                    reception_id,
                    region,
                    self.region_path[region],
                    station_id,
                    day,
                    rng.choice((0, 1, 2, 2, 3, 3, 4, 5, 6, 8)),
                    "",
                    None,
                    f"seed-{reception_id}",
                    None,
                    moment,
                    moment,
                )

        columns = [
            "id",
            "region_id",
            "region_path",
            "station_id",
            "date",
            "people_count",
            "notes",
            "rule_id",
            "form_token",
            "recorded_by_id",
            "created_at",
            "updated_at",
        ]
        n = self.writer.write(Reception._meta.db_table, columns, rows())
        p = self.writer.write(
            through._meta.db_table,
            ["reception_id", "deputy_id"],
            ((reception_id, deputy_id) for deputy_id, reception_id in present),
        )
        self.writer.reset_sequence(Reception)
        self.stdout.write(f"  receptions: {n}, deputies present: {p}")

    # --- suggestions ---------------------------------------------------------------------

    def _suggestions(self, total: int):
        rng = self.rng
        base = self.writer.next_id(Suggestion)
        categories = Category.values
        channels = [c for c in Channel.values if c != "reception"]
        satisfaction = _weighted([("satisfied", 75), ("basically", 18), ("unsatisfied", 7)])
        links = []
        county_of = {}
        for pk, path in self.region_path.items():
            codes = [c for c in path.split("/") if c]
            county_of[pk] = codes[2] if len(codes) > 2 else None
        county_ids = {
            code: pk for pk, code in Region.objects.filter(level="county").values_list("pk", "code")
        }
        station_weights = [4 if parent is None else 1 for _s, _r, parent in self.stations]
        picks = rng.choices(self.stations, station_weights, k=total)

        def rows():
            for index, (station_id, region, _parent) in enumerate(picks):
                pk = base + index
                day = self._day()
                age = (self.today - day).days
                moment = datetime.datetime.combine(
                    day, datetime.time(rng.randrange(8, 20), rng.randrange(60)), tzinfo=self.tz
                )
                where = rng.random()
                channel = rng.choice(channels)
                row_station = station_id
                if where < 0.15:
                    row_station = None  # through a deputy's code, no station
                elif where < 0.2:
                    row_station = None
                    county = county_ids.get(county_of.get(region))
                    region = county or region  # raised at county level
                elif where < 0.45:
                    receptions = self.receptions_by_station.get(station_id)
                    if receptions:
                        reception_id, reception_day = rng.choice(receptions)
                        links.append((reception_id, pk))
                        channel = "reception"
                        day = reception_day
                        age = (self.today - day).days
                        moment = datetime.datetime.combine(day, datetime.time(16), tzinfo=self.tz)
                members = self.members.get(station_id)
                deputy = rng.choice(members) if members and rng.random() < 0.5 else None
                status, fields = self._lifecycle(rng, day, age, satisfaction)
                category = rng.choice(categories)
                yield (
                    pk,
                    region,
                    self.region_path[region],
                    f"Z{pk:07X}",
                    None,
                    channel,
                    category,
                    TEXTS[category],
                    "",
                    deputy,
                    row_station,
                    None,
                    status,
                    fields["handling"],
                    "other" if status == "rejected" else "",
                    "",
                    fields["reply_text"],
                    fields["replied_at"],
                    fields["satisfaction"],
                    fields["followed_up_at"],
                    fields["closed_at"],
                    fields["reopened"],
                    None,
                    fields["due_date"],
                    "",
                    False,
                    fields["due_start"],
                    fields["due_spec"],
                    moment,
                    fields["updated_at"] or moment,
                )

        columns = [
            "id",
            "region_id",
            "region_path",
            "tracking_code",
            "submission_token",
            "channel",
            "category",
            "content",
            "place",
            "deputy_id",
            "station_id",
            "constituent_id",
            "status",
            "handling",
            "reject_reason",
            "reject_note",
            "reply_text",
            "replied_at",
            "satisfaction",
            "followed_up_at",
            "closed_at",
            "reopened_count",
            "merged_into_id",
            "due_date",
            "due_rule",
            "due_provisional",
            "due_start",
            "due_spec",
            "submitted_at",
            "updated_at",
        ]
        n = self.writer.write(Suggestion._meta.db_table, columns, rows())
        through = Reception.suggestions.through
        lk = self.writer.write(through._meta.db_table, ["reception_id", "suggestion_id"], links)
        self.writer.reset_sequence(Suggestion)
        self.stdout.write(f"  suggestions: {n}, linked to receptions: {lk}")

    def _lifecycle(self, rng, day, age, satisfaction):
        """A status that fits the suggestion's age, with the dates and fields it implies."""
        fields = {
            "handling": "",
            "reply_text": "",
            "replied_at": None,
            "satisfaction": "",
            "followed_up_at": None,
            "closed_at": None,
            "reopened": 0,
            "due_date": None,
            "due_start": None,
            "due_spec": "",
            "updated_at": None,
        }
        roll = rng.random()
        if age > 45:
            table = [
                ("closed", 0.82),
                ("rejected", 0.86),
                ("merged", 0.87),
                ("replied", 0.92),
                ("handling", 0.97),
                ("assigned", 0.99),
                ("accepted", 1.0),
            ]
        else:
            table = [
                ("submitted", 0.1),
                ("accepted", 0.18),
                ("rejected", 0.21),
                ("merged", 0.22),
                ("assigned", 0.36),
                ("handling", 0.6),
                ("replied", 0.75),
                ("closed", 1.0),
            ]
        status = next(name for name, limit in table if roll <= limit)
        if status in ("submitted", "accepted", "rejected", "merged"):
            if status in ("rejected", "merged"):
                fields["closed_at"] = self._at(day + datetime.timedelta(days=rng.randrange(1, 4)))
            return status, fields
        fields["handling"] = rng.choice(("on_spot", "local", "assigned", "assigned"))
        if fields["handling"] != "on_spot":
            fields["due_start"] = day
            fields["due_date"] = day + datetime.timedelta(days=14)
            fields["due_spec"] = "wd:10"
        if status in ("assigned", "handling"):
            return status, fields
        reply_day = (
            day
            if fields["handling"] == "on_spot"
            else day + datetime.timedelta(days=rng.choice((3, 5, 7, 9, 11, 13, 14, 16, 20)))
        )
        reply_day = min(reply_day, self.today)
        fields["reply_text"] = "已答复。"
        fields["replied_at"] = self._at(reply_day)
        fields["updated_at"] = fields["replied_at"]
        if status == "closed":
            rating = satisfaction(rng)
            close_day = min(reply_day + datetime.timedelta(days=rng.randrange(1, 4)), self.today)
            fields["satisfaction"] = rating
            fields["followed_up_at"] = fields["closed_at"] = self._at(close_day)
            fields["reopened"] = 1 if rating == "unsatisfied" else 0
            fields["updated_at"] = fields["closed_at"]
        return status, fields

    def _at(self, day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(15), tzinfo=self.tz)

    def _analyze(self):
        if self.writer.postgres:
            # Fresh statistics, and visibility maps so index-only scans skip the heap.
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
