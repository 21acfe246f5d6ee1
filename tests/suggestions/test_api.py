"""The REST API: same gate, same services, field errors instead of 500s."""

import pytest

from suggestions import public_views, services
from suggestions.models import HandlingUnit, Suggestion
from tests.suggestions.conftest import TOKEN, photo_upload


@pytest.fixture
def suggestion(world) -> Suggestion:
    suggestion, _ = services.suggestion_submit(
        channel="qr", category="drainage", content="雨后小区门口积水很深。", deputy=world.deputy
    )
    return suggestion


def _post(client, path, data):
    return client.post(path, data, content_type="application/json")


def test_list_is_scoped_and_filtered(client, world, suggestion):
    services.suggestion_submit(
        channel="qr",
        category="roads",
        content="文水县的路面塌陷问题",
        deputy=world.neighbour_deputy,
    )
    client.force_login(world.county_officer)
    rows = client.get("/api/suggestions/").json()["results"]
    assert [row["tracking_code"] for row in rows] == [suggestion.tracking_code]
    assert client.get("/api/suggestions/", {"category": "roads"}).json()["results"] == []
    assert client.get("/api/suggestions/", {"status": "bogus"}).status_code == 400
    client.force_login(world.outsider)
    assert client.get(f"/api/suggestions/{suggestion.pk}/").status_code == 404
    assert _post(client, f"/api/suggestions/{suggestion.pk}/accept/", {}).status_code == 404


def test_lifecycle_through_the_api(client, world):
    suggestion, _ = services.suggestion_submit(
        channel="qr", category="water", content="自来水发黄有异味。", deputy=world.deputy
    )
    base = f"/api/suggestions/{suggestion.pk}"
    client.force_login(world.county_officer)
    assert _post(client, f"{base}/accept/", {}).json()["status"] == "accepted"
    body = _post(
        client, f"{base}/assign/", {"lead_unit": world.unit.pk, "note": "请核查水质"}
    ).json()
    assert body["status"] == "assigned" and body["due_date"]
    assignment = body["assignments"][0]["id"]
    client.force_login(world.clerk)
    assert (
        _post(client, f"{base}/acknowledge/", {"assignment": assignment}).json()["status"]
        == "handling"
    )
    extension = _post(client, f"{base}/extend/", {"days": 3, "reason": "送检需要时间"})
    assert extension.status_code == 200
    client.force_login(world.county_officer)
    ext_id = suggestion.extensions.get().pk
    body = _post(client, f"{base}/decide-extension/", {"extension": ext_id, "approve": True}).json()
    assert body["due_rule"]
    client.force_login(world.clerk)
    assert (
        _post(client, f"{base}/reply/", {"text": "水质检测合格，已冲洗管道。"}).json()["status"]
        == "replied"
    )
    client.force_login(world.township_officer)
    body = _post(client, f"{base}/follow-up/", {"satisfaction": "satisfied"}).json()
    assert body["status"] == "closed"
    assert [e["kind"] for e in body["events"]][-2:] == ["followed_up", "closed"]


def test_bad_input_is_a_field_error_never_a_500(client, world, suggestion):
    client.force_login(world.county_officer)
    base = f"/api/suggestions/{suggestion.pk}"
    response = _post(client, f"{base}/reject/", {"reason": "nonsense"})
    assert response.status_code == 400 and "reason" in response.json()
    response = _post(client, f"{base}/assign/", {"lead_unit": "abc"})
    assert response.status_code == 400 and "lead_unit" in response.json()
    # A unit of another county reads exactly like one that does not exist.
    foreign = _post(client, f"{base}/assign/", {"lead_unit": world.neighbour_unit.pk})
    missing = _post(client, f"{base}/assign/", {"lead_unit": 987654321})
    assert foreign.status_code == missing.status_code == 400
    assert foreign.json() == {
        "lead_unit": [
            m.replace("987654321", str(world.neighbour_unit.pk))
            for m in missing.json()["lead_unit"]
        ]
    }
    foreign = _post(
        client,
        f"{base}/assign/",
        {"lead_unit": world.unit.pk, "co_units": [world.neighbour_unit.pk]},
    )
    assert foreign.status_code == 400 and "co_units" in foreign.json()
    response = _post(client, f"{base}/merge/", {"survivor": "ZZZZZZZZ"})
    assert response.status_code == 400 and "survivor" in response.json()
    response = _post(client, f"{base}/acknowledge/", {"assignment": 999999})
    assert response.status_code == 400


