"""The periodic sweeps: 督办 of overdue suggestions, deadline reminders, duty reminders.

Each sweep is a few indexed statements, not a Python loop over open suggestions: per
kind of work, one SELECT lists the candidates (a range of a partial index, an
anti-join against what was already done), then INSERT ... SELECT statements claim
them `SWEEP_BATCH_SIZE` at a time by inserting into a table whose unique
constraint names the thing that must happen once:

- `Supervision` (suggestion, region): a suggestion is escalated to a level once;
- `ReminderLog` (assignment, kind, due date): a deadline is reminded once (a new
  due date after an extension may be reminded again);
- `DutyReminderLog` (deputy, station, date): a duty day is reminded once.

`ON CONFLICT DO NOTHING ... RETURNING` hands back only the rows this statement
inserted. Two sweeps running at once (a double beat, two workers) select the
same candidates, but on PostgreSQL the second insert waits on the first one's
uncommitted index entries and then skips them; on SQLite writers are serialised.
Each batch commits its rows together with the timeline entries and the outbox
message that will notify people, so a worker that dies mid-batch leaves nothing
behind and the next sweep does that batch again. Who gets told is decided later,
by `supervision.notices`, which claims rows again with a conditional UPDATE.

Dates: "today" is Beijing's date. Working days come from `calendars.services`.
A region with calendar overrides of its own (a minority holiday) is a "zone";
dates that depend on the calendar are computed once per zone and picked in SQL
with a CASE on the suggestion's region path, so the statements stay set-based.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record
from calendars.models import CalendarOverride
from calendars.workdays import WorkingCalendar, add_working_days
from core import clock
from core.models import Heartbeat
from core.outbox import enqueue
from regions.models import Region
from suggestions.deadlines import DEFAULT_REMIND_DAYS
from suggestions.models import (
    Assignment,
    SLAProfile,
    Suggestion,
    SuggestionEvent,
)
from suggestions.services.common import event_row, system_events

from .models import DutyReminderLog, ReminderLog, Supervision, congress_name
from .tracking import escalate_tracked, remind_tracked

logger = logging.getLogger("lianxin.supervision")

ONE_DAY = datetime.timedelta(days=1)
RUNNING = tuple(Suggestion.RUNNING_STATUSES)
# "Overdue", as everywhere: the rules on the models, written out as SQL here.
REPLY_DUE = Suggestion.REPLY_DUE
ACKNOWLEDGE_DUE = Assignment.ACKNOWLEDGE_DUE
ACTIVE_ASSIGNMENT = tuple(Assignment.ACTIVE_STATUSES)


@dataclass(frozen=True)
class SweepResult:
    """How many rows each part of a sweep inserted."""

    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


# --- SQL plumbing ------------------------------------------------------------------


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _date(value: datetime.date):
    return connection.ops.adapt_datefield_value(value)


def _moment(value: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _in(values: Sequence) -> tuple[str, list]:
    return "(" + ", ".join(["%s"] * len(values)) + ")", list(values)


def _run_batch(work: Callable[[], list], *, attempts: int = 5) -> list:
    """Run one batch in its own transaction; on SQLite, wait out a locked database.

    PostgreSQL blocks a conflicting writer until the other commits. SQLite (the
    laptop demo) refuses it with "database is locked" once its busy timeout runs out,
    or at once between connections of a shared in-memory test database: the batch
    is simply tried again, which is safe because nothing of it was committed.
    """
    for attempt in range(attempts):
        try:
            with transaction.atomic():
                return work()
        except OperationalError as error:
            if connection.vendor != "sqlite" or "locked" not in str(error).lower():
                raise
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * 2**attempt)
    return []


# On PostgreSQL the claim tables' statistics must not say "empty" (or far too
# small) while a sweep fills them, or the planner turns the NOT EXISTS anti-join
# into a scan of the whole table per candidate. A sweep re-analyses a claim table
# whenever its own inserts have doubled it (and at least this many rows).
ANALYZE_AFTER_ROWS = 1000


class _Statistics:
    """Keeps the planner's row estimate of one claim table within a factor of two."""

    def __init__(self, model) -> None:
        self.model = model
        self.enabled = connection.vendor == "postgresql"
        self.known = 0.0
        self.added = 0
        if self.enabled:
            self.known = self._estimate()
            if self.known <= 0 and model.objects.exists():
                self.known = self._analyze()

    def _estimate(self) -> float:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT reltuples FROM pg_class WHERE oid = %s::regclass",
                [self.model._meta.db_table],
            )
            row = cursor.fetchone()
        return float(row[0]) if row else 0.0

    def _analyze(self) -> float:
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {_table(self.model)}")
        self.added = 0
        return self._estimate()

    def grew(self, rows: int) -> None:
        if not self.enabled:
            return
        self.added += rows
        if self.added >= max(ANALYZE_AFTER_ROWS, self.known):
            self.known = self._analyze()


