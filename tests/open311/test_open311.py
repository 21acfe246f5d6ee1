"""The Open311 GeoReport v2 interface, driven by a client written from the specification."""

import datetime

import pytest
from django.urls import reverse

from audit.models import AuditRecord
from open311.models import ApiClient
from open311.services import client_register
from suggestions import services
from suggestions.models import Suggestion
from tests.open311.spec_client import GeoReportClient, GeoReportError

ENDPOINT = "/open311/v2"
PHONE = "13912345678"


@pytest.fixture
def keys(world):
    """A read-write client of 交城县, a read-only one, and one of the neighbouring county."""
    _, key = client_register(
        actor=world.county_officer,
        name="交城县12345热线",
        region=world.county,
        access="read_write",
        pipl_notice=True,
    )
    _, read_only = client_register(
        actor=world.county_officer,
        name="交城县智慧人大",
        region=world.county,
        access="read",
        pipl_notice=True,
    )
    _, neighbour = client_register(
        actor=world.outsider,
        name="文水县热线",
        region=world.neighbour,
        access="read_write",
        pipl_notice=True,
    )
    return {"write": key, "read": read_only, "neighbour": neighbour}


def _report(client, **extra):
    fields = {
        "service_code": "water",
        "description": f"西街3号楼停水三天，联系电话{PHONE}。",
        "lat": "37.55",
        "long": "112.15",
        "first_name": "大爷",
        "last_name": "张",
        "phone": PHONE,
        "token": "hotline-0001",
    }
    fields.update(extra)
    return client.post_request(**fields)


@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_client_from_the_spec_posts_a_request_and_polls_it_to_closed(client, world, keys, fmt):
    # Given a registered hotline platform
    hotline = GeoReportClient(client, ENDPOINT, keys["write"], fmt=fmt)
    endpoints = hotline.discovery().find("endpoints")
    assert "GeoReport_v2" in endpoints.find("endpoint/specification").text
    codes = {row["service_code"] for row in hotline.services(jurisdiction_id=world.county.code)}
    assert {"water", "roads"} <= codes
    # When it posts a request and polls it
    posted = _report(hotline)
    request_id = posted["service_request_id"]
    suggestion = Suggestion.objects.get(tracking_code=request_id)
    assert suggestion.channel == "open311" and str(suggestion.latitude) == "37.550000"
    assert hotline.get_request(request_id)["status"] == "open"
    # Then staff handle it and the client reads the answer, the unit and the deadline
    services.suggestion_assign(
        actor=world.county_officer, suggestion=suggestion, lead_unit=world.unit
    )
    state = hotline.get_request(request_id)
    assert state["agency_responsible"] == "交城县水务局" and state["expected_datetime"]
    services.assignment_acknowledge(actor=world.clerk, assignment=suggestion.assignments.get())
    services.suggestion_reply(actor=world.clerk, suggestion=suggestion, text="已抢修恢复供水。")
    services.suggestion_follow_up(
        actor=world.county_officer, suggestion=suggestion, satisfaction="satisfied"
    )
    done = hotline.get_request(request_id)
    assert done["status"] == "closed" and done["status_notes"] == "已办结。感谢您的监督。"
    assert hotline.token("hotline-0001")["service_request_id"] == request_id


def test_a_retried_post_makes_one_suggestion(client, world, keys):
    hotline = GeoReportClient(client, ENDPOINT, keys["write"], fmt="json")
    first, again = _report(hotline), _report(hotline)
    assert first["service_request_id"] == again["service_request_id"]
    assert Suggestion.objects.count() == 1


def test_answers_carry_no_name_or_phone(client, world, keys):
    for fmt in ("xml", "json"):
        hotline = GeoReportClient(client, ENDPOINT, keys["write"], fmt=fmt)
        request_id = _report(hotline, token=f"t-{fmt}")["service_request_id"]
        for answer in (
            client.get(f"{ENDPOINT}/requests.{fmt}", {"api_key": keys["write"]}),
            client.get(f"{ENDPOINT}/requests/{request_id}.{fmt}", {"api_key": keys["write"]}),
        ):
            text = answer.content.decode()
            assert PHONE not in text and "张大爷" not in text, fmt
            assert "139****5678" in text


def test_a_key_reaches_only_its_region_and_its_rights(client, world, keys):
    ours = GeoReportClient(client, ENDPOINT, keys["write"])
    request_id = _report(ours)["service_request_id"]
    theirs = GeoReportClient(client, ENDPOINT, keys["neighbour"])
    with pytest.raises(GeoReportError) as missing:
        theirs.get_request(request_id)
    assert missing.value.status == 404
    assert theirs.get_requests() == []
    with pytest.raises(GeoReportError) as outside:
        theirs.post_request(
            service_code="roads",
            description="路灯不亮",
            address_string="西街",
            jurisdiction_id=world.county.code,
        )
    assert (
        outside.value.status == 400 and "jurisdiction_id" in outside.value.errors[0]["description"]
    )
    read_only = GeoReportClient(client, ENDPOINT, keys["read"])
    assert [r["service_request_id"] for r in read_only.get_requests()] == [request_id]
    with pytest.raises(GeoReportError) as refused:
        _report(read_only, token="x-2")
    assert refused.value.status == 403
    with pytest.raises(GeoReportError) as bad_key:
        GeoReportClient(client, ENDPOINT, "lx_" + "0" * 40).services()
    assert bad_key.value.status == 403


