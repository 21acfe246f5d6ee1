"""Citizens' bookings (扫码有约) on a station officer's workbench (see core/workbench.py).

Each count is the length of the booking list its link opens: both read
`selectors.booking_rows` with the link's `status`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workbench import Item, link

from .models import Booking
from .selectors import booking_rows

# (label, the list's status, tone, note)
STATION_ITEMS = (
    (_("待确认的预约"), Booking.Status.REQUESTED, "alert", _("群众预约见代表，请确认或另约时间")),
    (_("已确认、待接待的预约"), Booking.Status.CONFIRMED, "", _("接待后登记到场或未到场")),
)


def station_items(user) -> list[Item]:
    visible = Booking.objects.visible_to(user)
    items = []
    for label, status, tone, note in STATION_ITEMS:
        params = {"status": status.value}
        count = booking_rows(visible, params).count()
        items.append(Item(label, count, link("appointments:bookings", params), tone, note))
    return items
