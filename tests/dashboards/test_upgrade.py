"""Upgrading to township rows per station: dashboards count live until a full rebuild."""

import importlib

from django.apps import apps

from dashboards import selectors
from dashboards.models import StationMonth
from dashboards.rollups import rollup_refresh, rollup_refresh_touched, state
from dashboards.selectors import Slice

from .conftest import TODAY
from .test_figures import Q2

upgrade = importlib.import_module("dashboards.migrations.0003_rebuild_after_station_month")


def test_after_the_upgrade_townships_count_live_and_the_next_refresh_builds_all(known):
    township = known.world.township
    rollup_refresh(today=TODAY)
    expected = selectors.dashboard(Slice(region=township), Q2, today=TODAY).totals
    # As an older version left things: rollups built, but no rows per station yet.
    StationMonth.objects.all().delete()

    upgrade.forget_rollups(apps, None)

    assert state().built_through is None
    live = selectors.dashboard(Slice(region=township), Q2, today=TODAY)
    assert not live.from_rollups and +live.totals == +expected
    report = rollup_refresh_touched(today=TODAY)
    assert report.months > 0 and StationMonth.objects.exists()
    built = selectors.dashboard(Slice(region=township), Q2, today=TODAY)
    assert built.from_rollups and +built.totals == +expected
