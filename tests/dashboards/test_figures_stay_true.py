"""Figures stay true between nightly runs: a moved station, bulk writes."""

import datetime

import pytest
from django.db.models import QuerySet
from django.urls import reverse

from core.counted import CountedQuerySet
from dashboards.rollups import rollup_refresh_touched
from receptions.models import Reception, ReceptionRule, StationActivity
from suggestions.models import Suggestion

from .conftest import at, reception, suggestion

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 20)
YEAR = {"period": "year", "year": "2026"}


def _api(client, region) -> dict:
    response = client.get(f"/api/dashboards/{region.code}/", YEAR)
    assert response.status_code == 200
    return {"receptions": 0, "closed": 0, **response.json()["totals"]}


def _listed_receptions(client, region) -> int:
    response = client.get(
        reverse("receptions:log_list"),
        {"region": region.code, "start": "2026-01-01", "end": "2026-12-31"},
    )
    return response.context["page"].paginator.count


def test_a_moved_station_takes_its_history_to_its_new_township(client_for, world, clock):
    """Rollup months, live days and the drill-down list agree for both townships."""
    clock(at(TODAY))
    station, old, new = world.station, world.township, world.other_township
    for day in (datetime.date(2026, 3, 5), datetime.date(2026, 4, 9)):  # rolled-up months
        reception(station, day, [world.deputy], people=3)
    reception(station, datetime.date(2026, 6, 18), [world.deputy], people=2)  # live days
    rule = ReceptionRule.objects.create(
        station=station, region=old, kind="weekly", weekday=4, valid_from=datetime.date(2026, 1, 1)
    )
    rollup_refresh_touched(today=TODAY)
    county = client_for(world.county_officer)
    assert _api(county, old)["receptions"] == 3 and _api(county, new)["receptions"] == 0

    response = county.post(
        reverse("stations:edit", args=[station.pk]),
        {"name": station.name, "kind": station.kind, "region": new.pk},
    )
    assert response.status_code == 302
    rollup_refresh_touched(today=TODAY)

    for township, expected in ((old, 0), (new, 3)):
        assert _api(county, township)["receptions"] == expected
        assert _listed_receptions(county, township) == expected
    assert _api(county, world.county)["receptions"] == 3
    rule.refresh_from_db()
    assert rule.region == new and rule.region_path == new.path
    assert set(Reception.objects.values_list("region_path", flat=True)) == {new.path}
    # The new township's staff now see the station's register; the old one's do not.
    assert _listed_receptions(client_for(world.township_officer), old) == 0


def test_every_counted_model_stamps_its_bulk_updates():
    """The one place: a counted model's `.update()` marks its rows for the next refresh."""
    for model in (Suggestion, Reception):
        assert isinstance(model.objects.all(), CountedQuerySet), model
    assert not isinstance(StationActivity.objects.all(), CountedQuerySet)


def test_bulk_closed_suggestions_show_at_the_next_refresh(client_for, world, clock):
    clock(at(TODAY))
    for n in range(3):
        suggestion(
            world.township, "water", Suggestion.Status.REPLIED, day=datetime.date(2026, 4, 1 + n)
        )
    # Written before the last refresh (`auto_now` stamps the real time, not the test's).
    QuerySet(Suggestion).update(updated_at=at(TODAY) - datetime.timedelta(days=1))
    rollup_refresh_touched(today=TODAY)
    county = client_for(world.county_officer)
    assert _api(county, world.township)["closed"] == 0

    clock(at(TODAY) + datetime.timedelta(minutes=5))
    Suggestion.objects.filter(region=world.township).update(status=Suggestion.Status.CLOSED)
    rollup_refresh_touched(today=TODAY)

    assert _api(county, world.township)["closed"] == 3