def test_leader_reads_but_gets_403_on_actions(client, world, suggestion):
    client.force_login(world.leader)
    assert client.get(f"/api/suggestions/{suggestion.pk}/").status_code == 200
    assert _post(client, f"/api/suggestions/{suggestion.pk}/accept/", {}).status_code == 403


def test_handling_units_api_checks_the_target_region(client, world):
    client.force_login(world.county_officer)
    response = _post(
        client,
        "/api/handling-units/",
        {"name": "交城县民政局", "kind": "department", "region": world.county.code},
    )
    assert response.status_code == 201, response.content
    response = _post(
        client,
        "/api/handling-units/",
        {"name": "文水县民政局", "kind": "department", "region": world.neighbour.code},
    )
    assert response.status_code == 400 and "region" in response.json()
    client.force_login(world.clerk)
    response = client.patch(
        f"/api/handling-units/{world.unit.pk}/",
        {"phone": "0358-1234567"},
        content_type="application/json",
    )
    assert response.status_code == 403
    client.force_login(world.outsider)
    assert client.get(f"/api/handling-units/{world.unit.pk}/").status_code == 404
    assert not HandlingUnit.objects.filter(name="文水县民政局").exists()


def _intake(**overrides):
    data = {
        "category": "elderly_care",
        "content": "希望社区开办老年食堂，方便独居老人吃饭。",
        "submission_token": TOKEN,
    }
    data.update(overrides)
    return data


def test_public_intake_is_anonymous_and_idempotent(client, world):
    first = _post(
        client, "/api/public-suggestions/", _intake(deputy_token=world.deputy.public_token)
    )
    assert first.status_code == 201, first.content
    again = _post(
        client, "/api/public-suggestions/", _intake(deputy_token=world.deputy.public_token)
    )
    assert again.status_code == 200
    assert first.json()["tracking_code"] == again.json()["tracking_code"]
    assert Suggestion.objects.count() == 1
    assert Suggestion.objects.get().channel == "online"


def test_the_old_intake_path_redirects_keeping_the_method(client, world):
    response = _post(client, "/api/concerns/", _intake(deputy_token=world.deputy.public_token))
    assert response.status_code == 308
    assert response["Location"] == "/api/public-suggestions/"
    followed = client.post(
        "/api/concerns/",
        _intake(deputy_token=world.deputy.public_token),
        content_type="application/json",
        follow=True,
    )
    assert followed.status_code == 201
    assert Suggestion.objects.count() == 1


def test_public_intake_field_errors_and_limits(client, world, monkeypatch):
    response = _post(client, "/api/public-suggestions/", _intake())
    assert response.status_code == 400  # neither a deputy nor a station
    response = _post(
        client,
        "/api/public-suggestions/",
        _intake(station_token=world.station.public_token, content="短"),
    )
    assert response.status_code == 400 and "content" in response.json()
    response = _post(
        client,
        "/api/public-suggestions/",
        _intake(station_token=world.station.public_token, contact_phone="99"),
    )
    assert response.status_code == 400 and "contact_phone" in response.json()
    response = _post(client, "/api/public-suggestions/", _intake(station_token="not-a-token"))
    assert response.status_code == 404
    response = _post(
        client,
        "/api/public-suggestions/",
        _intake(station_token=world.station.public_token, website="x"),
    )
    assert response.status_code == 400
    monkeypatch.setattr(public_views, "SUBMIT_PER_IP", (1, 3600))
    ok = _post(
        client, "/api/public-suggestions/", _intake(station_token=world.station.public_token)
    )
    assert ok.status_code == 201
    limited = _post(
        client,
        "/api/public-suggestions/",
        _intake(station_token=world.station.public_token, submission_token="t" * 20),
    )
    assert limited.status_code == 429
    assert Suggestion.objects.count() == 1


def test_public_intake_accepts_photos_as_multipart(client, world):
    response = client.post(
        "/api/public-suggestions/",
        {**_intake(station_token=world.station.public_token), "photos": [photo_upload()]},
    )
    assert response.status_code == 201, response.content
    assert Suggestion.objects.get().photos.count() == 1


def test_schema_and_docs_are_served(client, world):
    client.force_login(world.county_officer)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/suggestions/{suggestion_pk}/assign/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and b"swagger" in docs.content.lower()
