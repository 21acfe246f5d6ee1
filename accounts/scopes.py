"""How a user's role assignments become a tenancy scope, and who may manage which accounts.

`tenancy.scope` knows grants (region subtrees, stations, units, deputies) and turns
them into filters; this module, which knows the roles, builds the grants
(settings.TENANCY_SCOPE_BUILDER names `build_scope`).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from tenancy.scope import Grants, Scope, minimal_roots

from .roles import ACCOUNT_ADMIN_ROLES, READ_ONLY_ROLES, REGION_ROLES, Role


def build_scope(user) -> Scope:
    """The grants of a signed-in, active user (a superuser sees everything)."""
    from deputies.models import Deputy
    from stations.models import Station

    if user.is_superuser:
        return Scope(everything=True, roles=frozenset(Role.values))

    assignments = list(
        user.role_assignments.values_list("role", "region_path", "station_id", "unit_id")
    )
    roles = frozenset(role for role, *_ in assignments)
    read_paths, write_paths, admin_paths = [], [], []
    station_ids: set[int] = set()
    unit_ids: set[int] = set()
    for role, path, station_id, unit_id in assignments:
        if role in REGION_ROLES:
            read_paths.append(path)
            if role not in READ_ONLY_ROLES:
                write_paths.append(path)
            if role in ACCOUNT_ADMIN_ROLES:
                admin_paths.append(path)
        elif role == Role.STATION_OFFICER and station_id:
            station_ids.add(station_id)
        elif role == Role.UNIT_CLERK and unit_id:
            unit_ids.add(unit_id)
    if station_ids:
        # An officer keeps the station's points ("1+N") too.
        station_ids.update(
            Station.objects.filter(parent_id__in=station_ids).values_list("pk", flat=True)
        )
    deputy_ids: set[int] = set()
    if Role.DEPUTY in roles:
        deputy_ids.update(Deputy.objects.filter(user=user).values_list("pk", flat=True))
    # Station, unit and deputy grants come from roles that write.
    write = Grants(
        minimal_roots(write_paths),
        frozenset(station_ids),
        frozenset(unit_ids),
        frozenset(deputy_ids),
        owner_id=user.pk,
    )
    read = Grants(
        minimal_roots(read_paths),
        write.station_ids,
        write.unit_ids,
        write.deputy_ids,
        owner_id=user.pk,
    )
    return Scope(
        read=read,
        write=write,
        roles=roles,
        account_admin_paths=minimal_roots(admin_paths),
    )


def restrict_users(queryset: models.QuerySet, scope: Scope, *, for_write: bool = False):
    """Accounts an administrator may manage: every role of theirs lies in the admin's subtree.

    An account with any role above or beside the administrator's region is out of
    reach, and so is a superuser. Only a system administrator manages system
    administrators: congress staff rank below them even inside their own region.
    """
    from .models import RoleAssignment

    if not scope.account_admin_paths:
        return queryset.none()
    inside = Q()
    for root in scope.account_admin_paths:
        inside |= Q(region_path__startswith=root)
    outside_users = RoleAssignment.objects.exclude(inside).values("user_id")
    inside_users = RoleAssignment.objects.filter(inside).values("user_id")
    managed = queryset.filter(pk__in=inside_users, is_superuser=False).exclude(pk__in=outside_users)
    if Role.SYSADMIN not in scope.roles:
        admins = RoleAssignment.objects.filter(role=Role.SYSADMIN).values("user_id")
        managed = managed.exclude(pk__in=admins)
    return managed
