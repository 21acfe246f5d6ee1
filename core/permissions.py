"""Who sees personal phone numbers in full (the one rule; see core/phones.py)."""

from django.conf import settings

from accounts.roles import STAFF, holds
from tenancy.scope import scope_of


def shows_full_phones(user) -> bool:
    """Whether `user` holds a role of settings.PHONES_SHOWN_IN_FULL (none by default)."""
    roles = set(getattr(settings, "PHONES_SHOWN_IN_FULL", ()) or ())
    if user is None or not getattr(user, "is_authenticated", False) or not roles:
        return False
    return holds(user, roles)


def may_export_full_phones(user) -> bool:
    """Order an export with full numbers (audited, with a reason): staff who write somewhere.
    Leaders, officers, deputies and clerks export masked numbers only."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    scope = scope_of(user)
    return scope.everything or (scope.has_role(*STAFF) and bool(scope.write.region_paths))
