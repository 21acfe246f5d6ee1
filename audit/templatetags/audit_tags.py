"""How the change history is shown: personal data masked for roles that do not need it."""

from django import template

from accounts.roles import is_sysadmin
from core.masking import mask_phone
from core.permissions import shows_full_phones

register = template.Library()


def _masked(field: str, value):
    if "phone" in field and isinstance(value, str):
        return mask_phone(value)
    return value


@register.simple_tag
def visible_changes(record, user):
    """[(field, before, after)] with phone numbers masked unless the viewer's role shows
    them in full (core/phones.py)."""
    full = shows_full_phones(user)
    rows = []
    for field, change in (record.changes or {}).items():
        before, after = (change + [None, None])[:2] if isinstance(change, list) else (None, change)
        if not full:
            before, after = _masked(field, before), _masked(field, after)
        rows.append((field, before, after))
    return rows


@register.filter
def may_see_ips(user) -> bool:
    return is_sysadmin(user)
