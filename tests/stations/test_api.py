import pytest

from audit.models import AuditRecord
from stations.models import Station
from tests.stations.helpers import group_into

pytestmark = pytest.mark.django_db

URL = "/api/stations/"


def _detail(station) -> str:
    return f"{URL}{station.pk}/"


def test_list_is_scoped_and_counts_deputies(client_for, world):
    group_into(world.deputy, world.station)

    data = client_for(world.county_officer).get(URL).json()

    names = {row["name"]: row for row in data["results"]}
    assert set(names) == {"天宁镇人大代表联络站", "西街社区联络点", "夏家营镇联络站"}
    assert names["天宁镇人大代表联络站"]["deputy_count"] == 1
    assert names["天宁镇人大代表联络站"]["region"] == world.township.code


def test_filters_work_through_the_api(client_for, world):
    client = client_for(world.county_officer)
    by_region = client.get(URL, {"region": world.other_township.code}).json()
    by_kind = client.get(URL, {"kind": "village_point"}).json()

    assert [row["name"] for row in by_region["results"]] == ["夏家营镇联络站"]
    assert [row["name"] for row in by_kind["results"]] == ["西街社区联络点"]
    bad = client.get(URL, {"kind": "spaceship"})
    assert bad.status_code == 400 and "kind" in bad.json()


def test_neighbour_station_is_404(client_for, world):
    client = client_for(world.county_officer)
    assert client.get(_detail(world.neighbour_station)).status_code == 404
    assert (
        client.patch(
            _detail(world.neighbour_station), {"name": "x"}, content_type="application/json"
        ).status_code
        == 404
    )


def test_staff_create_in_scope_and_get_field_errors_outside(client_for, world):
    client = client_for(world.county_officer)
    created = client.post(
        URL,
        {
            "name": "API站",
            "kind": "township",
            "region": world.other_township.code,
            "phone": "0358-5620002",
        },
        content_type="application/json",
    )
    foreign = client.post(
        URL,
        {"name": "越界站", "kind": "township", "region": world.neighbour_township.code},
        content_type="application/json",
    )
    bad = client.post(
        URL,
        {
            "name": "",
            "kind": "nonsense",
            "region": world.township.code,
            "phone": "123",
            "latitude": "abc",
        },
        content_type="application/json",
    )
    orphan = client.post(
        URL,
        {"name": "孤点", "kind": "village_point", "region": world.village.code},
        content_type="application/json",
    )

    assert created.status_code == 201, created.content
    assert created.json()["deputy_count"] == 0
    assert Station.objects.get(name="API站").region == world.other_township
    assert foreign.status_code == 400 and "region" in foreign.json()
    assert bad.status_code == 400 and {"name", "kind", "latitude"} <= set(bad.json())
    assert orphan.status_code == 400 and "parent" in orphan.json()
    assert not Station.objects.filter(name__in=["越界站", "孤点"]).exists()


def test_update_goes_through_the_service_and_is_audited(client_for, world):
    client = client_for(world.county_officer)
    response = client.patch(
        _detail(world.station),
        {"head_name": "新站长", "status": "suspended"},
        content_type="application/json",
    )

    assert response.status_code == 200
    world.station.refresh_from_db()
    assert world.station.head_name == "新站长" and world.station.status == "suspended"
    actions = set(
        AuditRecord.objects.filter(object_id=str(world.station.pk)).values_list("action", flat=True)
    )
    assert actions == {"update", "state"}

    moved = client.patch(
        _detail(world.station),
        {"region": world.neighbour_township.code},
        content_type="application/json",
    )
    assert moved.status_code == 400 and "region" in moved.json()


def test_leader_and_officer_read_but_cannot_write(client_for, world):
    for user in (world.leader, world.station_officer):
        client = client_for(user)
        assert client.get(_detail(world.station)).status_code == 200
        assert (
            client.patch(
                _detail(world.station), {"name": "改名"}, content_type="application/json"
            ).status_code
            == 403
        )
        assert (
            client.post(
                URL,
                {"name": "新", "kind": "township", "region": world.township.code},
                content_type="application/json",
            ).status_code
            == 403
        )
    assert client_for(world.county_officer).delete(_detail(world.station)).status_code == 405
    world.station.refresh_from_db()
    assert world.station.name == "天宁镇人大代表联络站"
