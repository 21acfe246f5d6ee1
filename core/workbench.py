"""The home page's workbench: what each role has to do today, as counts that link to lists.

An app registers its part in its `AppConfig.ready()`:

    register_item(
        "suggestions.staff",
        roles=STAFF,
        order=10,
        items=suggestions.workbench.staff_items,   # (user) -> list[Item]
    )

Each `Item` is a label, a count and the link to the list it counts. The count is read
through the same filter or selector the linked list uses (with the same parameters),
so the number on the home page is the length of the list a click opens. Each
function reads in a constant number of queries; "overdue" and "due soon" come from
the models' `core.due.DueRule`s, "today" from `core.clock`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.functional import Promise

from tenancy.scope import scope_of


@dataclass(frozen=True)
class Item:
    label: str | Promise
    count: int | str
    url: str
    # "alert": shown as needing attention when the count is not zero (overdue...).
    tone: str = ""
    note: str | Promise = ""


@dataclass(frozen=True)
class Group:
    name: str
    roles: tuple[str, ...]
    order: int
    title: str | Promise
    items: Callable


_GROUPS: dict[str, Group] = {}


def register_item(
    name: str, *, roles, title: str | Promise, items: Callable, order: int = 50
) -> None:
    """Register a group of workbench items shown to users holding one of `roles`."""
    _GROUPS[name] = Group(name=name, roles=tuple(roles), order=order, title=title, items=items)


def link(url_name: str, params: dict | None = None, **kwargs) -> str:
    """A list's URL with its own filter parameters (empty values left out)."""
    query = urlencode({k: v for k, v in (params or {}).items() if v not in (None, "")})
    return reverse(url_name, kwargs=kwargs or None) + (f"?{query}" if query else "")


def workbench_for(user) -> list[tuple[str | Promise, list[Item]]]:
    """(title, items) of every group the user's roles see, in order; empty groups left out."""
    scope = scope_of(user)
    shown = []
    for group in sorted(_GROUPS.values(), key=lambda g: (g.order, g.name)):
        if not scope.has_role(*group.roles):
            continue
        items = group.items(user)
        if items:
            shown.append((group.title, items))
    return shown
