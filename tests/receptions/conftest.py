import datetime as dt

import pytest

from deputies.models import StationMembership
from receptions.models import ReceptionRule
from tests import factories as f


def make_rule(station, *, deputies=(), **fields) -> ReceptionRule:
    fields.setdefault("valid_from", dt.date(2026, 1, 1))
    rule = ReceptionRule.objects.create(station=station, region=station.region, **fields)
    rule.deputies.set(deputies)
    return rule


def join(deputy, station, start="2025-01-01", end=None) -> StationMembership:
    return StationMembership.objects.create(
        deputy=deputy,
        station=station,
        start_date=dt.date.fromisoformat(start),
        end_date=dt.date.fromisoformat(end) if end else None,
    )


@pytest.fixture
def third_deputy(world):
    return f.DeputyFactory(name="李红", region=world.township)
