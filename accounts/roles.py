"""Roles and role groups, declared once.

Every "who may act" rule of the apps (their `permissions.py`) is built from these
groups and from the tenancy scope; no other module compares roles itself (a test in
tests/foundation/test_layers.py fails when one does).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a person does in the portal; each assignment binds it to a place."""

    SYSADMIN = "sysadmin", _("系统管理员")  # administers accounts and settings in its region
    CITY_STAFF = "city_staff", _("市人大工作人员")
    COUNTY_STAFF = "county_staff", _("县区人大工作人员")
    TOWNSHIP_STAFF = "township_staff", _("乡镇街道人大工作人员")
    STATION_OFFICER = "station_officer", _("联络站联络员")  # keeps one station's ledgers
    DEPUTY = "deputy", _("人大代表")  # sees own record and what came through own code
    UNIT_CLERK = "unit_clerk", _("承办单位经办人")  # acts on items assigned to the unit
    LEADER = "leader", _("领导")  # reads dashboards of the region, writes nothing


# The level of region each congress-staff role is bound to.
STAFF_ROLE_LEVEL = {
    Role.CITY_STAFF: "city",
    Role.COUNTY_STAFF: "county",
    Role.TOWNSHIP_STAFF: "township",
}
# Congress staff of a level: keep the records of their region and everything below.
CONGRESS_STAFF = frozenset(STAFF_ROLE_LEVEL)
# Staff who write in a region: congress staff and the system administrator.
STAFF = frozenset({*CONGRESS_STAFF, Role.SYSADMIN})
# Roles bound to a region of any level (above village) rather than a fixed one.
LEVEL_ROLES = frozenset({Role.SYSADMIN, Role.LEADER})
# Roles whose grant is a region subtree.
REGION_ROLES = frozenset({*LEVEL_ROLES, *CONGRESS_STAFF})
# Who reads a region's figures, ledgers and overviews: staff and leaders.
REGION_READERS = frozenset({*STAFF, Role.LEADER})
# Roles that read but never write.
READ_ONLY_ROLES = frozenset({Role.LEADER})
# Who manages accounts inside their region.
ACCOUNT_ADMIN_ROLES = frozenset({Role.SYSADMIN, *CONGRESS_STAFF})
# Everyone who works at a station or on its registers.
STATION_PEOPLE = frozenset({Role.STATION_OFFICER, Role.DEPUTY})


def holds(user, roles) -> bool:
    """Whether `user` holds any of `roles` (a superuser holds every role)."""
    from tenancy.scope import scope_of

    return scope_of(user).has_role(*roles)


def is_sysadmin(user) -> bool:
    return holds(user, {Role.SYSADMIN})


def is_staff(user) -> bool:
    """Congress staff or a system administrator (not leaders, officers, deputies, clerks)."""
    return holds(user, STAFF)


def is_region_reader(user) -> bool:
    """Staff or a leader: reads a region's figures."""
    return holds(user, REGION_READERS)


def is_unit_clerk_only(user) -> bool:
    """A user whose only way into the portal is a handling unit."""
    from tenancy.scope import scope_of

    scope = scope_of(user)
    return not scope.everything and scope.roles == frozenset({Role.UNIT_CLERK})
