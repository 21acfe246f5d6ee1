"""Supervision's part of the home page's workbench: the open items of the 督办台账,
counted with the queue's own selector and default filter."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workbench import Item, link

from . import selectors


def staff_items(user) -> list[Item]:
    return [
        Item(
            _("督办中的事项"),
            selectors.queue(user, state=selectors.OPEN).count(),
            link("supervision:queue"),
            "alert",
        )
    ]
