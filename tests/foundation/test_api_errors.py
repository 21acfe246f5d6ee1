"""Bad input gets a 4xx with field errors, never a 500; permission comes before validation.

Issue 13, point 4: the cases the probe found, and the classes they belong to (every
integer parameter bounded through core.params, every serializer asking for what its
service needs, every write refused to a read-only role before its body is read).
"""

import pytest
from django.test import Client
from drf_spectacular.generators import SchemaGenerator

from core.params import parse_id, parse_int

HUGE = "9999999999999999999999999"
ODD_DIGITS = "²"  # str.isdigit() says yes; int() raises


def _json(client, method, path, body):
    return getattr(client, method)(path, body, content_type="application/json")


def test_a_station_without_kind_is_a_field_error(client, world):
    client.force_login(world.county_officer)
    response = _json(client, "post", "/api/stations/", {"name": "新站", "region": "141122100"})
    assert response.status_code == 400
    assert "kind" in response.json()
    body = {"name": "新站", "region": "141122100", "kind": "township"}
    assert _json(client, "post", "/api/stations/", body).status_code == 201


def test_a_reception_without_people_count_is_a_field_error(client, world):
    # The schemathesis run found it: the model's default let the serializer pass over
    # what reception_log cannot do without (a KeyError, a 500).
    client.force_login(world.station_officer)
    body = {"station": world.station.pk, "date": "2026-03-02", "deputies": [], "form_token": "t1"}
    response = _json(client, "post", "/api/receptions/", body)
    assert response.status_code == 400
    assert "people_count" in response.json()


@pytest.mark.parametrize("value", [HUGE, ODD_DIGITS, "-3", "1.5"])
def test_integer_filters_on_the_api_answer_field_errors(client, world, value):
    client.force_login(world.county_officer)
    for path, name in [
        ("/api/stations/", "parent"),
        ("/api/legislation/comments/", "consultation"),
        ("/api/legislation/comments/", "article"),
    ]:
        response = client.get(path, {name: value})
        assert response.status_code == 400, (path, response.status_code)
        assert name in response.json()
    assert client.get("/api/duty-points/", {"year": value}).status_code == 400


@pytest.mark.parametrize("value", [HUGE, ODD_DIGITS])
def test_integer_parameters_on_pages_are_ignored_not_a_500(client, world, value):
    client.force_login(world.county_officer)
    for path, params in [
        ("/stations/", {"parent": value}),
        ("/stations/new/", {"parent": value}),
        ("/duties/", {"station": value, "year": value}),
        ("/duties/ranking/", {"by": "station", "station": value}),
        ("/duties/ranking/", {"by": "group", "group": value}),
        ("/receptions/", {"station": value}),
        ("/receptions/log/", {"station": value}),
    ]:
        response = client.get(path, params)
        assert response.status_code == 200, (path, response.status_code)


def test_the_shared_parsers_take_ascii_digits_within_range_only():
    assert parse_id("42") == 42 and parse_id(" 7 ") == 7 and parse_id(5) == 5
    for bad in (None, "", "0", "-1", "1.5", "²", "٣", HUGE, str(2**63), True, "1e3"):
        assert parse_id(bad) is None, bad
    assert parse_id(str(2**63 - 1)) == 2**63 - 1
    assert parse_int("2026", low=2000, high=2100) == 2026 and parse_int("1999", low=2000) is None


# Writes a read-only role may make (its own inbox) or that are not the staff API.
NOT_STAFF_WRITES = {
    ("POST", "/api/notifications/mark-read/"),  # one's own inbox
    ("POST", "/api/public-suggestions/"),  # the citizens' anonymous intake
    ("POST", "/api/public-bookings/"),  # a citizen's booking of a deputy, no account
    ("POST", "/api/public-report-votes/"),  # a voter's phone vote on a report-back
}


def _unsafe_operations():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method in operations:
            unsafe = method.upper() in ("POST", "PUT", "PATCH", "DELETE")
            if unsafe and (method.upper(), path) not in NOT_STAFF_WRITES:
                yield method, path


def test_a_read_only_role_is_refused_every_write_before_its_body_is_validated(world):
    from suggestions import services

    suggestion, _ = services.suggestion_submit(
        channel="qr", category="drainage", content="雨后小区门口积水很深。", deputy=world.deputy
    )
    ids = {
        "{suggestion_pk}": suggestion.pk,
        "{station_pk}": world.station.pk,
        "{deputy_pk}": world.deputy.pk,
        "{unit_pk}": world.unit.pk,
    }
    client = Client()
    client.force_login(world.leader)
    invalid = {"name": "", "region": "no-such-code", "kind": "no-such-kind", "note": 7}
    answered = {}
    for method, path in _unsafe_operations():
        url = path
        for placeholder, pk in ids.items():
            url = url.replace(placeholder, str(pk))
        if "{" in url:
            continue  # an object kind the leader's county has none of here
        answered[(method, url)] = _json(client, method, url, invalid).status_code
    assert len(answered) > 15
    wrong = {key: status for key, status in answered.items() if status != 403}
    assert not wrong, wrong


def test_a_path_no_api_pattern_matches_answers_json_not_a_page(client, world):
    # The schemathesis run found it: /api/visits/0.5/ (a lookup the router's pattern does
    # not match) answered the portal's HTML 404 page, which no API schema describes.
    client.force_login(world.county_officer)
    for path in ("/api/visits/0.5/", "/api/no-such-register/", "/api/stations/1/no-such-action/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json", path
        assert response.json() == {"detail": "未找到。"}
    page = client.get("/no-such-page/")  # elsewhere: still the portal's page
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")


def test_a_path_no_open311_pattern_matches_answers_the_georeport_error_list(client):
    response = client.get("/open311/v2/requests/a.b.json")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == [{"code": 404, "description": "没有这个接口或对象。"}]
    xml = client.get("/open311/v2/no-such-endpoint.xml")
    assert xml.status_code == 404 and xml["Content-Type"].startswith("text/xml")
    assert b"<errors><error><code>404</code>" in xml.content


def test_the_schema_documents_the_errors_every_operation_can_answer():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"400", "403", "404", "429"} <= codes, (method, path, codes)
            if method in ("post", "put", "patch"):
                assert "415" in codes, (method, path, codes)
    # A create that is idempotent on the client's token answers a retry 200.
    assert "200" in schema["paths"]["/api/receptions/"]["post"]["responses"]
    assert "200" not in schema["paths"]["/api/stations/"]["post"]["responses"]
