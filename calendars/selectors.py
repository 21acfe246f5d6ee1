"""Reads for the calendar administration pages."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

import chinese_calendar
from django.db.models import Q, QuerySet

from tenancy.scope import root_paths

from .models import CalendarOverride, CalendarYear
from .workdays import (
    ONE_DAY,
    WorkingCalendar,
    lookahead_years,
    package_has_year,
    package_holiday_name,
    years_missing_holiday_data,
)


def _ancestor_paths(roots) -> set[str]:
    """Every proper ancestor path of the given region paths ("14/1411/" -> "14/")."""
    paths = set()
    for root in roots:
        codes = [code for code in root.split("/") if code]
        for length in range(1, len(codes)):
            paths.add("".join(f"{code}/" for code in codes[:length]))
    return paths


def rows_applying_to(model, user) -> QuerySet:
    """Override or year rows that shape `user`'s calendar: visible ones, plus those above.

    The tenancy gate gives the rows of the user's own subtree. National rows and
    those of ancestor regions are not "inside" it, but they apply there, so the
    user reads them too (without being able to change them).
    """
    roots = root_paths(user)
    visible = model.objects.visible_to(user)
    if roots is None:
        return visible
    above = Q(region__isnull=True) | Q(region_path__in=_ancestor_paths(roots))
    return visible | model.objects.filter(above)


def overrides_for_year(user, year: int) -> QuerySet:
    return (
        rows_applying_to(CalendarOverride, user)
        .filter(date__gte=datetime.date(year, 1, 1), date__lte=datetime.date(year, 12, 31))
        .select_related("region")
        .order_by("date", "region_path")
    )


def year_marks(user, year: int) -> QuerySet:
    return rows_applying_to(CalendarYear, user).filter(year=year).select_related("region")


@dataclass
class HolidayPeriod:
    """One holiday of the package's data for a year: its rest days and make-up workdays."""

    name: str
    rest_days: list[datetime.date] = field(default_factory=list)
    workdays: list[datetime.date] = field(default_factory=list)

    @property
    def first(self) -> datetime.date:
        return min(self.rest_days or self.workdays)

    @property
    def last(self) -> datetime.date:
        return max(self.rest_days or self.workdays)


def package_periods(year: int) -> list[HolidayPeriod]:
    """The State Council's arrangement for `year` as the package knows it ([] if unknown)."""
    if not package_has_year(year):
        return []
    periods: dict[str, HolidayPeriod] = {}
    day, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    while day <= end:
        is_holiday, name = chinese_calendar.get_holiday_detail(day)
        if name:
            label = package_holiday_name(name)
            period = periods.setdefault(label, HolidayPeriod(label))
            (period.rest_days if is_holiday else period.workdays).append(day)
        day += ONE_DAY
    return sorted(periods.values(), key=lambda period: period.first)


@dataclass(frozen=True)
class YearStatus:
    year: int
    source: str  # "package", "manual" (marked complete) or "missing"

    @property
    def missing(self) -> bool:
        return self.source == "missing"


def year_status(year: int, path: str, calendar: WorkingCalendar | None = None) -> YearStatus:
    if package_has_year(year):
        return YearStatus(year, "package")
    calendar = calendar or WorkingCalendar()
    return YearStatus(year, "manual" if calendar.year_known(year, path) else "missing")


def home_paths(user) -> list[str]:
    """The region paths whose calendar a user looks after ("" for the whole platform)."""
    roots = root_paths(user, for_write=True)
    return [""] if roots is None else list(roots)


def missing_years_for(user, calendar: WorkingCalendar | None = None) -> list[int]:
    """Years within the lookahead whose counting is provisional somewhere in the user's area."""
    calendar = calendar or WorkingCalendar()
    years = lookahead_years()
    missing: set[int] = set()
    for path in home_paths(user):
        missing.update(years_missing_holiday_data(years, region=path, calendar=calendar))
    return sorted(missing)
