"""Who keeps the working-day calendar.

System administrators manage holidays and make-up days for their region and below
(a minority region's own holidays); national rows are a superuser's. Everyone reads
the calendar that applies to them.
"""

from __future__ import annotations

from accounts.roles import is_sysadmin
from tenancy.scope import covers, root_paths


def may_manage_calendar(user) -> bool:
    """Whether `user` may open the calendar administration pages at all."""
    return is_sysadmin(user)


def may_write_region(user, region) -> bool:
    """Whether `user` may add or change rows for `region` (None: national)."""
    if root_paths(user) is None:  # a superuser
        return True
    if not is_sysadmin(user) or region is None:
        return False
    return covers(user, region.path, for_write=True)
