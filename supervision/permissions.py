"""Who may supervise (督办), on top of the tenancy gate.

- supervise a suggestion by hand: region staff (city, county, township staff,
  sysadmin; not leaders) whose region covers the open suggestion, at their own
  congress level;
- mark or unmark key supervision: staff of the supervising level or above;
- read the supervision queue: staff and leaders with a region;
- see the periodic schedules: system administrators.
"""

from __future__ import annotations

from accounts.roles import is_sysadmin
from suggestions.permissions import is_region_staff
from tenancy.scope import deepest_root, root_paths, scope_of


def can_escalate_suggestion(actor, suggestion) -> bool:
    return suggestion.is_open and is_region_staff(actor, suggestion)


def own_level_path(actor, suggestion) -> str | None:
    """The region path at which `actor` would supervise the suggestion (None: not known yet)."""
    return deepest_root(actor, suggestion.region_path)


def can_mark_key_supervision(actor, supervision) -> bool:
    return scope_of(actor).covers_path(supervision.region_path, for_write=True)


def can_read_supervision_queue(user) -> bool:
    roots = root_paths(user)
    return roots is None or bool(roots)


def can_see_schedules(user) -> bool:
    return is_sysadmin(user)
