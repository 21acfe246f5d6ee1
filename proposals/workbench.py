"""A deputy's formal suggestions (代表建议) on the home page's workbench (see core/workbench.py).

The count is the length of the proposal list its link opens: both read
`selectors.filter_list` with the link's `to_rate`.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.workbench import Item, link

from .selectors import filter_list, proposals_for


def deputy_items(user) -> list[Item]:
    params = {"to_rate": "1"}
    count = filter_list(proposals_for(user), params, user=user).count()
    return [
        Item(
            _("答复待我评价"),
            count,
            link("proposals:list", params),
            "alert",
            _("承办单位已答复我领衔的建议"),
        )
    ]
