"""The reception schedule's part of the home page's workbench (see core/workbench.py).

Each count is the number of rows of the schedule page its link opens
(`selectors.schedule_days` on the link's `start`/`end`).
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _

from core import clock
from core.workbench import Item, link
from stations.models import Station

from .selectors import schedule_days

UPCOMING_DAYS = 30


def _item(user, label, start: datetime.date, end: datetime.date) -> Item:
    params = {"start": start.isoformat(), "end": end.isoformat()}
    stations = Station.objects.visible_to(user)
    days = schedule_days(user, stations, params, today=clock.today())[0]
    return Item(label, len(days), link("receptions:schedule", params))


def station_items(user) -> list[Item]:
    today = clock.today()
    monday = today - datetime.timedelta(days=today.weekday())
    return [
        _item(user, _("今天的接待日"), today, today),
        _item(user, _("本周的接待日"), monday, monday + datetime.timedelta(days=6)),
    ]


def deputy_items(user) -> list[Item]:
    today = clock.today()
    return [
        _item(user, _("未来30天的接待日"), today, today + datetime.timedelta(days=UPCOMING_DAYS)),
    ]
