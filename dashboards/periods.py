"""The period a dashboard or a ledger covers: a month, a quarter, a year or a custom range.

Read from GET parameters (`period=month&year=2026&month=3`, `period=quarter&year=2026&
quarter=1`, `period=year&year=2026`, `period=custom&start=2026-01-05&end=2026-02-10`);
anything missing or malformed falls back to the current year, so a link never fails.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

KINDS = ("month", "quarter", "year", "custom")
# A custom range longer than this is cut: figures over decades are not a dashboard.
MAX_DAYS = 3 * 366


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(day: datetime.date) -> datetime.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` after `day`'s month."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    """First days of every month from `start`'s to `end`'s, inclusive."""
    months, current = [], month_start(start)
    while current <= end:
        months.append(current)
        current = add_months(current, 1)
    return months


@dataclass(frozen=True)
class Period:
    kind: str
    start: datetime.date
    end: datetime.date

    @property
    def label(self) -> str:
        if self.kind == "year":
            return _("%(year)s年") % {"year": self.start.year}
        if self.kind == "quarter":
            return _("%(year)s年第%(q)s季度") % {
                "year": self.start.year,
                "q": (self.start.month - 1) // 3 + 1,
            }
        if self.kind == "month":
            return _("%(year)s年%(month)s月") % {"year": self.start.year, "month": self.start.month}
        return _("%(start)s至%(end)s") % {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        }

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def params(self) -> dict[str, str]:
        """GET parameters that give this period back (for links and forms)."""
        if self.kind == "year":
            return {"period": "year", "year": str(self.start.year)}
        if self.kind == "quarter":
            quarter = (self.start.month - 1) // 3 + 1
            return {"period": "quarter", "year": str(self.start.year), "quarter": str(quarter)}
        if self.kind == "month":
            return {
                "period": "month",
                "year": str(self.start.year),
                "month": str(self.start.month),
            }
        return {"period": "custom", "start": self.start.isoformat(), "end": self.end.isoformat()}

    def shifted(self, steps: int) -> Period | None:
        """The same kind of period `steps` earlier (<0) or later; None for custom ranges."""
        if self.kind == "year":
            return year_period(self.start.year + steps)
        if self.kind == "quarter":
            return quarter_period(add_months(self.start, 3 * steps))
        if self.kind == "month":
            return month_period(add_months(self.start, steps))
        return None

    def trend_months(self) -> list[datetime.date]:
        """Months the trend chart shows: the period's, or the 12 ending with it if shorter."""
        months = months_between(self.start, self.end)
        if len(months) >= 12:
            return months
        return months_between(add_months(self.end, -11), self.end)


def year_period(year: int) -> Period:
    return Period("year", datetime.date(year, 1, 1), datetime.date(year, 12, 31))


def quarter_period(day: datetime.date) -> Period:
    first = datetime.date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return Period("quarter", first, month_end(add_months(first, 2)))


def month_period(day: datetime.date) -> Period:
    return Period("month", month_start(day), month_end(day))


def _int(value, low: int, high: int) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def _date(value) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value or "")
    except (TypeError, ValueError):
        return None


def parse_period(params, *, today: datetime.date) -> Period:
    """The period the GET parameters name; the current year when they name none."""
    kind = params.get("period") or "year"
    year = _int(params.get("year"), 2000, 2100) or today.year
    if kind == "month":
        month = _int(params.get("month"), 1, 12) or today.month
        return month_period(datetime.date(year, month, 1))
    if kind == "quarter":
        quarter = _int(params.get("quarter"), 1, 4) or (today.month - 1) // 3 + 1
        return quarter_period(datetime.date(year, quarter * 3 - 2, 1))
    if kind == "custom":
        start, end = _date(params.get("start")), _date(params.get("end"))
        if start and end:
            if end < start:
                start, end = end, start
            end = min(end, start + datetime.timedelta(days=MAX_DAYS - 1))
            return Period("custom", start, end)
    return year_period(year)
