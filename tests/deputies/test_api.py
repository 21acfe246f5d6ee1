import pytest

from deputies.models import Deputy
from tests.stations.helpers import group_into

pytestmark = pytest.mark.django_db

URL = "/api/deputies/"


def test_list_is_scoped_with_current_stations(client_for, world):
    group_into(world.deputy, world.station)

    rows = client_for(world.county_officer).get(URL).json()["results"]

    by_name = {row["name"]: row for row in rows}
    assert set(by_name) == {"马志刚", "王秀英"}
    assert by_name["马志刚"]["stations"] == [world.station.pk]


def test_filters_and_station_officer_scope(client_for, world):
    group_into(world.deputy, world.station)
    staff = client_for(world.county_officer)
    assert [r["name"] for r in staff.get(URL, {"station": world.station.pk}).json()["results"]] == [
        "马志刚"
    ]
    assert staff.get(URL, {"station": world.neighbour_station.pk}).status_code == 400

    officer_rows = client_for(world.station_officer).get(URL).json()["results"]
    assert [r["name"] for r in officer_rows] == ["马志刚"]


def test_phone_masked_for_leader(client_for, world, settings):
    Deputy.objects.filter(pk=world.deputy.pk).update(phone="13835801234")
    staff = client_for(world.county_officer).get(f"{URL}{world.deputy.pk}/").json()
    assert staff["phone"] == "138****1234"  # by default nobody sees it in full
    settings.PHONES_SHOWN_IN_FULL = ["county_staff"]

    leader = client_for(world.leader).get(f"{URL}{world.deputy.pk}/").json()
    staff = client_for(world.county_officer).get(f"{URL}{world.deputy.pk}/").json()

    assert leader["phone"] == "138****1234"
    assert staff["phone"] == "13835801234"


def test_create_update_and_field_errors(client_for, world):
    client = client_for(world.county_officer)
    created = client.post(
        URL,
        {
            "name": "接口代表",
            "level": "county",
            "region": world.township.code,
            "phone": "13900002222",
        },
        content_type="application/json",
    )
    bad = client.post(
        URL,
        {
            "name": "越界",
            "level": "emperor",
            "region": world.neighbour_township.code,
            "phone": "12",
        },
        content_type="application/json",
    )
    county_level = client.post(
        URL,
        {"name": "x", "level": "county", "region": world.city.code},
        content_type="application/json",
    )

    assert created.status_code == 201, created.content
    assert bad.status_code == 400 and {"level", "region"} <= set(bad.json())
    assert county_level.status_code == 400 and "region" in county_level.json()
    deputy = Deputy.objects.get(name="接口代表")
    patched = client.patch(f"{URL}{deputy.pk}/", {"phone": "123"}, content_type="application/json")
    assert patched.status_code == 400 and "phone" in patched.json()
    ok = client.patch(
        f"{URL}{deputy.pk}/", {"status": "terminated"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "terminated"


def test_neighbour_deputy_is_404_and_leaders_cannot_write(client_for, world):
    assert (
        client_for(world.county_officer).get(f"{URL}{world.neighbour_deputy.pk}/").status_code
        == 404
    )
    leader = client_for(world.leader)
    assert (
        leader.patch(
            f"{URL}{world.deputy.pk}/", {"name": "改"}, content_type="application/json"
        ).status_code
        == 403
    )
    deputy_self = client_for(world.deputy_user)
    assert deputy_self.get(f"{URL}{world.deputy.pk}/").status_code == 200
    assert (
        deputy_self.patch(
            f"{URL}{world.deputy.pk}/", {"name": "改"}, content_type="application/json"
        ).status_code
        == 403
    )
