"""The suggestions' part of the home page's workbench (see core/workbench.py).

Every count is the length of the list its link opens: staff and deputies' counts
run the inbox's own filter (`filters.inbox_rows`) on the link's parameters, a unit
clerk's the unit queue's selector with the link's `state`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workbench import Item, link

from . import selectors
from .filters import inbox_rows

# (label, inbox parameters, tone) for congress staff.
STAFF_ITEMS = (
    (_("待受理"), {"status": "submitted"}, ""),
    (_("待交办"), {"status": "accepted"}, ""),
    (_("承办单位退回"), {"returned": "true"}, ""),
    (_("答复已超期"), {"overdue": "true"}, "alert"),
    (_("3个工作日内到期"), {"due": "3wd"}, ""),
)

DEPUTY_ITEMS = (
    (_("经我反映、尚未办结"), {"open": "true"}, ""),
    # Answered by the handling unit, waiting for the follow-up rating (回访评价), which
    # the deputy may record after calling the citizen (`can_follow_up_suggestion`).
    (_("已答复、待回访评价"), {"status": "replied"}, "alert"),
)

# (label, unit queue state, tone) for a unit's clerk.
UNIT_ITEMS = (
    (_("待签收"), "pending", ""),
    (_("待答复"), "acknowledged", ""),
    (_("已超期"), "overdue", "alert"),
    (_("退回重新办理"), "reopened", ""),
)


def _inbox_items(user, table) -> list[Item]:
    items = []
    for label, params, tone in table:
        _filter, rows = inbox_rows(user, params)
        items.append(Item(label, rows.count(), link("suggestions:inbox", params), tone))
    return items


def staff_items(user) -> list[Item]:
    return _inbox_items(user, STAFF_ITEMS)


def deputy_items(user) -> list[Item]:
    return _inbox_items(user, DEPUTY_ITEMS)


def unit_items(user) -> list[Item]:
    items = []
    units = selectors.units_of(user)
    for unit in units:
        for label, state, tone in UNIT_ITEMS:
            count = selectors.unit_queue(user, unit, state=state).count()
            shown = f"{unit.name} · {label}" if len(units) > 1 else label
            items.append(
                Item(
                    shown,
                    count,
                    link("suggestions:unit_detail", {"state": state}, unit_pk=unit.pk),
                    tone,
                )
            )
    return items
