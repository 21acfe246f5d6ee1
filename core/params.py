"""Integer parameters from the outside world (query strings, filters, form fields), bounded.

`str.isdigit()` says yes to "²" and to a hundred digits, and `int()` then either
raises or gives a number no database column holds (SQLite raises OverflowError,
PostgreSQL an out-of-range error): a 500 for a typo in a URL. Every id or small
count a request carries goes through here instead: ASCII digits only, within the
range of a 64-bit key, else "absent" on a page and a field error on the API.
"""

import re

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

MAX_ID = 2**63 - 1  # a bigint primary key
_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_int(value, *, low: int = 0, high: int = MAX_ID) -> int | None:
    """`value` as an int in [low, high], or None (missing, not ASCII digits, out of range)."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value.strip()):
        number = int(value.strip())
    else:
        return None
    return number if low <= number <= high else None


def parse_id(value) -> int | None:
    """A row id from a query string (1 … 2⁶³−1), or None."""
    return parse_int(value, low=1)


class IdField(forms.IntegerField):
    """A form field for a row id: a whole number a primary key can hold."""

    default_error_messages = {
        "invalid": _("编号应为正整数。"),
        "min_value": _("编号应为正整数。"),
        "max_value": _("编号过大。"),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


class IdFilter(django_filters.NumberFilter):
    """A list filter on an id or another whole number column: bounded, never a 500."""

    field_class = IdField


def required_by(service, *, exclude=()) -> dict:
    """A ModelSerializer's `extra_kwargs` making required what `service` cannot do without.

    The keyword-only parameters of the service that have no default must come from the
    request: a model default would otherwise let the serializer pass them over and the
    service fail with a TypeError (a 500) instead of a field error (a 400).
    """
    import inspect

    return {
        name: {"required": True}
        for name, parameter in inspect.signature(service).parameters.items()
        if parameter.kind is inspect.Parameter.KEYWORD_ONLY
        and parameter.default is inspect.Parameter.empty
        and name not in exclude
    }
