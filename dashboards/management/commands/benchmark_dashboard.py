"""Time the dashboard at four levels and compare it with hand-written SQL (the floor).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lianxin_province \\
        uv run python manage.py benchmark_dashboard --repeat 40

For the province, a city, a county and a township it requests the dashboard page
through Django's test client as a leader of the province (middleware, tenancy,
selectors, template: the whole server side), `--repeat` times after warm-up, and
reports p50 and p95. It also times the selectors alone, and the same figures
computed by hand-written SQL straight from the base tables: the floor an ORM-free,
rollup-free implementation would start from. Page, selectors and floor are sampled
in turn, round by round, so a busy moment of the machine weighs on all three alike.
Results are printed and written to `--output` (Markdown).

Requests run as production serves them: DEBUG off and database connections kept
between requests (`CONN_MAX_AGE`, 60 s in production; a new PostgreSQL connection
per request would add its start-up and cold catalogue caches to every sample). A
last line times a page with no figures at all (the password form): the fixed cost
of any signed-in page, which the small slices' figures sit on top of.
"""

from __future__ import annotations

import datetime
import platform
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.db.models import Count
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role, RoleAssignment, User
from congress_portal.db_router import read_alias, replica_reads
from core import clock
from dashboards import selectors
from dashboards.periods import parse_period
from regions.models import Region
from stations.models import Station
from suggestions.models import Suggestion

BENCH_USER = "benchmark_leader"
# What production keeps a database connection for (settings: DB_CONN_MAX_AGE).
PRODUCTION_CONN_MAX_AGE = 60


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