@dataclass(frozen=True)
class Part:
    """One kind of claim: its candidates are listed once, then inserted in batches by key.

    `source` is "FROM ... WHERE ..." (no ORDER BY, no LIMIT), `columns` the select
    list matching the claim table's columns, `key` the column batches are cut by.
    """

    name: str
    key: str
    columns: str
    column_params: list
    source: str
    source_params: list


def _key_filter(key: str, chunk: list) -> tuple[str, list]:
    if connection.vendor == "postgresql":
        return f"{key} = ANY(%s)", [chunk]
    return f"{key} IN ({', '.join(['%s'] * len(chunk))})", list(chunk)


def _run_parts(
    parts: Sequence[Part],
    *,
    model,
    columns: Sequence[str],
    returning: Sequence[str],
    record: Callable[[list], None],
    batch_size: int,
) -> dict[str, int]:
    """List each part's candidates, then claim them batch by batch; returns rows per part.

    Each batch re-checks its candidates (NOT EXISTS in `source`, ON CONFLICT), so
    a candidate another sweep claimed in the meantime is skipped, not claimed twice.
    """
    statistics = _Statistics(model)
    counts: dict[str, int] = {}
    for part in parts:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT DISTINCT {part.key} {part.source} ORDER BY {part.key}", part.source_params
            )
            keys = [row[0] for row in cursor.fetchall()]
        counts[part.name] = 0
        for start in range(0, len(keys), batch_size):
            in_sql, in_params = _key_filter(part.key, keys[start : start + batch_size])
            select = f"SELECT {part.columns} {part.source} AND {in_sql} ORDER BY {part.key}"
            params = [*part.column_params, *part.source_params, *in_params]

            def batch(select=select, params=params):
                rows = _insert_select(
                    model=model, columns=columns, select=select, params=params, returning=returning
                )
                record(rows)
                return rows

            rows = _run_batch(batch)
            counts[part.name] += len(rows)
            statistics.grew(len(rows))
    return counts


