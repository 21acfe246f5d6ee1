"""How the change history is shown: personal data masked for roles that do not need it."""

from django import template

from accounts.models import Role
from core.masking import mask_phone
from tenancy.scope import scope_of

register = template.Library()

# Roles that work with people's contact details and may read them in a history.
FULL_DETAIL_ROLES = (Role.SYSADMIN, Role.CITY_STAFF, Role.COUNTY_STAFF, Role.TOWNSHIP_STAFF)


def _masked(field: str, value):
    if "phone" in field and isinstance(value, str):
        return mask_phone(value)
    return value


@register.simple_tag
def visible_changes(record, user):
    """[(field, before, after)] with phone numbers masked unless the viewer is staff."""
    full = scope_of(user).has_role(*FULL_DETAIL_ROLES)
    rows = []
    for field, change in (record.changes or {}).items():
        before, after = (change + [None, None])[:2] if isinstance(change, list) else (None, change)
        if not full:
            before, after = _masked(field, before), _masked(field, after)
        rows.append((field, before, after))
    return rows


@register.filter
def may_see_ips(user) -> bool:
    return scope_of(user).has_role(Role.SYSADMIN)
