"""Working days: the one place that knows which days count (pure reads, no writes).

    is_working_day(day, region=...)
    add_working_days(start, 5, region=...)        # "within 5 working days"
    next_working_day(day, region=...)             # a reception day moved off a holiday
    add_calendar_months(start, 3, region=...)     # "within 3 months"
    years_missing_holiday_data()

`region` is a `Region`, a region path ("14/1411/141122/") or None (national rules
only). Where a day's status comes from, first match wins:

1. an override row (`CalendarOverride`) for that date, the most specific region
   first (the region's own, then its ancestors', then the national one);
2. the `chinesecalendar` package, for the years it has data for;
3. Monday to Friday. Such a result is *provisional* unless the year was marked
   complete (`CalendarYear`) nationally or for an ancestor-or-self of the region:
   it may change once the State Council publishes the year's holidays.

Each computation loads a year's overrides in one query when it first touches that
year (and the year marks in one more query, only if a year without package data
comes up). To compute many dates at once, build one `WorkingCalendar` and pass it
as `calendar=`: it serves every region and caches what it loaded. The editing of
the calendar lives in `calendars.services`.
"""

from __future__ import annotations

import calendar as pycalendar
import datetime
from dataclasses import dataclass
from functools import cache

import chinese_calendar
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import clock
from regions.models import Region

from .models import CalendarOverride, CalendarYear

ONE_DAY = datetime.timedelta(days=1)
# A run of non-working days longer than this means the override table is broken
# (every day marked a holiday); stop instead of looping for ever.
MAX_NON_WORKING_RUN = 366
# "Within the next 13 months": how far ahead administrators are warned about
# years with no holiday data (the State Council usually publishes in the autumn).
LOOKAHEAD_MONTHS = 13


class CalendarError(ValueError):
    pass


@dataclass(frozen=True)
class DueDate:
    date: datetime.date
    provisional: bool  # True when any year crossed had no holiday data: counted Monday-Friday
    rule: str  # human-readable Chinese, e.g. "5个工作日（自2026-09-30次日起算）"


@cache
def package_has_year(year: int) -> bool:
    """Whether `chinesecalendar` knows the holidays of `year` (it raises beyond its data)."""
    try:
        chinese_calendar.is_workday(datetime.date(year, 1, 1))
    except NotImplementedError:
        return False
    return True


def region_path_of(region: Region | str | None) -> str:
    if region is None:
        return ""
    if isinstance(region, str):
        return region
    return region.path


def _path_prefixes(path: str) -> list[str]:
    """ "14/1411/" -> ["", "14/", "14/1411/"]: the rows that apply to that region."""
    prefixes = [""]
    for code in (part for part in path.split("/") if part):
        prefixes.append(f"{prefixes[-1]}{code}/")
    return prefixes


class WorkingCalendar:
    """Day statuses with the database rows loaded once per year (not thread-shared)."""

    def __init__(self) -> None:
        # year -> date -> [(region_path, kind, name)]
        self._overrides: dict[int, dict[datetime.date, list[tuple[str, str, str]]]] = {}
        self._complete: set[tuple[int, str]] | None = None

    def _overrides_of(self, year: int) -> dict[datetime.date, list[tuple[str, str, str]]]:
        if year not in self._overrides:
            by_date: dict[datetime.date, list[tuple[str, str, str]]] = {}
            rows = CalendarOverride.objects.filter(
                date__gte=datetime.date(year, 1, 1), date__lte=datetime.date(year, 12, 31)
            ).values_list("date", "region_path", "kind", "name")
            for day, path, kind, name in rows:
                by_date.setdefault(day, []).append((path, kind, name))
            self._overrides[year] = by_date
        return self._overrides[year]

    def override_for(self, day: datetime.date, path: str) -> tuple[str, str, str] | None:
        """The most specific override of `day` that applies at `path`, if any."""
        best = None
        for row in self._overrides_of(day.year).get(day, ()):
            if path.startswith(row[0]) and (best is None or len(row[0]) > len(best[0])):
                best = row
        return best

    def year_known(self, year: int, path: str) -> bool:
        """True when the year's holidays are known at `path` (package data or a complete mark)."""
        if package_has_year(year):
            return True
        if self._complete is None:
            self._complete = set(
                CalendarYear.objects.filter(complete=True).values_list("year", "region_path")
            )
        return any((year, prefix) in self._complete for prefix in _path_prefixes(path))

    def status(self, day: datetime.date, path: str = "") -> tuple[bool, bool]:
        """(is a working day, provisional) for `day` at region path `path`."""
        provisional = not self.year_known(day.year, path)
        row = self.override_for(day, path)
        if row is not None:
            return row[1] == CalendarOverride.Kind.WORKDAY, provisional
        if package_has_year(day.year):
            return chinese_calendar.is_workday(day), False
        return day.weekday() < 5, provisional

    def holiday_name(self, day: datetime.date, path: str = "") -> str:
        """The name of the holiday or make-up day, or "" for an ordinary day."""
        row = self.override_for(day, path)
        if row is not None:
            return row[2]
        if package_has_year(day.year):
            return package_holiday_name(chinese_calendar.get_holiday_detail(day)[1])
        return ""

    def first_working_day(self, day: datetime.date, path: str = "") -> tuple[datetime.date, bool]:
        """The first working day on or after `day`, and whether any day seen was provisional."""
        provisional = False
        for _step in range(MAX_NON_WORKING_RUN):
            working, maybe = self.status(day, path)
            provisional = provisional or maybe
            if working:
                return day, provisional
            day += ONE_DAY
        raise CalendarError(f"no working day within {MAX_NON_WORKING_RUN} days of {day}")


