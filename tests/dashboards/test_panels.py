"""Other apps' panels appear on the region dashboard, with their own context."""

import copy

import pytest
from django.urls import reverse

from dashboards import panels


@pytest.fixture
def a_panel(tmp_path, settings):
    (tmp_path / "panel.html").write_text("<section>PANEL {{ panel.region.name }}</section>")
    # Assigned whole, so the setting_changed signal drops template engines built before.
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], tmp_path]
    settings.TEMPLATES = templates
    seen = []

    def context(user, region, period):
        seen.append(user)
        return {"region": region} if region.level == "county" else None

    panels.register_panel("test", template="panel.html", context=context)
    yield seen
    panels._PANELS.pop("test")


def test_a_registered_panel_shows_where_it_has_something(client, world, a_panel):
    client.force_login(world.county_officer)
    page = client.get(reverse("dashboards:region", args=[world.county.code]))
    assert "PANEL 交城县" in page.content.decode()
    township = client.get(reverse("dashboards:region", args=[world.township.code]))
    assert "PANEL" not in township.content.decode()
    assert a_panel[0] == world.county_officer
