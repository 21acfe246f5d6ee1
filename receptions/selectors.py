"""Reception days, computed from the rules between two dates.

Nothing here is stored: a rule plus the working-day calendar gives its days, a
day that falls on a holiday or rest day moves to the next working day (keeping
`moved_from`), and `ReceptionException` rows cancel a day or change who is on
duty. Every entry point loads what it needs in a fixed number of queries,
however many stations and rules are involved (rules, their deputies, the
exceptions in range and their deputies, station memberships for rotas, and the
calendar's rows for each year touched).

Callers pass stations they already scoped (`Station.objects.visible_to(user)`, or
the public station list); these functions add no tenancy of their own.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from calendars.workdays import WorkingCalendar
from core import clock
from core.params import parse_id
from deputies.models import Deputy, StationMembership
from stations.models import Station

from .models import ReceptionException, ReceptionRule

ONE_DAY = datetime.timedelta(days=1)
# Holidays push a day forward by at most ~9 days (Spring Festival); looking back a
# month before the window catches every day that moves into it.
LOOKBACK = datetime.timedelta(days=31)
# The furthest ahead "upcoming" looks, whatever the limit.
MAX_LOOKAHEAD_DAYS = 400


@dataclass(frozen=True)
class ReceptionDay:
    date: datetime.date
    start_time: datetime.time | None
    end_time: datetime.time | None
    station: Station
    deputies: list[Deputy]
    moved_from: datetime.date | None  # the rule's own date, when a holiday moved it
    provisional: bool  # the calendar had no holiday data for a day involved
    rule_id: int | None = None
    note: str = ""  # the exception's note, if any
    changed: bool = field(default=False)  # deputies changed for this date by an exception


def reception_days_between(
    stations_queryset: QuerySet, start: datetime.date, end: datetime.date
) -> list[ReceptionDay]:
    """Every reception day of the given stations from `start` to `end`, inclusive."""
    rules = ReceptionRule.objects.filter(station__in=stations_queryset)
    return _days_for_rules(rules, start, end)


def upcoming_reception_days(
    station: Station, *, limit: int = 5, today: datetime.date | None = None
) -> list[ReceptionDay]:
    """The station's next `limit` reception days, today included."""
    today = today or clock.today()
    end = today + datetime.timedelta(days=min(31 * (limit + 1), MAX_LOOKAHEAD_DAYS))
    days = _days_for_rules(ReceptionRule.objects.filter(station=station), today, end)
    return days[:limit]


def upcoming_duty_days_for_deputy(
    deputy: Deputy, *, limit: int = 5, today: datetime.date | None = None
) -> list[ReceptionDay]:
    """The next `limit` days on which `deputy` is on duty at any station, today included."""
    today = today or clock.today()
    end = today + datetime.timedelta(days=min(31 * (limit + 1), MAX_LOOKAHEAD_DAYS))
    return duty_days_between(deputy, today, end)[:limit]


def duty_days_between(
    deputy: Deputy, start: datetime.date, end: datetime.date
) -> list[ReceptionDay]:
    """The reception days from `start` to `end` on which `deputy` is on duty."""
    involved = ReceptionRule.objects.filter(
        Q(deputies=deputy)
        | Q(kind=ReceptionRule.Kind.ROTA, station__deputy_memberships__deputy=deputy)
        | Q(exceptions__deputies=deputy)
    ).values("pk")
    days = _days_for_rules(ReceptionRule.objects.filter(pk__in=involved), start, end)
    return [day for day in days if any(d.pk == deputy.pk for d in day.deputies)]


