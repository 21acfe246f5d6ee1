"""Deadlines of any workflow, counted in Chinese working days or calendar months.

A deadline is a small spec walked from a start date: "wd:10" (10 working days from
the next day), "m:3" (3 calendar months, moved off a holiday), "d:30" (30 calendar
days, moved off a holiday), joined by "+" for
an extension ("m:3+m:3", "wd:10+wd:5"). It is stored with its start and spec, so
when the holiday calendar changes it can be counted again. Every app computes its
deadlines here (suggestions, formal suggestions, plans, appointments...).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core import clock
from regions.models import Region

from .workdays import WorkingCalendar, add_calendar_days, add_calendar_months, add_working_days


@dataclass(frozen=True)
class Deadline:
    """A computed due date with what it needs to be computed again."""

    date: datetime.date
    provisional: bool
    rule: str
    start: datetime.date
    spec: str


def apply_spec(spec: str, start: datetime.date, region: Region | None, calendar=None):
    """Walk a spec's parts from `start`; returns (date, provisional)."""
    calendar = calendar or WorkingCalendar()
    current = start
    provisional = False
    for part in spec.split("+"):
        unit, _sep, amount = part.partition(":")
        if unit == "wd":
            due = add_working_days(current, int(amount), region=region, calendar=calendar)
        elif unit == "m":
            due = add_calendar_months(current, int(amount), region=region, calendar=calendar)
        elif unit == "d":
            due = add_calendar_days(current, int(amount), region=region, calendar=calendar)
        else:
            raise ValueError(f"unknown deadline spec {spec!r}")
        current = due.date
        provisional = provisional or bool(due.provisional)
    return current, provisional


def describe(spec: str) -> str:
    parts = []
    for part in spec.split("+"):
        unit, _sep, amount = part.partition(":")
        if unit == "wd":
            parts.append(_("%(n)s个工作日") % {"n": amount})
        elif unit == "d":
            parts.append(_("%(n)s日") % {"n": amount})
        else:
            parts.append(_("%(n)s个月") % {"n": amount})
    return _("，另延长").join(parts)


def compute(
    *,
    what: str,
    spec: str,
    start: datetime.date,
    region: Region | None,
    source: str,
    calendar=None,
) -> Deadline:
    """A due date for `what` ("答复"...) counted by `spec` from the day after `start`.

    Pass one `calendars.workdays.WorkingCalendar` as `calendar` to count many dates.
    """
    date, provisional = apply_spec(spec, start, region, calendar)
    rule = _("%(what)s：%(start)s起%(span)s（%(source)s）") % {
        "what": what,
        "start": start.isoformat(),
        "span": describe(spec),
        "source": source,
    }
    return Deadline(date=date, provisional=provisional, rule=rule[:200], start=start, spec=spec)


def extend_spec(spec: str, days: int) -> str:
    return f"{spec}+wd:{days}" if spec else f"wd:{days}"


# --- Moving open deadlines when the calendar changes -----------------------------------
#
# A holiday or make-up day entered or removed for any year moves every open deadline
# it affects, in every workflow. Each app that stores deadlines (start + spec) registers
# a mover; `move_open_deadlines` runs them all, in a worker after the calendar change
# commits (`calendars.tasks.move_deadlines`, queued through the outbox), or as a dry run
# for the editor's preview. A mover:
#
#     mover(*, years, region_path, calendar, today, apply) -> int   # deadlines moved
#
# counts again the running deadlines whose start or date falls in `years` under
# `region_path` ("" for a national change), and, when `apply`, writes the new dates,
# records each move on the item's timeline and tells whoever must meet the deadline.
# A deadline already passed (its date before `today`) never moves, and none moves to
# a day before `today`.

Mover = Callable[..., int]
_MOVERS: dict[str, Mover] = {}


def register_mover(name: str, mover: Mover) -> None:
    """Register `mover` (in the app's AppConfig.ready) under a name for reports."""
    _MOVERS[name] = mover


def move_open_deadlines(
    *, years, region_path: str = "", apply: bool = True, today: datetime.date | None = None
) -> dict[str, int]:
    """Run every registered mover; returns {mover name: deadlines moved}."""
    calendar = WorkingCalendar()
    today = today or clock.today()
    years = sorted(set(years))
    return {
        name: mover(
            years=years, region_path=region_path, calendar=calendar, today=today, apply=apply
        )
        for name, mover in sorted(_MOVERS.items())
    }


def not_before(date: datetime.date, today: datetime.date) -> datetime.date:
    """A moved deadline never lands in the past."""
    return max(date, today)
