"""The tenancy rule, in one place.

Who may see which rows: staff and leaders see their region and everything under it;
a station liaison officer sees their station (and its points); a deputy sees their
own record; a handling-unit clerk sees their unit's work; leaders read but never
write; a row owned by one person (a background job) is seen by that person only.
Models say which of their fields carry a region path, a station, a unit, a deputy
or an owner (`TenancyRule`); this module turns a user's roles into one filter over
them.
Nothing else in the code base may decide visibility.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q


@dataclass(frozen=True)
class TenancyRule:
    """Which fields of a model place a row in the tenancy tree.

    Each value is a field path, or None when the model has no such link. A path
    through a many-valued relation (containing "__") is filtered by subquery so that
    rows are never duplicated.
    """

    region: str | None = "region_path"
    station: str | None = None
    unit: str | None = None
    deputy: str | None = None
    # A user field (e.g. "created_by_id") for rows that belong to one person, such
    # as background jobs: every signed-in user is granted the rows they own.
    owner: str | None = None
    # Extra conditions on the row reached through `station` (a callable returning a
    # Q, evaluated per query, e.g. "the membership is still running"); applied in
    # the same filter() as the link so both refer to the same related row.
    station_condition: Callable[[], Q] | None = None
    # The same for `unit` (e.g. "the assignment was not returned or withdrawn").
    unit_condition: Callable[[], Q] | None = None


@dataclass(frozen=True)
class Grants:
    region_paths: tuple[str, ...] = ()
    station_ids: frozenset[int] = frozenset()
    unit_ids: frozenset[int] = frozenset()
    deputy_ids: frozenset[int] = frozenset()
    # The user's own id, matched against `TenancyRule.owner`. Owning rows is not a
    # grant over the tenancy tree, so it does not make the grants truthy: a leader
    # who starts an export is still read-only everywhere.
    owner_id: int | None = None

    def __bool__(self) -> bool:
        return bool(self.region_paths or self.station_ids or self.unit_ids or self.deputy_ids)


@dataclass(frozen=True)
class Scope:
    """What one user may see (`read`) and change (`write`)."""

    everything: bool = False
    read: Grants = field(default_factory=Grants)
    write: Grants = field(default_factory=Grants)
    roles: frozenset[str] = frozenset()
    account_admin_paths: tuple[str, ...] = ()

    @property
    def read_only_somewhere(self) -> bool:
        return self.read != self.write

    def has_role(self, *roles: str) -> bool:
        return self.everything or bool(self.roles.intersection(roles))

    def covers_path(self, path: str, *, for_write: bool = False) -> bool:
        if self.everything:
            return True
        grants = self.write if for_write else self.read
        return any(path.startswith(root) for root in grants.region_paths)


EMPTY_SCOPE = Scope()


def _minimal_roots(paths) -> tuple[str, ...]:
    """Drop paths already covered by a shorter one, so filters stay small."""
    roots: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(root) for root in roots):
            roots.append(path)
    return tuple(sorted(roots))


def scope_of(user) -> Scope:
    """The user's scope, computed once per user object (a request's user)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return EMPTY_SCOPE
    cached = getattr(user, "_tenancy_scope", None)
    if cached is not None:
        return cached
    scope = _compute_scope(user)
    user._tenancy_scope = scope
    return scope


def forget_scope(user) -> None:
    user.__dict__.pop("_tenancy_scope", None)


def _compute_scope(user) -> Scope:
    from accounts.models import ACCOUNT_ADMIN_ROLES, READ_ONLY_ROLES, REGION_ROLES, Role
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
        station_ids.update(
            Station.objects.filter(parent_id__in=station_ids).values_list("pk", flat=True)
        )
    deputy_ids: set[int] = set()
    if Role.DEPUTY in roles:
        deputy_ids.update(Deputy.objects.filter(user=user).values_list("pk", flat=True))
    # Station, unit and deputy grants come from roles that write.
    write = Grants(
        _minimal_roots(write_paths),
        frozenset(station_ids),
        frozenset(unit_ids),
        frozenset(deputy_ids),
        owner_id=user.pk,
    )
    read = Grants(
        _minimal_roots(read_paths),
        write.station_ids,
        write.unit_ids,
        write.deputy_ids,
        owner_id=user.pk,
    )
    return Scope(
        read=read,
        write=write,
        roles=roles,
        account_admin_paths=_minimal_roots(admin_paths),
    )


def _link_q(model, field_path: str, ids, condition: Q | None = None) -> Q:
    if "__" in field_path:
        link = Q(**{f"{field_path}__in": ids})
        if condition is not None:
            link &= condition
        sub = model._default_manager.filter(link).values("pk")
        return Q(pk__in=sub)
    return Q(**{f"{field_path}__in": ids})


def grants_q(model, rule: TenancyRule, grants: Grants) -> Q | None:
    """The filter a set of grants puts on a model, or None when it grants nothing."""
    parts: list[Q] = []
    if rule.region and grants.region_paths:
        for root in grants.region_paths:
            parts.append(Q(**{f"{rule.region}__startswith": root}))
    station_condition = rule.station_condition() if rule.station_condition else None
    unit_condition = rule.unit_condition() if rule.unit_condition else None
    for field_path, ids, condition in (
        (rule.station, grants.station_ids, station_condition),
        (rule.unit, grants.unit_ids, unit_condition),
        (rule.deputy, grants.deputy_ids, None),
    ):
        if field_path and ids:
            parts.append(_link_q(model, field_path, sorted(ids), condition))
    if rule.owner and grants.owner_id is not None:
        parts.append(Q(**{rule.owner: grants.owner_id}))
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def restrict(queryset: models.QuerySet, user, *, for_write: bool = False) -> models.QuerySet:
    """Narrow a queryset to the rows the user may see (or change, with for_write)."""
    scope = scope_of(user)
    if scope.everything:
        return queryset
    model = queryset.model
    if model._meta.label == "accounts.User":
        return _restrict_users(queryset, scope)
    rule: TenancyRule = getattr(model, "tenancy_rule", None)
    if rule is None:
        raise TypeError(f"{model._meta.label} declares no tenancy_rule")
    condition = grants_q(model, rule, scope.write if for_write else scope.read)
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)


def _restrict_users(queryset: models.QuerySet, scope: Scope) -> models.QuerySet:
    """Accounts an administrator may manage: every role of theirs lies in the admin's subtree.

    An account with any role above or beside the administrator's region is out of
    reach, and so is a superuser. Only a system administrator manages system
    administrators: congress staff rank below them even inside their own region.
    """
    from accounts.models import Role, RoleAssignment

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


def restrict_to_account_admin_area(queryset: models.QuerySet, user) -> models.QuerySet:
    """Rows inside the subtrees where `user` administers accounts (for role pickers)."""
    scope = scope_of(user)
    if scope.everything:
        return queryset
    rule: TenancyRule = queryset.model.tenancy_rule
    condition = grants_q(queryset.model, rule, Grants(region_paths=scope.account_admin_paths))
    return queryset.none() if condition is None else queryset.filter(condition)


def region_choices(user, *, for_write: bool = True) -> models.QuerySet:
    """Regions a user may pick in a form or filter."""
    from regions.models import Region

    return restrict(Region.objects.all(), user, for_write=for_write)