def _date_param(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return None


def schedule_window(params, *, today: datetime.date) -> tuple[datetime.date, datetime.date, bool]:
    """(first, last, is_range) of the schedule page: `start`/`end` (at most 62 days
    apart) when both are given, else the month of `month` (default this month)."""
    start, end = _date_param(params.get("start")), _date_param(params.get("end"))
    if start and end and start <= end <= start + datetime.timedelta(days=62):
        return start, end, True
    try:
        year, month = (int(part) for part in params.get("month", "").split("-"))
        first = datetime.date(year, month, 1)
    except (TypeError, ValueError):
        first = today.replace(day=1)
    following = datetime.date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following - ONE_DAY, False


def schedule_days(user, stations: QuerySet, params, *, today: datetime.date):
    """The schedule page's rows for `params` (`station`, `month` or `start`/`end`):
    the days of the stations the user sees, or a deputy's own duty days. Returns
    (days, first, last, is_range, selected station, deputy)."""
    first, last, is_range = schedule_window(params, today=today)
    selected = None
    if (station_pk := parse_id(params.get("station"))) is not None:
        selected = stations.filter(pk=station_pk).first()
    deputy = Deputy.objects.filter(user=user).first()
    if selected is not None:
        days = reception_days_between(stations.filter(pk=selected.pk), first, last)
    elif stations.exists():
        days = reception_days_between(stations, first, last)
    elif deputy is not None:
        days = duty_days_between(deputy, first, last)
    else:
        days = []
    return days, first, last, is_range, selected, deputy


# --- The engine ---------------------------------------------------------------------


def _days_for_rules(
    rules: QuerySet, start: datetime.date, end: datetime.date
) -> list[ReceptionDay]:
    if end < start:
        return []
    scan_from = start - LOOKBACK
    rules = list(
        rules.filter(active=True, valid_from__lte=end, station__status=Station.Status.ACTIVE)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=scan_from))
        .select_related("station")
        .prefetch_related(
            Prefetch("deputies", queryset=_active_deputies()),
            Prefetch(
                "exceptions",
                queryset=ReceptionException.objects.filter(
                    date__gte=start, date__lte=end
                ).prefetch_related(Prefetch("deputies", queryset=_active_deputies())),
            ),
        )
    )
    if not rules:
        return []
    pools = _station_pools(
        {r.station_id for r in rules if r.kind == ReceptionRule.Kind.ROTA}, scan_from, end
    )
    calendar = WorkingCalendar()
    days: list[ReceptionDay] = []
    for rule in rules:
        days.extend(_rule_days(rule, start, end, scan_from, calendar, pools))
    days.sort(key=lambda day: (day.date, day.start_time or datetime.time.min, day.station.name))
    return _without_repeats(days)


def _without_repeats(days: list[ReceptionDay]) -> list[ReceptionDay]:
    """Drop a day that repeats another exactly (two rules landing on the same session)."""
    seen, kept = set(), []
    for day in days:
        key = (
            day.station.pk,
            day.date,
            day.start_time,
            day.end_time,
            *(d.pk for d in day.deputies),
        )
        if key not in seen:
            seen.add(key)
            kept.append(day)
    return kept


def _active_deputies() -> QuerySet:
    return Deputy.objects.filter(status=Deputy.Status.ACTIVE).order_by("name", "pk")


def _station_pools(
    station_ids: set[int], start: datetime.date, end: datetime.date
) -> dict[int, list[tuple[Deputy, datetime.date, datetime.date | None]]]:
    """Deputies grouped into each station during [start, end], with membership dates."""
    pools: dict[int, list] = defaultdict(list)
    if not station_ids:
        return pools
    memberships = (
        StationMembership.objects.filter(
            station_id__in=station_ids,
            start_date__lte=end,
            deputy__status=Deputy.Status.ACTIVE,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gt=start))
        .select_related("deputy")
        .order_by("deputy__name", "deputy_id")
    )
    for membership in memberships:
        pools[membership.station_id].append(
            (membership.deputy, membership.start_date, membership.end_date)
        )
    return pools


def _month_starts(start: datetime.date, end: datetime.date):
    year, month = start.year, start.month
    while (year, month) <= (end.year, end.month):
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _month_length(year: int, month: int) -> int:
    return pycalendar.monthrange(year, month)[1]


def _weekdays_in(year: int, month: int, weekday: int) -> list[datetime.date]:
    first = datetime.date(year, month, 1)
    day = first + datetime.timedelta(days=(weekday - first.weekday()) % 7)
    result = []
    while day.month == month:
        result.append(day)
        day += datetime.timedelta(days=7)
    return result


