"""The dashboard's map draws from the locally served outlines and leads one level down."""

import json
from decimal import Decimal
from urllib.parse import unquote

from django.contrib.staticfiles import finders
from django.urls import reverse

from dashboards.maps import outline_url
from tests.browser.axe import serious_violations
from tests.browser.conftest import login, screenshot


def _centre(code: str) -> list[float]:
    """The county's label point, from the outline file itself."""
    path = finders.find(unquote(outline_url(code).removeprefix("/static/")))
    with open(path, encoding="utf-8") as outline:
        return json.load(outline)["features"][0]["properties"]["cp"]


def _map_ready(page):
    page.locator("#chart-map[data-ready='true'] canvas").first.wait_for(state="attached")
    page.locator("#chart-map").scroll_into_view_if_needed()
    box = page.locator("#chart-map canvas").first.bounding_box()
    assert box and box["width"] > 300 and box["height"] > 300
    return box


def test_city_map_colours_counties_and_a_click_opens_the_county(page, live_server, world):
    login(page, live_server, world.city_officer)
    external = []
    page.on("request", lambda r: external.append(r.url) if live_server.url not in r.url else None)
    page.goto(live_server.url + reverse("dashboards:region", kwargs={"region_code": "1411"}))
    box = _map_ready(page)
    assert external == []  # no tiles, no CDN
    assert page.locator("#map-figure option").count() == 3
    page.select_option("#map-figure", "completion")
    page.wait_for_timeout(1200)
    screenshot(page, "dashboard-city-map")
    assert serious_violations(page, live_server) == []

    # When the officer clicks 交城县 on the map
    box = _map_ready(page)
    x, y = page.evaluate(
        "cp => echarts.getInstanceByDom(document.getElementById('chart-map'))"
        ".convertToPixel({geoIndex: 0}, cp)",
        _centre(world.county.code),
    )
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url("**/141122/**")
    assert page.locator("h1").inner_text().startswith("交城县")


def test_county_map_shows_its_located_stations(page, live_server, world):
    world.station.latitude, world.station.longitude = Decimal("37.55"), Decimal("112.16")
    world.station.save(update_fields=["latitude", "longitude"])
    login(page, live_server, world.leader)
    page.goto(live_server.url + reverse("dashboards:region", kwargs={"region_code": "141122"}))
    _map_ready(page)
    names = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('chart-map'))"
        ".getOption().series[0].data.map(d => d.name)"
    )
    assert names == [world.station.name]
    assert page.locator(".map-panel").get_by_role("link", name=world.station.name).count() == 1
    page.wait_for_timeout(1200)  # let the points' entry animation finish
    screenshot(page, "dashboard-county-map")
