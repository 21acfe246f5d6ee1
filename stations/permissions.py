"""Who may change stations and deputies, on top of the tenancy gate.

The gate (`tenancy.access`) decides which rows a user sees and which of those lie
in their write scope. Stations, deputies and their ratings and groups are kept by
congress staff; a station's liaison officer and a deputy only read them, and a
leader reads everything in the region.
"""

from django.core.exceptions import PermissionDenied

from accounts.roles import STAFF
from tenancy.scope import scope_of


def is_staff_writer(user) -> bool:
    """Congress staff (or a system administrator) with somewhere to write."""
    scope = scope_of(user)
    return scope.everything or (scope.has_role(*STAFF) and bool(scope.write.region_paths))


def require_staff_writer(user) -> None:
    if not is_staff_writer(user):
        raise PermissionDenied


def ensure_region_writable(actor, region) -> None:
    """Refuse unless `actor` is staff whose write scope covers `region`."""
    scope = scope_of(actor)
    if not is_staff_writer(actor) or not scope.covers_path(region.path, for_write=True):
        raise PermissionDenied


def shows_full_phones(user) -> bool:
    """Whether personal phone numbers appear in full: the one rule of core/phones.py."""
    from core.permissions import shows_full_phones as rule

    return rule(user)


def can_reveal_deputy_phone(actor, deputy) -> bool:
    """A deputy's private number in full (audited): staff whose write scope covers the
    deputy, and the deputy themselves."""
    from tenancy.access import can_write

    own = deputy.user_id is not None and deputy.user_id == getattr(actor, "pk", None)
    return own or (is_staff_writer(actor) and can_write(actor, deputy))