def _in_validity(rule: ReceptionRule, day: datetime.date) -> bool:
    return rule.valid_from <= day and (rule.valid_until is None or day <= rule.valid_until)


def _slots(rule, start, end):
    """(nominal date, deputies, known working) for the rule in [start, end], before moves."""
    deputies = list(rule.deputies.all())
    if rule.kind == ReceptionRule.Kind.MONTHLY:
        for year, month in _month_starts(start, end):
            day = datetime.date(year, month, min(rule.day_of_month, _month_length(year, month)))
            yield day, deputies, False
    elif rule.kind == ReceptionRule.Kind.WEEKLY:
        day = start + datetime.timedelta(days=(rule.weekday - start.weekday()) % 7)
        while day <= end:
            yield day, deputies, False
            day += datetime.timedelta(days=7)


def _rota_slots(rule, start, end, calendar, path, pools):
    """(date, deputies, already a working day) for a rota rule, month by month."""
    picked = list(rule.deputies.all())
    for year, month in _month_starts(start, end):
        first = datetime.date(year, month, 1)
        anchor = max(first, rule.valid_from)
        if picked:
            members = picked
        else:
            members = [
                deputy
                for deputy, joined, left in pools.get(rule.station_id, ())
                if joined <= anchor and (left is None or left > anchor)
            ]
        if not members:
            continue
        if rule.weekday is not None:
            candidates = [(day, False) for day in _weekdays_in(year, month, rule.weekday)]
        else:
            candidates = []
            day = datetime.date(
                year, month, min(rule.day_of_month or 1, _month_length(year, month))
            )
            while day.month == month:
                if calendar.status(day, path)[0]:
                    candidates.append((day, True))
                day += ONE_DAY
        candidates = [(day, ok) for day, ok in candidates if _in_validity(rule, day)]
        if not candidates:
            continue
        turn = (year * 12 + month) - (rule.valid_from.year * 12 + rule.valid_from.month)
        shift = turn % len(members)
        rotated = members[shift:] + members[:shift]
        on_duty: dict[int, list[Deputy]] = defaultdict(list)
        for index, deputy in enumerate(rotated):
            on_duty[index % len(candidates)].append(deputy)
        for index, deputies in sorted(on_duty.items()):
            day, working = candidates[index]
            yield day, deputies, working


def _rule_days(rule, start, end, scan_from, calendar, pools) -> list[ReceptionDay]:
    path = rule.station.region_path
    if rule.kind == ReceptionRule.Kind.ROTA:
        slots = _rota_slots(rule, scan_from, end, calendar, path, pools)
    else:
        slots = _slots(rule, scan_from, end)
    merged: dict[datetime.date, dict] = {}
    for nominal, deputies, known_working in slots:
        if not _in_validity(rule, nominal):
            continue
        if known_working:
            actual, provisional = nominal, calendar.status(nominal, path)[1]
        else:
            actual, provisional = calendar.first_working_day(nominal, path)
        if not start <= actual <= end:
            continue
        moved_from = nominal if actual != nominal else None
        entry = merged.get(actual)
        if entry is None:
            merged[actual] = {
                "deputies": list(deputies),
                "moved_from": moved_from,
                "provisional": provisional,
            }
        else:
            # A moved day landing on one of the rule's own days: one reception.
            entry["deputies"] += [d for d in deputies if d not in entry["deputies"]]
            entry["moved_from"] = entry["moved_from"] and moved_from
            entry["provisional"] = entry["provisional"] or provisional
    exceptions = {exception.date: exception for exception in rule.exceptions.all()}
    days = []
    for actual, entry in merged.items():
        exception = exceptions.get(actual)
        deputies, note, changed = entry["deputies"], "", False
        if exception is not None:
            if exception.cancelled:
                continue
            note = exception.note
            replacement = list(exception.deputies.all())
            if replacement:
                deputies, changed = replacement, True
        days.append(
            ReceptionDay(
                date=actual,
                start_time=rule.start_time,
                end_time=rule.end_time,
                station=rule.station,
                deputies=deputies,
                moved_from=entry["moved_from"],
                provisional=entry["provisional"],
                rule_id=rule.pk,
                note=note,
                changed=changed,
            )
        )
    return days