def _insert_select(
    *, model, columns: Sequence[str], select: str, params: list, returning: Sequence[str]
) -> list[tuple]:
    """INSERT INTO model (columns) <select> ON CONFLICT DO NOTHING RETURNING ...: new rows only."""
    sql = (
        f"INSERT INTO {_table(model)} ({', '.join(columns)}) {select} "
        f"ON CONFLICT DO NOTHING RETURNING {', '.join(returning)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _insert_values(
    *, model, columns: Sequence[str], rows: Sequence[Sequence], returning: Sequence[str]
) -> list[tuple]:
    """INSERT ... VALUES (...), (...) ON CONFLICT DO NOTHING RETURNING ...: new rows only."""
    if not rows:
        return []
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    sql = (
        f"INSERT INTO {_table(model)} ({', '.join(columns)}) VALUES "
        f"{', '.join([one] * len(rows))} ON CONFLICT DO NOTHING RETURNING {', '.join(returning)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [value for row in rows for value in row])
        return list(cursor.fetchall())


# --- Calendar zones --------------------------------------------------------------------


def calendar_zones() -> list[str]:
    """Region paths with calendar overrides of their own, deepest first, then "" (national)."""
    paths = set(
        CalendarOverride.objects.exclude(region_path="")
        .order_by()
        .values_list("region_path", flat=True)
        .distinct()
    )
    return [*sorted(paths, key=len, reverse=True), ""]


def _zone_case(path_column: str, by_zone: dict[str, tuple[str, list]]) -> tuple[str, list]:
    """A CASE picking each suggestion's zone value (SQL with params) by its region path."""
    national = by_zone[""]
    zoned = [(path, value) for path, value in by_zone.items() if path]
    if not zoned:
        return national
    sql, params = ["CASE"], []
    for path, (value_sql, value_params) in zoned:  # deepest first (calendar_zones order)
        sql.append(f"WHEN {path_column} LIKE %s THEN ({value_sql})")
        params += [f"{path}%", *value_params]
    sql.append(f"ELSE ({national[0]}) END")
    return " ".join(sql), params + national[1]


def working_days_back(
    day: datetime.date, days: int, *, path: str, calendar: WorkingCalendar
) -> datetime.date:
    """The first day d such that [d, day] holds `days` working days (`day` itself counts).

    Something that happened before d has had `days` full working days since.
    """
    counted, current = 0, day
    for _step in range(366 * 3):
        if calendar.status(current, path)[0]:
            counted += 1
            if counted >= days:
                return current
        current -= ONE_DAY
    raise ValueError(f"no {days} working days within three years before {day}")


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# --- 督办: escalation of overdue suggestions ---------------------------------------------------


def supervising_levels() -> list[str]:
    """Region levels that may supervise: township up to SUPERVISION_TOP_LEVEL."""
    order = [level.value for level in Region.LEVEL_ORDER]
    top = order.index(settings.SUPERVISION_TOP_LEVEL)
    return order[top : order.index(Region.Level.TOWNSHIP) + 1]


SUPERVISION_COLUMNS = (
    "suggestion_id",
    "region_id",
    "region_path",
    "suggestion_region_path",
    "reason",
    "note",
    "due_date",
    "unit_id",
    "created_at",
    "key",
)
RETURNED = ("id", "suggestion_id", "region_id", "reason")


def _base_region_join(alias: str = "s") -> str:
    """Joins `b` (the congress that assigned or handles the suggestion) and `t` (the one above).

    Without a recorded assigner (older rows), the suggestion's own region stands in,
    or its township when the suggestion sits in a village (villages have no congress).
    """
    region = _table(Region)
    return (
        f"JOIN {region} r ON r.id = {alias}.region_id "
        f"JOIN {region} b ON b.id = COALESCE({alias}.assigner_region_id, "
        f"CASE WHEN r.level = 'village' THEN r.parent_id ELSE r.id END) "
        f"JOIN {region} t ON t.id = b.parent_id "
    )


def _acknowledge_overdue(today, now, levels) -> Part:
    """Suggestions with an assignment not signed by its deadline: first level above the assigner."""
    running_sql, running = _in(RUNNING)
    levels_sql, level_params = _in(levels)
    return Part(
        name="acknowledge",
        key="s.id",
        columns="s.id, t.id, t.path, s.region_path, %s, '', a.acknowledge_due, a.unit_id, %s, %s",
        column_params=[Supervision.Reason.ACKNOWLEDGE_OVERDUE, _moment(now), False],
        source=(
            f"FROM {_table(Assignment)} a JOIN {_table(Suggestion)} s ON s.id = a.suggestion_id "
            + _base_region_join()
            + f"WHERE {ACKNOWLEDGE_DUE.overdue_sql('a', '%s')} "
            f"AND s.status IN {running_sql} AND t.level IN {levels_sql} "
            f"AND NOT EXISTS (SELECT 1 FROM {_table(Supervision)} x "
            "WHERE x.suggestion_id = s.id AND x.region_id = t.id)"
        ),
        source_params=[_date(today), *running, *level_params],
    )


def _reply_overdue(today, now, levels) -> Part:
    """Suggestions past their reply deadline: first level above the assigner."""
    active_sql, active = _in(ACTIVE_ASSIGNMENT)
    levels_sql, level_params = _in(levels)
    lead_unit = (
        f"(SELECT a.unit_id FROM {_table(Assignment)} a WHERE a.suggestion_id = s.id "
        f"AND a.role = %s AND a.status IN {active_sql} ORDER BY a.id DESC LIMIT 1)"
    )
    return Part(
        name="reply",
        key="s.id",
        columns=f"s.id, t.id, t.path, s.region_path, %s, '', s.due_date, {lead_unit}, %s, %s",
        column_params=[
            Supervision.Reason.REPLY_OVERDUE,
            Assignment.Role.LEAD,
            *active,
            _moment(now),
            False,
        ],
        source=(
            f"FROM {_table(Suggestion)} s "
            + _base_region_join()
            + f"WHERE {REPLY_DUE.overdue_sql('s', '%s')} AND t.level IN {levels_sql} "
            f"AND NOT EXISTS (SELECT 1 FROM {_table(Supervision)} x "
            "WHERE x.suggestion_id = s.id AND x.region_id = t.id)"
        ),
        source_params=[_date(today), *level_params],
    )


def _still_overdue(today, now, levels, boundary_case) -> Part:
    """Suggestions still overdue N working days after their top supervision: one level more."""
    running_sql, running = _in(RUNNING)
    levels_sql, level_params = _in(levels)
    boundary_sql, boundary_params = boundary_case
    supervision, region = _table(Supervision), _table(Region)
    return Part(
        name="further",
        key="p.id",
        columns=(
            "p.suggestion_id, t.id, t.path, p.suggestion_region_path, %s, '', p.due_date, "
            "p.unit_id, %s, %s"
        ),
        column_params=[Supervision.Reason.STILL_OVERDUE, _moment(now), False],
        source=(
            f"FROM {supervision} p JOIN {_table(Suggestion)} s ON s.id = p.suggestion_id "
            f"JOIN {region} c ON c.id = p.region_id JOIN {region} t ON t.id = c.parent_id "
            f"WHERE s.status IN {running_sql} AND t.level IN {levels_sql} "
            f"AND p.created_at < ({boundary_sql}) "
            f"AND ({REPLY_DUE.overdue_sql('s', '%s')} OR EXISTS ("
            f"SELECT 1 FROM {_table(Assignment)} a WHERE a.suggestion_id = s.id "
            f"AND {ACKNOWLEDGE_DUE.overdue_sql('a', '%s')})) "
            # p is the suggestion's highest supervision so far (all lie on one branch)
            f"AND NOT EXISTS (SELECT 1 FROM {supervision} h "
            "WHERE h.suggestion_id = p.suggestion_id "
            "AND LENGTH(h.region_path) < LENGTH(p.region_path))"
        ),
        source_params=[
            *running,
            *level_params,
            *boundary_params,
            _date(today),
            _date(today),
        ],
    )


def _record_supervisions(rows: list[tuple], now: datetime.datetime) -> None:
    """Timeline entries, one audit record and the notice for a batch of new supervisions."""
    if not rows:
        return
    ids = [row[0] for row in rows]
    names = {
        region.pk: congress_name(region)
        for region in Region.objects.filter(pk__in={row[2] for row in rows})
    }
    reasons = dict(Supervision.Reason.choices)
    system_events(
        [
            event_row(
                suggestion_id,
                SuggestionEvent.Kind.SUPERVISED,
                None,
                staff=_("%(reason)s，已提请%(body)s督办。")
                % {"reason": reasons.get(reason, ""), "body": names.get(region_id, "")},
                data={"supervision": pk, "region": region_id, "reason": reason},
                at=now,
            )
            for pk, suggestion_id, region_id, reason in rows
        ]
    )
    audit_record(
        actor=None,
        actor_label=_("系统"),
        action=AuditRecord.Action.CREATE,
        changes={"supervisions": len(rows), "first": min(ids), "last": max(ids)},
        note=_("逾期自动督办%(n)s件") % {"n": len(rows)},
    )
    enqueue("supervision.notices.notify_supervisions", supervision_ids=ids)


def escalate_overdue(
    *, now: datetime.datetime | None = None, batch_size: int | None = None
) -> SweepResult:
    """Escalate every overdue suggestion that is due an escalation; returns what was inserted.

    First level: a suggestion whose lead or co-handling unit has not signed by its
    signing deadline, or whose reply deadline has passed, is supervised by the
    congress one level above the one that assigned it (township -> county ->
    city). Further levels: a suggestion still overdue SUPERVISION_ESCALATE_AFTER_
    WORKING_DAYS working days after its highest supervision goes one level up.
    Nothing goes above SUPERVISION_TOP_LEVEL. `now` is for tests and benchmarks.
    """
    now = now or clock.now()
    today = timezone.localdate(now)
    limit = batch_size or settings.SWEEP_BATCH_SIZE
    levels = supervising_levels()
    calendar = WorkingCalendar()
    after = settings.SUPERVISION_ESCALATE_AFTER_WORKING_DAYS
    boundary_case = _zone_case(
        "p.suggestion_region_path",
        {
            zone: (
                "%s",
                [_moment(_start_of(working_days_back(today, after, path=zone, calendar=calendar)))],
            )
            for zone in calendar_zones()
        },
    )
    counts = _run_parts(
        [
            _acknowledge_overdue(today, now, levels),
            _reply_overdue(today, now, levels),
            _still_overdue(today, now, levels, boundary_case),
        ],
        model=Supervision,
        columns=SUPERVISION_COLUMNS,
        returning=RETURNED,
        record=lambda rows: _record_supervisions(rows, now),
        batch_size=limit,
    )
    # Every other workflow's deadlines (formal suggestions, plans, appointments...).
    counts = {**counts, "tracked": escalate_tracked(now=now)}
    Heartbeat.objects.update_or_create(name="supervision-sweep", defaults={"at": clock.now()})
    result = SweepResult(counts)
    if result.total:
        logger.info("supervision sweep %s: %s", today, counts)
    return result


# --- Deadline reminders -----------------------------------------------------------------


def _remind_days_case(path_column: str, category_column: str) -> tuple[str, list, set[int]]:
    """A CASE giving each suggestion its SLA profile's "remind N working days before".

    Same resolution as `suggestions.deadlines.terms_for`: the nearest region with a
    profile wins, and there a category's own profile beats the general one.
    """
    profiles = sorted(
        SLAProfile.objects.values_list("region_path", "category", "remind_days_before"),
        key=lambda p: (-len(p[0]), p[1] == ""),
    )
    values = {DEFAULT_REMIND_DAYS, *(p[2] for p in profiles)}
    if not profiles:
        return "%s", [DEFAULT_REMIND_DAYS], values
    sql, params = ["CASE"], []
    for path, category, days in profiles:
        if category:
            sql.append(f"WHEN {path_column} LIKE %s AND {category_column} = %s THEN %s")
            params += [f"{path}%", category, days]
        else:
            sql.append(f"WHEN {path_column} LIKE %s THEN %s")
            params += [f"{path}%", days]
    sql.append("ELSE %s END")
    return " ".join(sql), [*params, DEFAULT_REMIND_DAYS], values


def _horizon_case(today: datetime.date, calendar: WorkingCalendar) -> tuple[str, list, object]:
    """SQL for the last due date to remind today, per suggestion; and the latest of them all.

    A deadline D is reminded on the first working day T from which D is at most N
    working days away (D <= T + N working days), so a missed day catches up on the
    next one. Nothing is reminded on a rest day of the suggestion's zone (NULL).
    """
    n_sql, n_params, values = _remind_days_case("s.region_path", "s.category")
    by_zone, latest = {}, None
    for zone in calendar_zones():
        working = calendar.status(today, zone)[0]
        whens, params = [], []
        for days in sorted(values):
            if not working or days <= 0:
                continue  # no reminder today (rest day) or for this profile (0)
            horizon = add_working_days(today, days, region=zone, calendar=calendar).date
            whens.append("WHEN %s THEN %s")
            params += [days, _date(horizon)]
            latest = horizon if latest is None else max(latest, horizon)
        if whens:
            by_zone[zone] = (f"CASE ({n_sql}) {' '.join(whens)} ELSE NULL END", n_params + params)
        else:
            by_zone[zone] = ("NULL", [])
    sql, params = _zone_case("s.region_path", by_zone)
    return sql, params, latest


REMINDER_COLUMNS = ("assignment_id", "kind", "due_date", "created_at")


def _acknowledge_reminders(today, now, horizon, latest) -> Part:
    running_sql, running = _in(RUNNING)
    horizon_sql, horizon_params = horizon
    return Part(
        name="acknowledge",
        key="a.id",
        columns="a.id, %s, a.acknowledge_due, %s",
        column_params=[ReminderLog.Kind.ACKNOWLEDGE, _moment(now)],
        source=(
            f"FROM {_table(Assignment)} a JOIN {_table(Suggestion)} s ON s.id = a.suggestion_id "
            "WHERE a.status = %s AND a.acknowledge_due >= %s AND a.acknowledge_due <= %s "
            "AND (a.due_start IS NULL OR a.due_start < %s) "
            f"AND s.status IN {running_sql} AND a.acknowledge_due <= ({horizon_sql}) "
            f"AND NOT EXISTS (SELECT 1 FROM {_table(ReminderLog)} x WHERE x.assignment_id = a.id "
            "AND x.kind = %s AND x.due_date = a.acknowledge_due)"
        ),
        source_params=[
            Assignment.Status.PENDING,
            _date(today),
            _date(latest),
            _date(today),
            *running,
            *horizon_params,
            ReminderLog.Kind.ACKNOWLEDGE,
        ],
    )


def _reply_reminders(today, now, horizon, latest) -> Part:
    running_sql, running = _in(RUNNING)
    active_sql, active = _in(ACTIVE_ASSIGNMENT)
    horizon_sql, horizon_params = horizon
    return Part(
        name="reply",
        key="a.id",
        columns="a.id, %s, s.due_date, %s",
        column_params=[ReminderLog.Kind.REPLY, _moment(now)],
        source=(
            f"FROM {_table(Suggestion)} s JOIN {_table(Assignment)} a ON a.suggestion_id = s.id "
            f"AND a.role = %s AND a.status IN {active_sql} "
            f"WHERE s.status IN {running_sql} AND s.due_date >= %s AND s.due_date <= %s "
            "AND (s.due_start IS NULL OR s.due_start < %s) "
            f"AND s.due_date <= ({horizon_sql}) "
            f"AND NOT EXISTS (SELECT 1 FROM {_table(ReminderLog)} x WHERE x.assignment_id = a.id "
            "AND x.kind = %s AND x.due_date = s.due_date)"
        ),
        source_params=[
            Assignment.Role.LEAD,
            *active,
            *running,
            _date(today),
            _date(latest),
            _date(today),
            *horizon_params,
            ReminderLog.Kind.REPLY,
        ],
    )


def _record_reminders(rows: list[tuple], now: datetime.datetime) -> None:
    """Timeline entries and the notice for a batch of new reminders."""
    if not rows:
        return
    ids = [row[0] for row in rows]
    kinds = dict(ReminderLog.Kind.choices)
    system_events(
        [
            event_row(
                reminder.assignment.suggestion_id,
                SuggestionEvent.Kind.REMINDED,
                None,
                staff=_("已提醒%(unit)s：%(kind)s为%(due)s。")
                % {
                    "unit": reminder.assignment.unit.name,
                    "kind": kinds.get(reminder.kind, ""),
                    "due": reminder.due_date.isoformat(),
                },
                data={"reminder": reminder.pk, "kind": reminder.kind},
                at=now,
            )
            for reminder in ReminderLog.objects.filter(pk__in=ids).select_related(
                "assignment__unit"
            )
        ]
    )
    enqueue("supervision.notices.notify_reminders", reminder_ids=ids)


def remind_due(
    *, now: datetime.datetime | None = None, batch_size: int | None = None
) -> SweepResult:
    """Remind handling units of signing and reply deadlines N working days ahead, once each."""
    now = now or clock.now()
    today = timezone.localdate(now)
    limit = batch_size or settings.SWEEP_BATCH_SIZE
    sql, params, latest = _horizon_case(today, WorkingCalendar())
    counts = {"acknowledge": 0, "reply": 0}
    if latest is not None:
        horizon = (sql, params)
        counts = _run_parts(
            [
                _acknowledge_reminders(today, now, horizon, latest),
                _reply_reminders(today, now, horizon, latest),
            ],
            model=ReminderLog,
            columns=REMINDER_COLUMNS,
            returning=("id",),
            record=lambda rows: _record_reminders(rows, now),
            batch_size=limit,
        )
    counts = {**counts, "tracked": remind_tracked(now=now)}
    Heartbeat.objects.update_or_create(name="reminder-sweep", defaults={"at": clock.now()})
    return SweepResult(counts)


# --- Duty reminders ----------------------------------------------------------------------


def remind_duties(*, now: datetime.datetime | None = None) -> SweepResult:
    """Remind every deputy on duty at a station tomorrow (reception days, holidays moved)."""
    from receptions.selectors import reception_days_between
    from stations.models import Station

    now = now or clock.now()
    tomorrow = timezone.localdate(now) + ONE_DAY
    rows = sorted(
        {
            (deputy.pk, day.station.pk, _date(day.date), _moment(now))
            for day in reception_days_between(Station.objects.all(), tomorrow, tomorrow)
            for deputy in day.deputies
        }
    )
    created = 0
    for start in range(0, len(rows), 500):
        chunk = rows[start : start + 500]

        def batch(chunk=chunk):
            inserted = _insert_values(
                model=DutyReminderLog,
                columns=("deputy_id", "station_id", "date", "created_at"),
                rows=chunk,
                returning=("id",),
            )
            if inserted:
                enqueue(
                    "supervision.notices.notify_duty_reminders",
                    reminder_ids=[row[0] for row in inserted],
                )
            return inserted

        created += len(_run_batch(batch))
    Heartbeat.objects.update_or_create(name="duty-reminder-sweep", defaults={"at": clock.now()})
    return SweepResult({"duty": created})
