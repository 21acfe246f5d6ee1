"""Time the overdue sweep, the reminder sweep and a relay pass on a million open suggestions.

    DATABASE_URL=postgres://.../lianxin_bench uv run python manage.py migrate
    DATABASE_URL=postgres://.../lianxin_bench REDIS_URL=redis://127.0.0.1:6379/0 \\
        uv run python manage.py benchmark_sweeps --docs

Seeds COUNT open suggestions (default 1,000,000) in a benchmark region tree of its own
(code 99, "基准省"), 5% of them overdue (half unsigned past the signing deadline,
half past the reply deadline), with one lead assignment each, using set-based
INSERT ... SELECT (generate_series on PostgreSQL). Then it times:

1. the first overdue sweep (every overdue suggestion escalates once),
2. one relay pass (the sweep's notices handed to Redis, under a key prefix of its
   own that is deleted afterwards, so no worker sees them), and one over a backlog
   of --backlog made-up messages (default 10,000),
3. the second overdue sweep (nothing new),
4. the reminder sweep, first and second run.

Meant for PostgreSQL, in a database of its own: it refuses SQLite unless
--allow-sqlite with at most 100,000 suggestions. Rows of an earlier run (the 99 tree)
are deleted first. Figures are printed and written to var/benchmarks/sweeps.json
(and docs/benchmarks/sweeps.md with --docs).
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from core import clock, outbox
from core.models import OutboxMessage
from regions.models import Region, build_path
from suggestions.models import Assignment, HandlingUnit, Suggestion, SuggestionEvent
from supervision import sweeps
from supervision.models import ReminderLog, Supervision

BENCH_CODE = "99"
SQLITE_MAX = 100_000
# Queued messages made up to time the relay; never run (their queue is deleted).
BACKLOG_TASK = "benchmark.noop"
COUNTIES = 10
TOWNSHIPS_PER_COUNTY = 10


class Command(BaseCommand):
    help = "Seed a million open suggestions and time the 督办 and reminder sweeps and a relay pass."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, default=1_000_000)
        parser.add_argument(
            "--allow-sqlite",
            action="store_true",
            help=f"Run on SQLite (at most {SQLITE_MAX:,} suggestions).",
        )
        parser.add_argument("--batch-size", type=int, default=None)
        parser.add_argument(
            "--docs", action="store_true", help="Also write docs/benchmarks/sweeps.md."
        )
        parser.add_argument(
            "--keep", action="store_true", help="Keep the seeded rows (default: delete them)."
        )
        parser.add_argument(
            "--backlog",
            type=int,
            default=10_000,
            help="Also time relaying this many queued messages (0: skip).",
        )

    # --- entry point -----------------------------------------------------------------

    def handle(
        self, *args, count: int, allow_sqlite: bool, batch_size, docs, keep, backlog, **options
    ):
        vendor = connection.vendor
        if vendor == "sqlite" and not allow_sqlite:
            raise CommandError(
                "benchmark_sweeps is meant for PostgreSQL; use --allow-sqlite with "
                f"--count <= {SQLITE_MAX:,} to try it on SQLite."
            )
        if vendor == "sqlite" and count > SQLITE_MAX:
            raise CommandError(f"On SQLite, --count may be at most {SQLITE_MAX:,}.")
        if vendor not in ("sqlite", "postgresql"):
            raise CommandError(f"Unsupported database: {vendor}")
        now = clock.now()
        today = timezone.localdate(now)
        figures: dict = {
            "database": vendor,
            "database_version": self._version(),
            "count": count,
            "overdue": count // 20,
            "date": today.isoformat(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "batch_size": batch_size or settings.SWEEP_BATCH_SIZE,
        }
        self._say(f"benchmark on {vendor}: {count:,} open suggestions, {count // 20:,} overdue")
        # The relay pass is timed on its own: nothing is handed to the broker on commit.
        settings.OUTBOX_SEND_ON_COMMIT = False
        self._clean()
        outbox_floor = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first()
        outbox_floor = outbox_floor or 0

        started = time.perf_counter()
        townships = self._regions()
        self._seed(count, townships, today)
        figures["seed_seconds"] = round(time.perf_counter() - started, 2)
        self._say(f"seeded in {figures['seed_seconds']} s")

        first = self._timed(lambda: sweeps.escalate_overdue(now=now, batch_size=batch_size))
        figures["sweep_first_seconds"], result = first
        figures["sweep_first_escalated"] = result.counts
        self._say(f"first overdue sweep: {result.total:,} escalated in {first[0]} s")

        figures.update(self._relay(outbox_floor))
        if backlog:
            OutboxMessage.objects.bulk_create(
                [OutboxMessage(task=BACKLOG_TASK, kwargs={}) for _ in range(backlog)],
                batch_size=5000,
            )
            relayed = self._relay(outbox_floor)
            figures["backlog_relay_seconds"] = relayed["relay_seconds"]
            figures["backlog_relay_messages"] = relayed["relay_messages"]

        second = self._timed(lambda: sweeps.escalate_overdue(now=now, batch_size=batch_size))
        figures["sweep_second_seconds"], result = second
        figures["sweep_second_escalated"] = result.total
        self._say(f"second overdue sweep: {result.total:,} escalated in {second[0]} s")

        reminders = self._timed(lambda: sweeps.remind_due(now=now, batch_size=batch_size))
        figures["reminders_first_seconds"], result = reminders
        figures["reminders_first"] = result.counts
        self._say(f"first reminder sweep: {result.total:,} reminders in {reminders[0]} s")
        again = self._timed(lambda: sweeps.remind_due(now=now, batch_size=batch_size))
        figures["reminders_second_seconds"], result = again
        figures["reminders_second"] = result.total
        self._say(f"second reminder sweep: {result.total:,} reminders in {again[0]} s")

        figures["supervisions"] = Supervision.objects.filter(
            region_path__startswith=f"{BENCH_CODE}/"
        ).count()
        self._write(figures, docs=docs)
        if not keep:
            self._clean(outbox_floor=outbox_floor)
        return None

    # --- helpers -----------------------------------------------------------------------

    def _say(self, text: str) -> None:
        self.stdout.write(text)

    def _timed(self, work):
        started = time.perf_counter()
        result = work()
        return round(time.perf_counter() - started, 3), result

    def _version(self) -> str:
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("SHOW server_version")
            else:
                cursor.execute("SELECT sqlite_version()")
            return cursor.fetchone()[0]

    def _regions(self) -> list[tuple[int, str, int]]:
        """The benchmark tree: 基准省 > 基准市 > 10 counties > 10 townships each.

        One handling unit per county. Returns (township id, path, unit id) per township.
        """

        def node(code, name, level, parent):
            region, _created = Region.objects.get_or_create(
                code=code,
                defaults={
                    "name": name,
                    "level": level,
                    "parent": parent,
                    "path": build_path(parent, code),
                },
            )
            return region

        province = node(BENCH_CODE, "基准省", Region.Level.PROVINCE, None)
        city = node(f"{BENCH_CODE}01", "基准市", Region.Level.CITY, province)
        townships = []
        for c in range(1, COUNTIES + 1):
            county = node(f"{BENCH_CODE}01{c:02d}", f"基准县{c}", Region.Level.COUNTY, city)
            unit, _created = HandlingUnit.objects.get_or_create(
                region=county, name=f"基准县{c}水务局"
            )
            for t in range(1, TOWNSHIPS_PER_COUNTY + 1):
                township = node(
                    f"{county.code}{t:03d}", f"基准镇{c}-{t}", Region.Level.TOWNSHIP, county
                )
                townships.append((township.pk, township.path, unit.pk))
        return townships

    def _seed(self, count: int, townships, today: datetime.date) -> None:
        """COUNT open suggestions and their lead assignments, by INSERT ... SELECT."""
        postgres = connection.vendor == "postgresql"
        now = clock.now()
        mapping = ", ".join(
            f"({k}, {rid}, '{path}', {unit})" for k, (rid, path, unit) in enumerate(townships)
        )
        n_townships = len(townships)
        if postgres:
            sequence = "generate_series(1, %s) AS seq(i)"

            def day(offset: str) -> str:
                return f"(CAST(%s AS date) + ({offset}))"

            code = "'BM' || lpad(seq.i::text, 12, '0')"
        else:
            sequence = (
                "(WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < %s) "
                "SELECT i FROM s) AS seq"
            )

            def day(offset: str) -> str:
                return f"date(%s, ({offset}) || ' days')"

            code = "'BM' || printf('%%012d', seq.i)"
        # 1 in 20 overdue: i % 40 = 0 past the reply deadline (signed), i % 40 = 20
        # unsigned past the signing deadline; of the rest, 2 in 5 unsigned.
        pending = "(seq.i %% 40 = 20 OR (seq.i %% 20 <> 0 AND seq.i %% 5 < 2))"
        due = (
            f"CASE WHEN seq.i %% 40 = 0 THEN {day('-1 - seq.i %% 7')} "
            f"WHEN seq.i %% 40 = 20 THEN {day('3 + seq.i %% 20')} "
            f"WHEN {pending} THEN {day('5 + seq.i %% 25')} "
            f"ELSE {day('seq.i %% 30')} END"
        )
        suggestion = Suggestion._meta.db_table
        adapt_date = connection.ops.adapt_datefield_value
        adapt_moment = connection.ops.adapt_datetimefield_value
        sql = (
            f"INSERT INTO {suggestion} (region_id, region_path, tracking_code, channel, category, "
            "content, place, status, handling, reject_reason, reject_note, reply_text, "
            "satisfaction, reopened_count, due_date, due_rule, due_provisional, due_start, "
            "due_spec, submitted_at, updated_at, assigner_region_id) "
            f"WITH t(k, rid, rpath, unit) AS (VALUES {mapping}) "
            f"SELECT t.rid, t.rpath, {code}, 'qr', "
            "CASE seq.i %% 3 WHEN 0 THEN 'water' WHEN 1 THEN 'roads' ELSE 'other' END, "
            "'基准测试：路灯不亮，请尽快维修。', '', "
            f"CASE WHEN {pending} THEN 'assigned' ELSE 'handling' END, 'assigned', '', '', '', "
            f"'', 0, {due}, '', %s, {day('-3')}, 'wd:10', %s, %s, t.rid "
            f"FROM {sequence} JOIN t ON t.k = seq.i %% {n_townships}"
        )
        today_param = adapt_date(today)
        # Parameters in order of the %s placeholders above.
        params = [
            *[today_param] * 4,  # the four due-date branches
            False,
            today_param,  # due_start
            adapt_moment(now),
            adapt_moment(now),
            count,
        ]
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
        self._say(f"  suggestions inserted in {time.perf_counter() - started:.1f} s")
        ack_due = (
            "CASE WHEN s.status = 'assigned' THEN "
            f"CASE WHEN CAST(substr(s.tracking_code, 3) AS integer) %% 40 = 20 "
            f"THEN {day('-1 - CAST(substr(s.tracking_code, 3) AS integer) %% 5')} "
            f"ELSE {day('CAST(substr(s.tracking_code, 3) AS integer) %% 4')} END "
            "ELSE NULL END"
        )
        assignment = Assignment._meta.db_table
        sql = (
            f"INSERT INTO {assignment} (suggestion_id, unit_id, role, status, note, assigned_at, "
            "return_reason, due_start, acknowledge_due, acknowledge_spec, acknowledge_rule, "
            "acknowledge_provisional, return_spec, return_rule, return_provisional) "
            f"WITH t(k, rid, rpath, unit) AS (VALUES {mapping}) "
            "SELECT s.id, t.unit, 'lead', "
            "CASE s.status WHEN 'assigned' THEN 'pending' ELSE 'acknowledged' END, '', %s, '', "
            f"{day('-3')}, {ack_due}, 'wd:2', '', %s, 'wd:2', '', %s "
            f"FROM {suggestion} s JOIN t ON t.rid = s.region_id "
            "WHERE s.region_path LIKE %s"
        )
        params = [
            adapt_moment(now),
            today_param,  # due_start
            today_param,  # the two signing-deadline branches
            today_param,
            False,
            False,
            f"{BENCH_CODE}/%",
        ]
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, params)
        self._say(f"  assignments inserted in {time.perf_counter() - started:.1f} s")
        with connection.cursor() as cursor:
            for model in (Suggestion, Assignment, Supervision, ReminderLog, Region):
                cursor.execute(f"ANALYZE {model._meta.db_table}")

    def _relay(self, outbox_floor: int) -> dict:
        """One relay pass over the sweep's notices, into Redis under a throw-away prefix."""
        from congress_portal.celery import app

        pending = OutboxMessage.objects.filter(pk__gt=outbox_floor, done_at__isnull=True).count()
        if not settings.REDIS_URL:
            self._say("relay pass skipped: set REDIS_URL to time it against Redis")
            return {"relay_seconds": None, "relay_messages": pending}
        import redis

        prefix = f"lianxin-bench-{uuid.uuid4().hex[:12]}:"
        saved = (app.conf.broker_url, dict(app.conf.broker_transport_options or {}))
        app.conf.broker_url = settings.REDIS_URL
        app.conf.broker_transport_options = {"global_keyprefix": prefix}
        app._pool = None
        app.amqp._producer_pool = None
        previous = settings.OUTBOX_RELAY_AFTER_SECONDS
        settings.OUTBOX_RELAY_AFTER_SECONDS = 0
        started = clock.now()
        try:
            seconds, sent = self._timed(outbox.relay)
        finally:
            # Messages queued before the benchmark went to the throw-away queue too:
            # un-stamp them so that the real relay sends them as usual.
            OutboxMessage.objects.filter(
                pk__lte=outbox_floor, done_at__isnull=True, dispatched_at__gte=started
            ).update(dispatched_at=None)
            settings.OUTBOX_RELAY_AFTER_SECONDS = previous
            app.conf.broker_url, app.conf.broker_transport_options = saved
            app._pool = None
            app.amqp._producer_pool = None
            client = redis.Redis.from_url(settings.REDIS_URL)
            for key in client.scan_iter(match=f"{prefix}*"):
                client.delete(key)
        self._say(f"relay pass: {sent:,} messages to Redis in {seconds} s")
        return {"relay_seconds": seconds, "relay_messages": sent}

    def _clean(self, outbox_floor: int | None = None) -> None:
        """Delete the benchmark tree's rows (suggestions, their records, the regions)."""
        bench = f"{BENCH_CODE}/%"
        tables = {
            "event": SuggestionEvent._meta.db_table,
            "supervision": Supervision._meta.db_table,
            "reminder": ReminderLog._meta.db_table,
            "assignment": Assignment._meta.db_table,
            "suggestion": Suggestion._meta.db_table,
        }
        suggestions = f"SELECT id FROM {tables['suggestion']} WHERE region_path LIKE %s"
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {tables['event']} WHERE suggestion_id IN ({suggestions})", [bench]
            )
            cursor.execute(
                f"DELETE FROM {tables['supervision']} WHERE region_path LIKE %s", [bench]
            )
            cursor.execute(
                f"DELETE FROM {tables['reminder']} WHERE assignment_id IN ("
                f"SELECT id FROM {tables['assignment']} WHERE suggestion_id IN ({suggestions}))",
                [bench],
            )
            cursor.execute(
                f"DELETE FROM {tables['assignment']} WHERE suggestion_id IN ({suggestions})",
                [bench],
            )
            cursor.execute(f"DELETE FROM {tables['suggestion']} WHERE region_path LIKE %s", [bench])
        if connection.vendor == "postgresql":
            # Dead rows of an earlier run would stay in the indexes the sweeps read.
            with connection.cursor() as cursor:
                for table in tables.values():
                    cursor.execute(f"VACUUM ANALYZE {table}")
        if outbox_floor is not None:
            OutboxMessage.objects.filter(
                pk__gt=outbox_floor,
                task__in=[
                    "supervision.notices.notify_supervisions",
                    "supervision.notices.notify_reminders",
                    BACKLOG_TASK,
                ],
            ).delete()

    def _write(self, figures: dict, *, docs: bool) -> None:
        target = Path(settings.VAR_DIR) / "benchmarks" / "sweeps.json"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")
        table = self._table(figures)
        self._say(table)
        self._say(f"figures written to {target}")
        if docs:
            path = Path(settings.BASE_DIR) / "docs" / "benchmarks" / "sweeps.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            reminders = sum(figures["reminders_first"].values())
            reminder_seconds = max(figures["reminders_first_seconds"], 0.001)
            backlog = figures.get("backlog_relay_messages") or 0
            backlog_seconds = figures.get("backlog_relay_seconds") or 0
            path.write_text(
                _DOC.format(
                    table=table,
                    json=json.dumps(figures, indent=2),
                    reminder_rate=f"{reminders / reminder_seconds:,.0f}",
                    backlog=backlog,
                    relay_rate=f"{backlog / backlog_seconds:,.0f}" if backlog_seconds else "—",
                )
            )
            self._say(f"and to {path}")

    def _table(self, f: dict) -> str:
        rows = [
            ("seeding", f"{f['count']:,} open suggestions + lead assignments", f["seed_seconds"]),
            (
                "first overdue sweep",
                f"{sum(f['sweep_first_escalated'].values()):,} escalated "
                f"({f['sweep_first_escalated']})",
                f["sweep_first_seconds"],
            ),
            ("relay pass", f"{f['relay_messages']:,} messages to Redis", f["relay_seconds"]),
            (
                "relay pass, backlog",
                f"{f.get('backlog_relay_messages') or 0:,} queued messages to Redis",
                f.get("backlog_relay_seconds"),
            ),
            (
                "second overdue sweep",
                f"{f['sweep_second_escalated']:,} escalated (nothing new)",
                f["sweep_second_seconds"],
            ),
            (
                "first reminder sweep",
                f"{sum(f['reminders_first'].values()):,} reminders ({f['reminders_first']})",
                f["reminders_first_seconds"],
            ),
            (
                "second reminder sweep",
                f"{f['reminders_second']:,} reminders (nothing new)",
                f["reminders_second_seconds"],
            ),
        ]
        lines = ["| step | work | seconds |", "| --- | --- | ---: |"]
        lines += [f"| {step} | {work} | {seconds} |" for step, work, seconds in rows]
        return "\n".join(lines)


