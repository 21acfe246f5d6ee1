"""Who reads and keeps the duty records and points.

- a deputy reads their own record; staff, leaders and station officers read the
  records and rankings of what they see (the overview pages);
- point rules are read by staff and leaders and set by congress staff of the region.
"""

from __future__ import annotations

from accounts.roles import REGION_READERS, Role, holds
from tenancy.scope import covers, granted_ids, sees_only_own_record


def can_read_overview(user) -> bool:
    """The lists, rankings and missed-duty pages: staff, leaders and station officers."""
    return not sees_only_own_record(user) and holds(user, REGION_READERS | {Role.STATION_OFFICER})


def can_read_point_rules(user) -> bool:
    return holds(user, REGION_READERS)


def can_manage_points(actor, region) -> bool:
    from stations.permissions import is_staff_writer

    return is_staff_writer(actor) and covers(actor, region.path, for_write=True)


def own_deputy_id(user) -> int | None:
    ids = granted_ids(user, "deputy", for_write=False)
    return min(ids) if ids else None
