"""Suggestions in known states for the supervision tests, made through the real services."""

from __future__ import annotations

import datetime

from core import clock
from suggestions import services
from suggestions.models import Suggestion


def submit(world, *, category: str = "water", phone: str = "13812345678") -> Suggestion:
    suggestion, _created = services.suggestion_submit(
        channel="qr",
        category=category,
        content="西街社区3号楼停水三天了，一直没人来修。",
        deputy=world.deputy,
        contact_name="张大爷",
        contact_phone=phone,
    )
    return suggestion


def assigned(
    world, *, on: datetime.date, actor=None, unit=None, category: str = "water", **kw
) -> Suggestion:
    """A suggestion submitted and assigned on `on` (deadlines counted from that day)."""
    with clock.frozen(on):
        suggestion = submit(world, category=category, **kw)
        services.suggestion_assign(
            actor=actor or world.township_officer,
            suggestion=suggestion,
            lead_unit=unit or world.unit,
        )
    return Suggestion.objects.get(pk=suggestion.pk)


def signed(world, suggestion: Suggestion, *, on: datetime.date) -> Suggestion:
    """The lead unit signs on `on`."""
    with clock.frozen(on):
        services.assignment_acknowledge(
            actor=world.clerk, assignment=suggestion.assignments.get(role="lead")
        )
    return Suggestion.objects.get(pk=suggestion.pk)