# The package names holidays in English; these are the names users read.
HOLIDAY_NAMES = {
    chinese_calendar.Holiday.new_years_day.value: gettext_lazy("元旦"),
    chinese_calendar.Holiday.spring_festival.value: gettext_lazy("春节"),
    chinese_calendar.Holiday.tomb_sweeping_day.value: gettext_lazy("清明节"),
    chinese_calendar.Holiday.labour_day.value: gettext_lazy("劳动节"),
    chinese_calendar.Holiday.dragon_boat_festival.value: gettext_lazy("端午节"),
    chinese_calendar.Holiday.national_day.value: gettext_lazy("国庆节"),
    chinese_calendar.Holiday.mid_autumn_festival.value: gettext_lazy("中秋节"),
    chinese_calendar.Holiday.anti_fascist_70th_day.value: gettext_lazy("抗战胜利70周年纪念日"),
}


def package_holiday_name(name: str | None) -> str:
    """The readable name of one of the package's holiday names ("" for None)."""
    return str(HOLIDAY_NAMES.get(name, name or ""))


def is_working_day(
    day: datetime.date, *, region=None, calendar: WorkingCalendar | None = None
) -> bool:
    calendar = calendar or WorkingCalendar()
    return calendar.status(day, region_path_of(region))[0]


def add_working_days(
    start: datetime.date, days: int, *, region=None, calendar: WorkingCalendar | None = None
) -> DueDate:
    """The day on which "within `days` working days of `start`" ends.

    Counting starts on the day after `start` (the start day itself never counts,
    working or not). `days=0` answers `start`.
    """
    if days < 0:
        raise CalendarError("days must not be negative")
    calendar = calendar or WorkingCalendar()
    path = region_path_of(region)
    day, counted, provisional, idle = start, 0, False, 0
    while counted < days:
        day += ONE_DAY
        working, maybe = calendar.status(day, path)
        provisional = provisional or maybe
        if working:
            counted, idle = counted + 1, 0
        else:
            idle += 1
            if idle > MAX_NON_WORKING_RUN:
                raise CalendarError(f"no working day within {MAX_NON_WORKING_RUN} days of {day}")
    rule = _("%(n)s个工作日（自%(start)s次日起算）") % {"n": days, "start": start.isoformat()}
    return DueDate(day, provisional, rule)


def next_working_day(
    day: datetime.date,
    *,
    region=None,
    include_self: bool = True,
    calendar: WorkingCalendar | None = None,
) -> DueDate:
    """The first working day on or after `day` (strictly after it with include_self=False)."""
    calendar = calendar or WorkingCalendar()
    first = day if include_self else day + ONE_DAY
    found, provisional = calendar.first_working_day(first, region_path_of(region))
    if not include_self:
        rule = _("%(date)s之后的第一个工作日") % {"date": day.isoformat()}
    elif found == day:
        rule = _("%(date)s为工作日") % {"date": day.isoformat()}
    else:
        rule = _("%(date)s非工作日，顺延至下一个工作日") % {"date": day.isoformat()}
    return DueDate(found, provisional, rule)


def add_months(start: datetime.date, months: int) -> datetime.date:
    """The corresponding day `months` later, or that month's last day if it has none.

    Civil Code arts. 201-202: the start day is not counted; a period in months ends
    on the corresponding day of the last month, or on its last day.
    """
    index = start.year * 12 + start.month - 1 + months
    year, month = divmod(index, 12)
    last = pycalendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(start.day, last))


def add_calendar_months(
    start: datetime.date, months: int, *, region=None, calendar: WorkingCalendar | None = None
) -> DueDate:
    """The day on which "within `months` months of `start`" ends.

    A calendar period (Civil Code art. 202); an end falling on a holiday or rest
    day moves to the next working day (art. 203).
    """
    if months < 0:
        raise CalendarError("months must not be negative")
    calendar = calendar or WorkingCalendar()
    target = add_months(start, months)
    found, provisional = calendar.first_working_day(target, region_path_of(region))
    rule = _("%(n)s个月（自%(start)s起算，到期日遇节假日顺延）") % {
        "n": months,
        "start": start.isoformat(),
    }
    return DueDate(found, provisional, rule)


def add_calendar_days(
    start: datetime.date, days: int, *, region=None, calendar: WorkingCalendar | None = None
) -> DueDate:
    """The day on which "within `days` days of `start`" ends (a period in calendar days,
    counted from the next day, Civil Code art. 201); an end falling on a holiday or rest
    day moves to the next working day (art. 203)."""
    if days < 0:
        raise CalendarError("days must not be negative")
    calendar = calendar or WorkingCalendar()
    target = start + datetime.timedelta(days=days)
    found, provisional = calendar.first_working_day(target, region_path_of(region))
    rule = _("%(n)s日（自%(start)s起算，到期日遇节假日顺延）") % {
        "n": days,
        "start": start.isoformat(),
    }
    return DueDate(found, provisional, rule)


def lookahead_years(today: datetime.date | None = None) -> list[int]:
    today = today or clock.today()
    return list(range(today.year, add_months(today, LOOKAHEAD_MONTHS).year + 1))


def years_missing_holiday_data(
    years=None, *, region=None, calendar: WorkingCalendar | None = None
) -> list[int]:
    """Years (default: those within the next 13 months) whose counting is provisional.

    A year is missing when the package has no data for it and no complete mark
    applies (nationally, or for `region` or one of its ancestors).
    """
    calendar = calendar or WorkingCalendar()
    path = region_path_of(region)
    years = lookahead_years() if years is None else years
    return sorted({year for year in years if not calendar.year_known(year, path)})


# --- Writes -------------------------------------------------------------------------
