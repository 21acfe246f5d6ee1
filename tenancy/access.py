"""Fetch one object for a user, or answer as if it did not exist."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.http import Http404

from .scope import restrict, scope_of


def access_object(
    queryset: models.QuerySet | type[models.Model],
    user,
    value,
    *,
    field: str = "pk",
    for_write: bool = False,
):
    """Return the object with `field == value` if `user` may see it.

    Anything outside the user's scope raises Http404, exactly like a missing row,
    so a user cannot tell the two apart. An object the user may read but not
    change (a leader's view) raises PermissionDenied when `for_write` is set.
    """
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    try:
        obj = restrict(queryset, user).get(**{field: value})
    except (queryset.model.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
    if for_write and not can_write(user, obj):
        raise PermissionDenied
    return obj


def can_write(user, obj: models.Model) -> bool:
    scope = scope_of(user)
    if scope.everything or not scope.read_only_somewhere:
        return bool(scope.everything or scope.write)
    model = type(obj)
    return restrict(model._default_manager.filter(pk=obj.pk), user, for_write=True).exists()
