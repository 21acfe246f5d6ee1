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

import functools
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.module_loading import import_string


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
    # A model with a rule of its own (accounts: who may manage whom) names a function
    # (queryset, scope, for_write) -> queryset instead of fields.
    custom: Callable | None = None


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


def minimal_roots(paths) -> tuple[str, ...]:
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
    scope = _builder()(user)
    user._tenancy_scope = scope
    return scope


@functools.cache
def _builder() -> Callable[[object], Scope]:
    """The function that turns a user's role assignments into a Scope (TENANCY_SCOPE_BUILDER).

    It lives with the accounts, which know the roles; this module knows only grants.
    """
    return import_string(settings.TENANCY_SCOPE_BUILDER)


def forget_scope(user) -> None:
    user.__dict__.pop("_tenancy_scope", None)


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
    return restrict_to(queryset, scope_of(user), for_write=for_write)


def region_scope(path: str) -> Scope:
    """The scope of a region subtree, for a caller that is not a user (a client system)."""
    grants = Grants(region_paths=(path,))
    return Scope(read=grants, write=grants)


def restrict_to(queryset: models.QuerySet, scope: Scope, *, for_write: bool = False):
    """Narrow a queryset to what `scope` grants (the same rule as `restrict`)."""
    if scope.everything:
        return queryset
    model = queryset.model
    rule: TenancyRule = getattr(model, "tenancy_rule", None)
    if rule is None:
        raise TypeError(f"{model._meta.label} declares no tenancy_rule")
    if rule.custom is not None:
        return rule.custom(queryset, scope, for_write=for_write)
    condition = grants_q(model, rule, scope.write if for_write else scope.read)
    if condition is None:
        return queryset.none()
    return queryset.filter(condition)


def restrict_to_account_admin_area(queryset: models.QuerySet, user) -> models.QuerySet:
    """Rows inside the subtrees where `user` administers accounts (for role pickers)."""
    scope = scope_of(user)
    if scope.everything:
        return queryset
    rule: TenancyRule = queryset.model.tenancy_rule
    condition = grants_q(queryset.model, rule, Grants(region_paths=scope.account_admin_paths))
    return queryset.none() if condition is None else queryset.filter(condition)


def root_paths(user, *, for_write: bool = False) -> tuple[str, ...] | None:
    """The tops of the region subtrees a user sees (or writes); None means everything."""
    scope = scope_of(user)
    if scope.everything:
        return None
    return (scope.write if for_write else scope.read).region_paths


def deepest_root(user, path: str, *, for_write: bool = True) -> str | None:
    """The longest of the user's region roots covering `path`: the level they act for there."""
    roots = root_paths(user, for_write=for_write) or ()
    covering = [root for root in roots if path.startswith(root)]
    return max(covering, key=len) if covering else None


def granted_ids(user, kind: str, *, for_write: bool = True) -> frozenset[int]:
    """The stations, units or deputies (`kind`) a user holds a grant on."""
    scope = scope_of(user)
    grants = scope.write if for_write else scope.read
    return {"station": grants.station_ids, "unit": grants.unit_ids, "deputy": grants.deputy_ids}[
        kind
    ]


def covers(user, path: str, *, for_write: bool = False) -> bool:
    """Whether one of the user's region subtrees contains `path`."""
    return scope_of(user).covers_path(path, for_write=for_write)


def sees_only_own_record(user) -> bool:
    """Neither a region nor a station to look after: a deputy, a clerk, or nobody.

    Their directory pages (stations, deputies, registers) are their own record.
    """
    scope = scope_of(user)
    return not (scope.everything or scope.read.region_paths or scope.read.station_ids)