class Command(BaseCommand):
    help = "Benchmark the dashboard (p50/p95) against hand-written SQL at four levels."

    def add_arguments(self, parser):
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--warmup", type=int, default=3)
        parser.add_argument(
            "--period", default="year", help="month, quarter, year (the current one)."
        )
        parser.add_argument("--city", default="", help="City code (default: the largest).")
        parser.add_argument(
            "--output",
            type=Path,
            default=None,
            help="Markdown file for the results (default var/benchmarks/dashboard-<time>.md).",
        )

    def handle(self, *args, repeat, warmup, period, city, output, **options):
        today = clock.today()
        self.period = parse_period({"period": period}, today=today)
        slices = self._slices(city)
        client = Client()
        client.force_login(self._user(slices[0][1]))
        postgres = connection.vendor == "postgresql"
        lines = [
            f"# Dashboard benchmark, {timezone.localtime():%Y-%m-%d %H:%M}",
            "",
            f"- database: {connection.vendor} {connection.settings_dict.get('NAME')}, "
            f"{Suggestion.objects.count():,} suggestions, {Station.objects.count():,} stations",
            f"- period: {self.period.label} ({self.period.start} to {self.period.end}), "
            f"{repeat} requests per slice after {warmup} warm-up",
            f"- machine: {platform.machine()}, Python {platform.python_version()}, "
            f"rollups built through {selectors.rollup_state().built_through}",
            "",
            "| slice | page p50 | page p95 | selectors p50 | SQL floor p50 | SQL floor p95 "
            "| page p50 / floor p50 |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        self.stdout.write("\n".join(lines))
        keep = {a: connections[a].settings_dict.get("CONN_MAX_AGE") for a in connections}
        for alias in connections:
            connections[alias].settings_dict["CONN_MAX_AGE"] = PRODUCTION_CONN_MAX_AGE
        try:
            with override_settings(DEBUG=False):
                self._run(client, slices, repeat, warmup, today, postgres, lines)
        finally:
            for alias, value in keep.items():
                connections[alias].settings_dict["CONN_MAX_AGE"] = value
        output = output or (
            Path(settings.VAR_DIR)
            / "benchmarks"
            / f"dashboard-{timezone.localtime():%Y%m%d-%H%M}.md"
        )
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.stdout.write(f"\nwritten to {output}")

    def _run(self, client, slices, repeat, warmup, today, postgres, lines) -> None:
        for label, region in slices:
            url = reverse("dashboards:region", kwargs={"region_code": region.code})
            query = self.period.params()
            slice_ = selectors.Slice(region=region)
            measured = {
                "page": lambda u=url, q=query: self._get(client, u, q),
                "selectors": lambda s=slice_: self._selectors(s, today),
            }
            if postgres:
                measured["floor"] = lambda r=region: self._floor(r, today)
            # Paired samples: one of each per round, so a busy moment of the machine
            # weighs on the page and on its floor alike.
            times = self._time_together(measured, repeat, warmup)
            page, select = times["page"], times["selectors"]
            if postgres:
                floor = times["floor"]
                floor_text = f"{floor[0]:.1f} ms | {floor[1]:.1f} ms | {page[0] / floor[0]:.2f}x"
            else:
                floor_text = "n/a | n/a | n/a"
            line = (
                f"| {label} {region.name} | {page[0]:.1f} ms | {page[1]:.1f} ms "
                f"| {select[0]:.1f} ms | {floor_text} |"
            )
            lines.append(line)
            self.stdout.write(line)
        empty = reverse("accounts:password_change")
        measured = {"empty": lambda: self._get(client, empty, {})}
        baseline = self._time_together(measured, repeat, warmup)["empty"]
        line = (
            f"| a page with no figures (password form) | {baseline[0]:.1f} ms "
            f"| {baseline[1]:.1f} ms | | | | |"
        )
        lines.append(line)
        self.stdout.write(line)

    # --- setup ------------------------------------------------------------------------

    def _slices(self, city_code: str) -> list[tuple[str, Region]]:
        province = Region.objects.filter(level=Region.Level.PROVINCE).order_by("code").first()
        if province is None:
            raise CommandError("No province: run seed_province first.")

        def busiest(parent: Region, level: str) -> Region:
            children = {
                r.path: r
                for r in Region.objects.filter(parent=parent, level=level).order_by("code")
            }
            if not children:
                raise CommandError(f"{parent.name} has no {level}.")
            length = len(next(iter(children)))
            from django.db.models.functions import Substr

            counts = (
                Suggestion.objects.filter(region_path__startswith=parent.path)
                .annotate(k=Substr("region_path", 1, length))
                .values("k")
                .annotate(n=Count("pk"))
                .order_by("-n")
            )
            for row in counts:
                if row["k"] in children:
                    return children[row["k"]]
            return next(iter(children.values()))

        city = (
            Region.objects.filter(code=city_code).first()
            if city_code
            else busiest(province, Region.Level.CITY)
        )
        county = busiest(city, Region.Level.COUNTY)
        township = busiest(county, Region.Level.TOWNSHIP)
        return [
            ("province", province),
            ("city", city),
            ("county", county),
            ("township", township),
        ]

    def _user(self, province: Region) -> User:
        user, created = User.objects.get_or_create(
            username=BENCH_USER, defaults={"full_name": "基准测试领导"}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        RoleAssignment.objects.get_or_create(user=user, role=Role.LEADER, region=province)
        return user

    def _get(self, client: Client, url: str, query: dict) -> None:
        response = client.get(url, query)
        if response.status_code != 200:
            raise CommandError(f"{url} answered {response.status_code}")

    @staticmethod
    def _time_together(functions: dict, repeat: int, warmup: int) -> dict:
        """(p50, p95) in ms of each function, sampled in turn round by round."""
        for _ in range(warmup):
            for function in functions.values():
                function()
        samples: dict[str, list[float]] = {name: [] for name in functions}
        for _ in range(repeat):
            for name, function in functions.items():
                started = time.perf_counter()
                function()
                samples[name].append((time.perf_counter() - started) * 1000)
        return {
            name: (statistics.median(values), percentile(values, 95))
            for name, values in samples.items()
        }

    def _selectors(self, slice_, today):
        with replica_reads(snapshot=True):
            selectors.dashboard(slice_, self.period, today=today)

    # --- the floor: the same figures by hand-written SQL ----------------------------------

    def _floor(self, region: Region, today: datetime.date) -> None:
        # The same session settings as the page's reads (one snapshot, JIT off).
        with replica_reads(snapshot=True):
            self._floor_statements(region, today)

    def _floor_statements(self, region: Region, today: datetime.date) -> None:
        """Every figure of the page, from the base tables, in as few statements as SQL allows,
        and the names of the ranking's rows."""
        start, end = self.period.start, self.period.end
        trend_start = min(self.period.trend_months()[0], start)
        children = list(Region.objects.filter(parent=region).values_list("path", flat=True))
        if region.level == Region.Level.TOWNSHIP or not children:
            key_s, key_r = "s.station_id::text", "r.station_id::text"
            key_st, key_d = "st.id::text", "''"
        else:
            n = len(children[0])
            key_s, key_r = f"substr(s.region_path, 1, {n})", f"substr(r.region_path, 1, {n})"
            key_st, key_d = f"substr(st.region_path, 1, {n})", f"substr(d.region_path, 1, {n})"
        tz = settings.TIME_ZONE
        like = region.path + "%"
        statements = [
            (
                f"""
                SELECT {key_s} AS k,
                       date_trunc('month', s.submitted_at AT TIME ZONE %(tz)s) AS m, s.category,
                       count(*),
                       count(*) FILTER (WHERE s.status = 'rejected'),
                       count(*) FILTER (WHERE s.status = 'closed'),
                       count(*) FILTER (WHERE s.status = 'closed'
                                        AND s.satisfaction <> 'unsatisfied'),
                       count(*) FILTER (WHERE s.due_date IS NOT NULL
                                        AND (s.replied_at IS NOT NULL OR s.due_date < %(today)s)),
                       count(*) FILTER (WHERE s.replied_at IS NOT NULL
                                        AND (s.replied_at AT TIME ZONE %(tz)s)::date <= s.due_date),
                       count(*) FILTER (WHERE s.satisfaction <> ''),
                       count(*) FILTER (WHERE s.satisfaction = 'satisfied'),
                       count(*) FILTER (WHERE s.satisfaction = 'basically'),
                       count(*) FILTER (WHERE s.satisfaction = 'unsatisfied')
                FROM suggestions_suggestion s
                WHERE s.region_path LIKE %(like)s AND s.status <> 'merged'
                  AND s.submitted_at >= (%(start)s::date)::timestamp AT TIME ZONE %(tz)s
                  AND s.submitted_at < (%(end)s::date + 1)::timestamp AT TIME ZONE %(tz)s
                GROUP BY 1, 2, 3
                """
            ),
            (
                f"""
                SELECT {key_r} AS k, date_trunc('month', r.date) AS m, count(*),
                       sum(r.people_count)
                FROM receptions_reception r
                WHERE r.region_path LIKE %(like)s AND r.date BETWEEN %(trend)s AND %(end)s
                GROUP BY 1, 2
                """
            ),
            (
                f"""
                SELECT {key_r} AS k, date_trunc('month', r.date) AS m, count(*)
                FROM receptions_reception_deputies rd
                JOIN receptions_reception r ON r.id = rd.reception_id
                WHERE r.region_path LIKE %(like)s AND r.date BETWEEN %(trend)s AND %(end)s
                GROUP BY 1, 2
                """
            ),
            (
                f"""
                SELECT {key_s} AS k, count(*) FROM suggestions_suggestion s
                WHERE s.region_path LIKE %(like)s
                  AND {Suggestion.REPLY_DUE.overdue_sql("s", "%(today)s")}
                GROUP BY 1
                """
            ),
            (
                f"""
                SELECT {key_st} AS k, st.stars, count(*) FILTER (WHERE st.parent_id IS NULL),
                       count(*) FILTER (WHERE st.parent_id IS NOT NULL)
                FROM stations_station st
                WHERE st.region_path LIKE %(like)s AND st.status = 'active'
                GROUP BY 1, 2
                """
            ),
            (
                f"""
                SELECT {key_d} AS k, count(*),
                       count(*) FILTER (WHERE EXISTS (
                           SELECT 1 FROM deputies_stationmembership m
                           WHERE m.deputy_id = d.id
                             AND (m.end_date IS NULL OR m.end_date > %(today)s))),
                       count(*) FILTER (WHERE NOT EXISTS (
                           SELECT 1 FROM receptions_reception_deputies rd
                           JOIN receptions_reception r ON r.id = rd.reception_id
                           WHERE rd.deputy_id = d.id AND r.date BETWEEN %(start)s AND %(end)s))
                FROM deputies_deputy d
                WHERE d.region_path LIKE %(like)s AND d.status = 'active'
                GROUP BY 1
                """
            ),
        ]
        if region.level == Region.Level.TOWNSHIP or not children:
            # The ranking's rows: the stations and points, with their deputies grouped
            # in now and those of them at no reception in the period.
            statements.append(
                "SELECT st.id, st.name, st.parent_id FROM stations_station st "
                "WHERE st.region_path LIKE %(like)s"
            )
            statements.append(
                """
                SELECT m.station_id, count(DISTINCT m.deputy_id),
                       count(DISTINCT m.deputy_id) FILTER (WHERE NOT EXISTS (
                           SELECT 1 FROM receptions_reception_deputies rd
                           JOIN receptions_reception r ON r.id = rd.reception_id
                           WHERE rd.deputy_id = m.deputy_id
                             AND r.date BETWEEN %(start)s AND %(end)s))
                FROM deputies_stationmembership m
                JOIN deputies_deputy d ON d.id = m.deputy_id
                JOIN stations_station st ON st.id = m.station_id
                WHERE st.region_path LIKE %(like)s AND d.status = 'active'
                  AND (m.end_date IS NULL OR m.end_date > %(today)s)
                GROUP BY 1
                """
            )
        else:
            # The ranking's rows: the regions one level down.
            statements.append(
                "SELECT id, code, name, path FROM regions_region WHERE parent_id = %(region)s"
            )
        if trend_start < start:
            # The trend reaches back further than the period: its months, once more.
            statements.append(
                """
                SELECT date_trunc('month', s.submitted_at AT TIME ZONE %(tz)s) AS m, count(*),
                       count(*) FILTER (WHERE s.status = 'closed'
                                        AND s.satisfaction <> 'unsatisfied')
                FROM suggestions_suggestion s
                WHERE s.region_path LIKE %(like)s AND s.status <> 'merged'
                  AND s.submitted_at >= (%(trend)s::date)::timestamp AT TIME ZONE %(tz)s
                  AND s.submitted_at < (%(start)s::date)::timestamp AT TIME ZONE %(tz)s
                GROUP BY 1
                """
            )
        params = {
            "region": region.pk,
            "tz": tz,
            "like": like,
            "start": start,
            "end": end,
            "trend": trend_start,
            "today": today,
        }
        with connections[read_alias()].cursor() as cursor:
            for sql in statements:
                cursor.execute(sql, params)
                cursor.fetchall()
