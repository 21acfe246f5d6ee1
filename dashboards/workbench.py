"""A leader's part of the home page's workbench: the year's four headline figures of the
region, with last year's same days beside them, and the overdue count, each linking to
the region's dashboard for the year. The figures are the dashboard's own
(`selectors.dashboard`), so the page a click opens shows the same numbers.
"""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _

from core import clock
from core.workbench import Item, link

from . import selectors
from .periods import Period, year_period

HEADLINES = (
    ("duty_visits", _("代表进站履职（人次）")),
    ("people", _("接待群众（人次）")),
    ("received", _("收到意见建议（条）")),
    ("solved", _("推动解决问题（个）")),
)


def _same_days_last_year(today: datetime.date) -> Period:
    try:
        end = today.replace(year=today.year - 1)
    except ValueError:  # 29 February
        end = today.replace(year=today.year - 1, day=28)
    return Period("custom", datetime.date(end.year, 1, 1), end)


def leader_items(user) -> list[Item]:
    region = selectors.default_region(user)
    if region is None:
        return []
    today = clock.today()
    year = year_period(today.year)
    slice_ = selectors.Slice(region=region)
    dash = selectors.dashboard(slice_, year, today=today)
    before = selectors.dashboard(slice_, _same_days_last_year(today), today=today)
    url = link("dashboards:region", year.params(), region_code=region.code)
    items = []
    for key, label in HEADLINES:
        now, then = dash.totals[key], before.totals[key]
        if now > then:
            trend = _("比去年同期多 %(n)s") % {"n": now - then}
        elif now < then:
            trend = _("比去年同期少 %(n)s") % {"n": then - now}
        else:
            trend = _("与去年同期持平")
        items.append(Item(label, now, url, note=trend))
    items.append(
        Item(_("当前超期未办（件）"), dash.totals["overdue"], url, "alert", _("到统计看板查看"))
    )
    return items
