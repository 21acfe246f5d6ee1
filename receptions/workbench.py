"""The reception schedule's part of the home page's workbench (see core/workbench.py).

Each count is the number of rows of the page its link opens: reception days are the
schedule page's rows (`selectors.schedule_days` on the link's `start`/`end`), the
receptions still to log are the missed-duty page's lines (`duties.selectors.missed_lines`
on the link's `start`/`end`).
"""

from __future__ import annotations

import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import clock
from core.workbench import Item, link
from stations.models import Station

from .selectors import schedule_days

UPCOMING_DAYS = 30
# How far back a station officer is reminded of reception days nobody logged.
TO_LOG_DAYS = 30
# Deputies named under a count; more are summed up.
NAMES_SHOWN = 4


def _names(days) -> str:
    """The deputies on duty on these days, in order, without repeats."""
    names = list(dict.fromkeys(deputy.name for day in days for deputy in day.deputies))
    if len(names) > NAMES_SHOWN:
        return gettext("%(names)s等%(n)s位代表") % {
            "names": "、".join(names[:NAMES_SHOWN]),
            "n": len(names),
        }
    return "、".join(names)


def _days(user, start: datetime.date, end: datetime.date):
    params = {"start": start.isoformat(), "end": end.isoformat()}
    stations = Station.objects.visible_to(user)
    days = schedule_days(user, stations, params, today=clock.today())[0]
    return days, link("receptions:schedule", params)


def _to_log(user, today: datetime.date) -> Item:
    from duties.selectors import missed_lines

    params = {
        "start": (today - datetime.timedelta(days=TO_LOG_DAYS)).isoformat(),
        "end": (today - datetime.timedelta(days=1)).isoformat(),
    }
    # The missed-duty page's stations: the active ones the user sees.
    stations = Station.objects.visible_to(user).filter(status=Station.Status.ACTIVE)
    lines = missed_lines(stations, params, today=today)[0]
    return Item(
        _("待补登的接待"),
        len(lines),
        link("duties:missed", params),
        "alert",
        _("近30天有值班安排、未登记接待的日子"),
    )


def station_items(user) -> list[Item]:
    today = clock.today()
    monday = today - datetime.timedelta(days=today.weekday())
    today_days, today_url = _days(user, today, today)
    week_days, week_url = _days(user, monday, monday + datetime.timedelta(days=6))
    return [
        Item(_("今天的接待日"), len(today_days), today_url, note=_names(today_days)),
        Item(_("本周的接待日"), len(week_days), week_url, note=_names(week_days)),
        _to_log(user, today),
    ]


def deputy_items(user) -> list[Item]:
    today = clock.today()
    days, url = _days(user, today, today + datetime.timedelta(days=UPCOMING_DAYS))
    note = ""
    if days:
        first = days[0]
        # "n月j日" without a leading zero; English reads "F j".
        when = (
            gettext("今天") if first.date == today else date_format(first.date, gettext("n月j日"))
        )
        note = gettext("下次：%(date)s %(station)s") % {"date": when, "station": first.station.name}
    return [Item(_("未来30天的接待日"), len(days), url, note=note)]
