"""Who holds a role where: the people a notice goes to."""

from __future__ import annotations

from collections.abc import Iterable

from .models import User
from .roles import Role


def clerks_of_units(unit_ids: Iterable[int]):
    """Active clerks of the given handling units."""
    return User.objects.filter(
        is_active=True,
        role_assignments__role=Role.UNIT_CLERK,
        role_assignments__unit_id__in=list(unit_ids),
    ).distinct()


def officers_of_stations(station_ids: Iterable[int]):
    """Active liaison officers of the given stations."""
    return User.objects.filter(
        is_active=True,
        role_assignments__role=Role.STATION_OFFICER,
        role_assignments__station_id__in=list(station_ids),
    ).distinct()


def unit_clerk_assignments(unit):
    """The clerk role rows of one unit, with their users (the unit page lists them)."""
    from .models import RoleAssignment

    return RoleAssignment.objects.filter(role=Role.UNIT_CLERK, unit=unit).select_related("user")


def officer_assignments(station):
    """The liaison-officer role rows of one station, with their users, by name."""
    from .models import RoleAssignment

    return (
        RoleAssignment.objects.filter(role=Role.STATION_OFFICER, station=station)
        .select_related("user")
        .order_by("user__full_name")
    )


def locked_until(user):
    """When django-axes' lock of this account ends, or None when it is not locked."""
    import datetime

    from axes.models import AccessAttempt
    from django.conf import settings
    from django.db.models import Max, Sum

    from core import clock

    if not settings.AXES_COOLOFF_TIME:
        return None
    cool_off = datetime.timedelta(hours=settings.AXES_COOLOFF_TIME)
    figures = AccessAttempt.objects.filter(
        username=user.get_username(), attempt_time__gte=clock.now() - cool_off
    ).aggregate(failures=Sum("failures_since_start"), last=Max("attempt_time"))
    if (figures["failures"] or 0) < settings.AXES_FAILURE_LIMIT:
        return None
    return figures["last"] + cool_off
