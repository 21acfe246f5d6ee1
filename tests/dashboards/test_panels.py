"""Other apps' panels appear on the region dashboard, with their own context."""

import pytest
from django.urls import reverse

from dashboards import panels


@pytest.fixture
def a_panel(monkeypatch):
    from django.template import engines
    from django.template.loaders.locmem import Loader

    engine = engines["django"].engine
    loader = Loader(engine, {"panel.html": "<section>PANEL {{ panel.region.name }}</section>"})
    monkeypatch.setattr(engine, "template_loaders", [loader, *engine.template_loaders])
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
