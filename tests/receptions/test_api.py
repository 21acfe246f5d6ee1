"""The REST API for every register: the tenancy, masking and Chinese field errors of the pages."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core import outbox
from duties.services import deputy_points_recompute
from notifications.models import Notification
from receptions.models import Reception, StationActivity, Visit
from suggestions.models import Suggestion
from tests.receptions.conftest import join
from tests.receptions.registers import registers


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row.get("id", row.get("deputy")) for row in response.json()["results"]}


@pytest.fixture
def logged(world):
    join(world.deputy, world.station)
    return registers(world)


@pytest.mark.parametrize(
    ("path", "attribute"),
    [
        ("/api/receptions/", "reception"),
        ("/api/visits/", "visit"),
        ("/api/households/", "household"),
        ("/api/activities/", "activity"),
    ],
)
def test_register_lists_are_scoped(client, world, logged, path, attribute):
    mine = getattr(logged, attribute).pk
    for who in ("county_officer", "township_officer", "station_officer", "leader"):
        client.force_login(getattr(world, who))
        assert mine in _ids(client.get(path)), who
    for who in ("outsider", "neighbour_clerk", "clerk"):
        client.force_login(getattr(world, who))
        assert _ids(client.get(path)) == set(), who
    client.force_login(world.outsider)
    assert client.get(f"{path}{mine}/").status_code == 404


def test_household_phones_are_masked_in_the_api(client, world, logged):
    client.force_login(world.county_officer)
    text = client.get("/api/households/").content.decode()
    assert "13900001111" not in text and "139****1111" in text


def _body(world, **extra):
    body = {
        "station": world.station.pk,
        "date": "2026-03-21",
        "deputies": [world.deputy.pk],
        "people_count": 2,
        "notes": "",
        "raised": [{"category": "roads", "content": "坡底社区的路坑洼不平。"}],
        "form_token": "app-0001",
    }
    body.update(extra)
    return body


def test_a_reception_is_logged_through_the_api_once(client, world, logged):
    client.force_login(world.station_officer)
    first = client.post("/api/receptions/", _body(world), content_type="application/json")
    again = client.post("/api/receptions/", _body(world), content_type="application/json")
    assert first.status_code == 201 and again.status_code == 200, first.content
    assert first.json()["id"] == again.json()["id"]
    assert Reception.objects.filter(form_token="app-0001").count() == 1
    assert Suggestion.objects.filter(reception_logs__form_token="app-0001").count() == 1
    assert first.json()["suggestions"][0]["category"] == "roads"


def test_bad_reception_bodies_get_chinese_field_errors_and_leaders_get_403(client, world, logged):
    client.force_login(world.station_officer)
    bad = client.post(
        "/api/receptions/",
        _body(world, station=world.neighbour_station.pk, date="2999-01-01", raised=[{}]),
        content_type="application/json",
    )
    assert bad.status_code == 400
    errors = bad.json()
    assert {"station", "raised"} <= set(errors)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(errors["station"]))
    future = client.post(
        "/api/receptions/", _body(world, date="2999-01-01"), content_type="application/json"
    )
    assert future.status_code == 400 and "date" in future.json()
    client.force_login(world.leader)
    refused = client.post("/api/receptions/", {"nonsense": 1}, content_type="application/json")
    assert refused.status_code == 403
    assert not Reception.objects.filter(form_token="app-0001").exists()


def test_points_and_records_are_scoped(client, world, logged):
    deputy_points_recompute(deputies=world.deputy.__class__.objects.all(), year=2026)
    client.force_login(world.county_officer)
    assert world.deputy.pk in _ids(client.get("/api/duty-points/", {"year": 2026}))
    record = client.get(f"/api/duty-records/{world.deputy.pk}/", {"year": 2026}).json()
    assert record["counts"]["reception"] == 1 and record["entries"]
    assert client.get("/api/duty-points/", {"year": "abc"}).status_code == 400
    client.force_login(world.outsider)
    assert world.deputy.pk not in _ids(client.get("/api/duty-points/", {"year": 2026}))
    assert client.get(f"/api/duty-records/{world.deputy.pk}/").status_code == 404


def test_notifications_are_ones_own_and_can_be_marked_read(client, world):
    Notification.objects.create(recipient=world.county_officer, kind="t", title="给县里的")
    Notification.objects.create(recipient=world.outsider, kind="t", title="给邻县的")
    client.force_login(world.county_officer)
    rows = client.get("/api/notifications/", {"unread": 1}).json()["results"]
    assert [row["title"] for row in rows] == ["给县里的"]
    assert client.post("/api/notifications/mark-read/").json() == {"marked": 1}
    assert client.get("/api/notifications/", {"unread": 1}).json()["results"] == []
    assert Notification.objects.get(title="给邻县的").read_at is None


def test_dashboard_figures_are_the_pages_numbers(client, world, logged, clock):
    clock(datetime.date(2026, 6, 1))
    params = {"period": "year", "year": 2026}
    client.force_login(world.county_officer)
    page = client.get(reverse("dashboards:region", args=[world.county.code]), params)
    api = client.get(f"/api/dashboards/{world.county.code}/", params).json()
    totals = page.context["dash"].totals
    assert api["totals"]["people"] == totals["people"] == 3
    assert {k: api["totals"][k] for k in totals} == {k: int(v) for k, v in totals.items()}
    assert len(api["children"]) == len(page.context["dash"].rows)
    client.force_login(world.outsider)
    assert client.get(f"/api/dashboards/{world.county.code}/").status_code == 404
    client.force_login(world.clerk)
    assert client.get(f"/api/dashboards/{world.county.code}/").status_code in (403, 404)


def _more(world, n: int, start: int):
    for i in range(start, start + n):
        reception = Reception.objects.create(
            station=world.station,
            region=world.township,
            date=datetime.date(2026, 3, 1),
            people_count=1,
            form_token=f"bulk-{i}",
        )
        reception.deputies.set([world.deputy])
        Visit.objects.create(
            deputy=world.deputy,
            region=world.township,
            date=datetime.date(2026, 3, 1),
            form_token=f"bulk-visit-{i}",
        )
        StationActivity.objects.create(
            station=world.station,
            region=world.township,
            kind="theme",
            title=f"活动{i}",
            date=datetime.date(2026, 3, 1),
        )


@pytest.mark.parametrize(
    "path", ["/api/receptions/", "/api/visits/", "/api/activities/", "/api/supervisions/"]
)
def test_register_lists_take_the_same_queries_at_two_sizes(client, world, logged, path):
    client.force_login(world.county_officer)
    _more(world, 2, 0)
    client.get(path)  # the session's first request pays its one-off costs
    with CaptureQueriesContext(connection) as small:
        assert client.get(path).status_code == 200
    _more(world, 6, 10)
    with CaptureQueriesContext(connection) as large:
        assert client.get(path).status_code == 200
    assert len(small.captured_queries) == len(large.captured_queries)
    outbox.run_pending()