def test_errors_follow_the_specification_in_both_formats(client, world, keys):
    for fmt in ("xml", "json"):
        hotline = GeoReportClient(client, ENDPOINT, keys["write"], fmt=fmt)
        with pytest.raises(GeoReportError) as invalid:
            hotline.post_request(service_code="nonsense", description="")
        assert invalid.value.status == 400
        assert {e["code"] for e in invalid.value.errors} == {"400" if fmt == "xml" else 400}
        fields = " ".join(e["description"] for e in invalid.value.errors)
        assert "service_code" in fields and "description" in fields and "lat" in fields
    assert (
        client.get(
            f"{ENDPOINT}/requests.xml", {"api_key": keys["write"], "start_date": "x"}
        ).status_code
        == 400
    )
    assert not Suggestion.objects.exists()


@pytest.mark.parametrize(
    "moment",
    ["1196-01-26T21:11:53+20:16", "0001-01-01T00:00:00+08:00", "2026-01-01T00:00:00-14:30"],
)
def test_a_moment_no_clock_shows_is_a_400_and_the_next_call_still_works(
    client, world, keys, moment
):
    # The fuzz run found these: Python reads offsets up to a day, PostgreSQL stops at 15:59,
    # and the first of them left the connection broken for every call after it.
    for field in ("start_date", "end_date"):
        answer = client.get(f"{ENDPOINT}/requests.json", {"api_key": keys["write"], field: moment})
        assert answer.status_code == 400
        assert "ISO 8601" in answer.json()[0]["description"]
    ok = client.get(
        f"{ENDPOINT}/requests.json",
        {"api_key": keys["write"], "start_date": "1196-01-26T21:11:53+08:00"},
    )
    assert ok.status_code == 200


def test_get_requests_filters_and_defaults_to_ninety_days(client, world, keys, clock):
    hotline = GeoReportClient(client, ENDPOINT, keys["write"], fmt="json")
    clock(datetime.date(2026, 1, 5))
    old = _report(hotline, token="old", service_code="roads")["service_request_id"]
    clock(datetime.date(2026, 6, 1))
    new = _report(hotline, token="new")["service_request_id"]
    assert [r["service_request_id"] for r in hotline.get_requests()] == [new]
    assert {
        r["service_request_id"]
        for r in hotline.get_requests(start_date="2026-01-01T00:00:00+08:00")
    } == {old, new}
    roads = hotline.get_requests(service_code="roads", start_date="2026-01-01T00:00:00Z")
    assert [r["service_request_id"] for r in roads] == [old]
    # Ids override every other argument (the specification)
    named = hotline.get_requests(service_request_id=f"{old},{new}", service_code="roads")
    assert {r["service_request_id"] for r in named} == {old, new}
    assert hotline.get_requests(status="closed", start_date="2026-01-01T00:00:00Z") == []


def test_every_call_is_audited_under_the_clients_name_and_limited_per_key(
    client, world, keys, settings
):
    settings.OPEN311_CALLS_PER_KEY = (3, 3600)
    hotline = GeoReportClient(client, ENDPOINT, keys["write"], fmt="json")
    for _ in range(3):
        hotline.services()
    with pytest.raises(GeoReportError) as limited:
        hotline.services()
    assert limited.value.status == 429
    calls = AuditRecord.objects.filter(action="api", actor_label="对接系统：交城县12345热线")
    assert calls.count() == 4 and calls.filter(succeeded=False).count() == 1
    # Another key has its own allowance
    assert GeoReportClient(client, ENDPOINT, keys["read"], fmt="json").services()


def test_staff_register_a_client_see_the_key_once_and_revoke_it(client, world):
    client.force_login(world.county_officer)
    page = client.post(
        reverse("open311:client_new"),
        {"name": "县民生热线", "region": world.county.pk, "access": "read", "pipl_notice": "on"},
    )
    key = page.context["key"]
    record = ApiClient.objects.get(name="县民生热线")
    assert key not in str(record.__dict__) and record.key_digest != key
    assert key not in client.get(reverse("open311:client_list")).content.decode()
    assert GeoReportClient(client, ENDPOINT, key).services()
    refused = client.post(
        reverse("open311:client_new"),
        {"name": "未承诺", "region": world.county.pk, "access": "read"},
    )
    assert "pipl_notice" in refused.context["form"].errors
    client.post(reverse("open311:client_revoke", args=[record.pk]))
    assert "已停用" in client.get(reverse("open311:client_list")).content.decode()
    with pytest.raises(GeoReportError):
        GeoReportClient(client, ENDPOINT, key).services()
    # The neighbour's staff cannot see or revoke it
    client.force_login(world.outsider)
    assert "县民生热线" not in client.get(reverse("open311:client_list")).content.decode()
    assert client.post(reverse("open311:client_revoke", args=[record.pk])).status_code == 404
    client.force_login(world.leader)
    assert client.get(reverse("open311:client_list")).status_code == 403
