"""How the change history is shown: personal data masked for roles that do not need it."""

from django import template
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db.models import BooleanField
from django.utils.translation import gettext as _

from accounts.roles import is_sysadmin
from core.masking import mask_phone
from core.permissions import shows_full_phones

register = template.Library()


def _masked(field: str, value):
    if "phone" in field and isinstance(value, str):
        return mask_phone(value)
    return value


def _model_field(model, name: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _shown(field, value):
    """A stored value as the form shows it: a choice's name, 是/否 for a yes/no."""
    if value is None or value == "":
        return None
    if field is None:
        return value
    choices = dict(field.flatchoices) if field.choices else None
    if choices is not None and not isinstance(value, list):
        return choices.get(value, value)
    if isinstance(field, BooleanField) and isinstance(value, bool):
        return _("是") if value else _("否")
    return value


@register.simple_tag
def visible_changes(record, user):
    """[(label, before, after)]: each field by its form label (verbose name) and each value
    by its choice name, with phone numbers masked unless the viewer's role shows them in
    full (core/phones.py)."""
    full = shows_full_phones(user)
    # get_for_id is cached per process: no query per row.
    model = (
        ContentType.objects.get_for_id(record.content_type_id).model_class()
        if record.content_type_id
        else None
    )
    rows = []
    for name, change in (record.changes or {}).items():
        before, after = (change + [None, None])[:2] if isinstance(change, list) else (None, change)
        if not full:
            before, after = _masked(name, before), _masked(name, after)
        field = _model_field(model, name)
        label = field.verbose_name if field is not None else name
        rows.append((label, _shown(field, before), _shown(field, after)))
    return rows


@register.filter
def may_see_ips(user) -> bool:
    return is_sysadmin(user)
