"""The dashboard's map: a city's counties coloured by a figure, a county's stations as
points, outlines served locally from the pinned GeoJSON package."""

import json
import re
from decimal import Decimal
from urllib.parse import unquote

from django.contrib.staticfiles import finders
from django.urls import reverse
from django.utils import timezone

from dashboards.rollups import rollup_refresh
from tests.factories import StationFactory

from .test_views import page, region_url


def embedded_map(response) -> dict | None:
    match = re.search(
        r'<script id="dashboard-map" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(match.group(1)) if match else None


def test_city_map_colours_its_counties_and_links_to_their_dashboards(client, recent):
    response = page(client, recent.city_officer, region_url(recent.city))
    data = embedded_map(response)
    assert data["kind"] == "areas"
    by_code = {area["code"]: area for area in data["areas"]}
    assert set(by_code) == {recent.county.code, recent.neighbour.code}
    county = by_code[recent.county.code]
    assert county["name"] == "交城县"
    assert county["url"].startswith(region_url(recent.county))
    # The figures are the ranking's own: this month's concern, running and overdue.
    assert county["received"] == 1 and county["overdue"] == 1
    assert by_code[recent.neighbour.code]["received"] == 1
    assert [figure["key"] for figure in data["figures"]] == ["received", "completion", "overdue"]
    assert data["points"] == []
    # The table beside it still carries every figure (colour is not the only carrier).
    assert 'class="striped ranking-table"' in response.content.decode()


def test_outlines_are_served_locally_and_the_page_names_no_external_url(client, recent):
    response = page(client, recent.city_officer, region_url(recent.city))
    body = response.content.decode()
    data = embedded_map(response)
    for area in data["areas"]:
        assert area["file"].startswith("/static/vendor/counties/")
        relative = area["file"].removeprefix("/static/")
        found = finders.find(unquote(relative))
        assert found, area["file"]
        with open(found, encoding="utf-8") as outline:
            assert f'"id":"{area["code"]}"' in outline.read(400)
    assert not re.search(r"(src|href)=\"https?://", body)
    assert "https://" not in json.dumps(data) and "http://" not in json.dumps(data)


def test_county_map_shows_its_stations_with_coordinates_only(client, recent):
    located = recent.station
    located.latitude, located.longitude = Decimal("37.55"), Decimal("112.16")
    located.save(update_fields=["latitude", "longitude"])
    recent.neighbour_station.latitude = Decimal("37.42")
    recent.neighbour_station.longitude = Decimal("112.03")
    recent.neighbour_station.save(update_fields=["latitude", "longitude"])
    # recent.sibling_station is in the county but has no coordinates; a suspended station
    # of the county is no longer on the map, coordinates or not.
    StationFactory(
        name="暂停联络站",
        region=recent.other_township,
        status="suspended",
        latitude=Decimal("37.50"),
        longitude=Decimal("112.10"),
    )

    # Last year's map: a point opens the station's dashboard for that same year.
    last_year = str(timezone.localdate().year - 1)
    response = page(client, recent.leader, region_url(recent.county), period="year", year=last_year)
    data = embedded_map(response)
    assert data["kind"] == "points"
    assert [area["code"] for area in data["areas"]] == [recent.county.code]
    assert data["points"] == [
        {
            "name": located.name,
            "lng": 112.16,
            "lat": 37.55,
            "url": reverse("dashboards:station", kwargs={"station_pk": located.pk})
            + f"?period=year&year={last_year}",
        }
    ]


def test_no_map_where_there_is_no_outline(client, recent):
    # Townships have no outline in the package; neither has a station.
    assert embedded_map(page(client, recent.leader, region_url(recent.township))) is None
    station_url = reverse("dashboards:station", kwargs={"station_pk": recent.station.pk})
    assert embedded_map(page(client, recent.leader, station_url)) is None


def test_outsider_gets_no_map_of_the_neighbouring_county(client, recent):
    client.force_login(recent.outsider)
    assert client.get(region_url(recent.county)).status_code == 404
    data = embedded_map(client.get(region_url(recent.neighbour)))
    assert [area["code"] for area in data["areas"]] == [recent.neighbour.code]


def test_county_map_reads_a_constant_number_of_queries(
    client, recent, django_assert_max_num_queries
):
    rollup_refresh()
    client.force_login(recent.leader)
    client.get(region_url(recent.county))
    with django_assert_max_num_queries(40) as small:
        client.get(region_url(recent.county))
    for station in (recent.station, recent.sibling_station, recent.point):
        station.latitude, station.longitude = Decimal("37.5"), Decimal("112.1")
        station.save(update_fields=["latitude", "longitude"])
    with django_assert_max_num_queries(len(small.captured_queries)):
        data = embedded_map(client.get(region_url(recent.county)))
    assert len(data["points"]) == 3
