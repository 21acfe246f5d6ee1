"""The rollups against a live count on a random world: drift is found and repaired."""

import datetime
import random
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import QuerySet

from dashboards import consistency
from dashboards.models import RegionMonth
from dashboards.rollups import rollup_refresh
from suggestions.models import Satisfaction, Suggestion

from .conftest import at, reception, suggestion

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 20)
S = Suggestion.Status


def _random_world(world, rng):
    places = [world.township, world.other_township, world.county, world.neighbour_township]
    stations = {world.township: world.station, world.other_township: world.sibling_station}
    for _n in range(60):
        region = rng.choice(places)
        day = TODAY - datetime.timedelta(days=rng.randint(1, 150))
        status = rng.choice([S.SUBMITTED, S.ASSIGNED, S.REPLIED, S.CLOSED, S.REJECTED])
        replied = status in (S.REPLIED, S.CLOSED)
        suggestion(
            region,
            rng.choice(["water", "roads", "other"]),
            status,
            station=stations.get(region),
            day=day,
            due_date=day + datetime.timedelta(days=rng.randint(5, 40)),
            replied_at=at(day + datetime.timedelta(days=rng.randint(1, 30))) if replied else None,
            satisfaction=rng.choice(["", Satisfaction.SATISFIED, Satisfaction.UNSATISFIED])
            if status == S.CLOSED
            else "",
        )
    for _n in range(25):
        region = rng.choice([world.township, world.other_township])
        day = TODAY - datetime.timedelta(days=rng.randint(1, 150))
        reception(stations[region], day, [world.deputy], people=rng.randint(1, 9))


@pytest.mark.parametrize("seed", [3, 17])
def test_rollups_agree_with_a_live_count_and_drift_is_repaired(world, clock, seed):
    clock(at(TODAY))
    _random_world(world, random.Random(seed))
    rollup_refresh(today=TODAY)

    clean = consistency.check_rollups(sample=1000, repair=False)
    assert clean.regions > 5 and clean.months >= 5 and clean.differences == []

    # Drift no writer told the rollups about: a raw bulk write, a lost row.
    QuerySet(Suggestion).filter(status=S.REPLIED).update(status=S.CLOSED)
    lost = RegionMonth.objects.filter(region=world.township).order_by("month").first()
    lost.delete()
    found = consistency.check_rollups(sample=1000, repair=False)
    assert "closed" in {d.figure for d in found.differences}
    assert (world.township.code, lost.month) in {(d.region, d.month) for d in found.differences}

    repaired = consistency.check_rollups(sample=1000, repair=True)
    assert repaired.repaired_months
    assert consistency.check_rollups(sample=1000, repair=False).differences == []


def test_the_command_reports_and_fails_on_unrepaired_drift(world, clock):
    clock(at(TODAY))
    _random_world(world, random.Random(5))
    rollup_refresh(today=TODAY)
    RegionMonth.objects.filter(region=world.county).update(received=999)

    out = StringIO()
    with pytest.raises(SystemExit):
        call_command("check_rollups", "--sample", "1000", "--no-repair", stdout=out)
    assert "received: rollup 999" in out.getvalue()

    out = StringIO()
    call_command("check_rollups", "--sample", "1000", stdout=out)
    assert "months repaired" in out.getvalue()
    assert consistency.check_rollups(sample=1000, repair=False).differences == []