_DOC = """# Sweep benchmark (督办 and reminders)

Measured with `manage.py benchmark_sweeps --docs` on this project's 2-core
machine, in a PostgreSQL database of its own (`createdb lianxin_bench`, migrate,
then the command with DATABASE_URL and REDIS_URL pointing there). Goals: the first
overdue sweep over 1,000,000 open suggestions with 5% overdue under 10 s; the second
(nothing new) under 1 s.

{table}

## The data

1,000,000 open suggestions in a tree of its own (1 city, 10 counties, 100 townships,
one handling unit per county), each with a lead assignment assigned by its
township. 5% are overdue: 25,000 unsigned past their signing deadline, 25,000
signed but past their reply deadline. Of the others, 2 in 5 are unsigned with a
signing deadline 0-3 days ahead, the rest signed with a reply deadline 0-29 days
ahead. So the reminder sweep finds far more work (28% of all suggestions) than a real
day brings; it shows the throughput: {reminder_rate} reminders a second with their
timeline entries and queued notices.

## Why it is fast

- Per kind of work, one SELECT lists the candidates: a range scan of a partial
  index (`suggestion_running_due`: open suggestions by reply deadline;
  `assignment_pending_ack_due`: unsigned assignments by signing deadline) with a
  `NOT EXISTS` anti-join on the unique (suggestion, region) of `Supervision` (or
  (assignment, kind, due date) of `ReminderLog`).
- The candidates are claimed 5,000 at a time (settings.SWEEP_BATCH_SIZE) with
  `INSERT ... SELECT ... ON CONFLICT DO NOTHING RETURNING`; the timeline entries
  are one more `INSERT ... SELECT` per batch; one outbox message per batch tells
  people later. No Python loop over suggestions.
- The second sweep reads the same index ranges and finds every candidate done.
- PostgreSQL's statistics of the claim tables are refreshed (ANALYZE) whenever a
  sweep has doubled them: with statistics that still said "empty", the planner
  turned the anti-join into a scan of the whole table per candidate (38 s for the
  first sweep, 14 s for the second in an early run of this benchmark).

The relay rows: "relay pass" hands the sweep's own notices (one per batch) to
Redis; "backlog" times {backlog:,} queued messages ({relay_rate} a second, one
publish each). Both go to a key prefix of their own, deleted afterwards.

Raw figures (also in var/benchmarks/sweeps.json):

```json
{json}
```
"""
