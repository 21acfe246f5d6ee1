"""One rule for phone numbers on every page, export, PDF and API field.

A personal number (a citizen's, a deputy's, an information collector's, an account's)
is shown masked (138****5678) unless the viewer holds a role listed in
`settings.PHONES_SHOWN_IN_FULL` (none by default; `core.permissions.shows_full_phones`).
Seeing one number in full is a *reveal*: a separate choice with a reason, audited
(`core.services.phone_reveal`, the page `core:phone_reveal`); an export with full
numbers is the same kind of choice (`core.services.phone_export_unmasked`).

Published numbers are not personal data and are shown as they are: a station's
contact number and a handling unit's office number (both printed on public pages
and placards), and a deputy's number when the deputy chose to publish it
(`phone_public`).

Pages use the template filter `phone_for` / tag `phone_line` (core/templatetags/
masking.py), exports and PDFs `shown()`, API serializers `core.api_fields.
MaskedPhoneField`. Apps tell this module which of their objects carry a personal
number and who may reveal it (`register_phone_kind`, in their AppConfig.ready).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from .masking import mask_phone
from .permissions import may_export_full_phones, shows_full_phones

__all__ = [
    "REVEAL_REASONS",
    "PhoneKind",
    "kind_named",
    "kind_of",
    "may_export_full_phones",
    "register_phone_kind",
    "shown",
    "shown_for",
    "shows_full_phones",
]

# Why someone looks at a full number or exports full numbers: recorded in the audit trail.
REVEAL_REASONS = [
    ("callback", _("回访群众")),
    ("contact", _("联系代表或联系人")),
    ("handling", _("办理需要")),
    ("verify", _("核实身份信息")),
    ("other", _("其他工作需要")),
]


@dataclass(frozen=True)
class PhoneKind:
    """Objects of one model carrying a personal phone number."""

    name: str  # the URL's phone_kind
    model: type[models.Model]
    number: Callable[[models.Model], str]
    may_reveal: Callable[[object, models.Model], bool]
    public: Callable[[models.Model], bool] = lambda obj: False


_KINDS: dict[str, PhoneKind] = {}


def register_phone_kind(kind: PhoneKind) -> None:
    _KINDS[kind.name] = kind


def kind_named(name: str) -> PhoneKind | None:
    return _KINDS.get(name)


def kind_of(obj) -> PhoneKind | None:
    for kind in _KINDS.values():
        if isinstance(obj, kind.model):
            return kind
    return None


def shown(user, phone: str | None, *, public: bool = False) -> str:
    """The number as `user` may see it: in full when published or when the role needs it."""
    phone = (phone or "").strip()
    if not phone:
        return ""
    if public or shows_full_phones(user):
        return phone
    return mask_phone(phone)


def shown_for(user, obj) -> str:
    """The personal number an object carries, as `user` may see it."""
    kind = kind_of(obj)
    if kind is None or obj is None:
        return ""
    return shown(user, kind.number(obj), public=kind.public(obj))
