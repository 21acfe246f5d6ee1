from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audit.models import AuditRecord
from stations.models import Station
from tests import factories as f
from tests.stations.helpers import group_into, officer_of

pytestmark = pytest.mark.django_db

LIST = reverse("stations:list")


def _names(response) -> set[str]:
    return {station.name for station in response.context["page"]}


def test_county_officer_lists_own_county_stations_only(client_for, world):
    response = client_for(world.county_officer).get(LIST)

    assert response.status_code == 200
    assert _names(response) == {"天宁镇人大代表联络站", "西街社区联络点", "夏家营镇联络站"}
    assert "凤城镇联络站" not in response.content.decode()


def test_township_officer_sees_only_their_township(client_for, world):
    response = client_for(world.township_officer).get(LIST)

    assert _names(response) == {"天宁镇人大代表联络站", "西街社区联络点"}


def test_station_officer_sees_own_station_and_its_points(client_for, world):
    response = client_for(world.station_officer).get(LIST)

    assert _names(response) == {"天宁镇人大代表联络站", "西街社区联络点"}
    assert not response.context["can_edit"]


def test_clerk_and_deputy_have_no_station_list(client_for, world):
    assert client_for(world.clerk).get(LIST).status_code == 403


def test_list_filters_by_region_kind_stars_status_and_name(client_for, world):
    Station.objects.filter(pk=world.sibling_station.pk).update(stars=5, status="suspended")
    client = client_for(world.county_officer)

    assert _names(client.get(LIST, {"region": world.other_township.code})) == {"夏家营镇联络站"}
    assert _names(client.get(LIST, {"kind": "village_point"})) == {"西街社区联络点"}
    assert _names(client.get(LIST, {"stars": "5"})) == {"夏家营镇联络站"}
    assert _names(client.get(LIST, {"stars": "none"})) == {"天宁镇人大代表联络站", "西街社区联络点"}
    assert _names(client.get(LIST, {"status": "suspended"})) == {"夏家营镇联络站"}
    assert _names(client.get(LIST, {"q": "西街"})) == {"西街社区联络点"}


def test_region_filter_offers_only_regions_in_scope(client_for, world):
    response = client_for(world.county_officer).get(LIST)

    offered = set(response.context["filter"].form.fields["region"].queryset)
    assert world.township in offered
    assert world.neighbour_township not in offered
    # A neighbour's region given by hand is refused, not applied.
    filtered = client_for(world.county_officer).get(LIST, {"region": world.neighbour.code})
    assert "region" in filtered.context["filter"].form.errors


def test_list_shows_current_deputy_counts(client_for, world):
    group_into(world.deputy, world.station)
    group_into(world.other_deputy, world.station)
    ended = f.DeputyFactory(region=world.township)
    group_into(ended, world.station, end=world.station.created_at.date())

    response = client_for(world.county_officer).get(LIST, {"sort": "-deputies"})

    first = response.context["page"][0]
    assert first.name == "天宁镇人大代表联络站"
    assert first.deputy_count == 2
    assert first.point_count == 1


def _many_stations(world, count):
    for index in range(count):
        station = f.StationFactory(name=f"批量站{count}-{index}", region=world.township)
        group_into(f.DeputyFactory(region=world.township), station)


def test_list_query_count_does_not_grow_with_rows(client_for, world, django_assert_max_num_queries):
    client = client_for(world.county_officer)
    _many_stations(world, 2)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST, {"sort": "name"})
    assert len(few) <= 12

    _many_stations(world, 40)
    with django_assert_max_num_queries(len(few)):
        response = client.get(LIST, {"sort": "name"})
    assert len(response.context["page"]) == 25
    assert client.get(LIST, {"page": 2}).status_code == 200


def test_county_officer_creates_a_station_and_a_point(client_for, world):
    client = client_for(world.county_officer)
    response = client.post(
        reverse("stations:new"),
        {
            "name": "西营镇人大代表联络站",
            "kind": "township",
            "region": world.other_township.pk,
            "address": "西营镇政府一楼",
            "opening_hours": "每周四全天",
            "phone": "0358-5620001",
            "head_name": "赵主席",
        },
    )
    station = Station.objects.get(name="西营镇人大代表联络站")
    assert response.status_code == 302
    assert response["Location"] == reverse("stations:detail", args=[station.pk])
    assert station.region_path == world.other_township.path
    assert AuditRecord.objects.filter(action="create", object_id=str(station.pk)).exists()

    point = client.post(
        reverse("stations:new"),
        {
            "name": "一号联络点",
            "kind": "village_point",
            "region": world.village.pk,
            "parent": world.station.pk,
        },
    )
    assert point.status_code == 302
    assert Station.objects.get(name="一号联络点").parent == world.station


def test_region_outside_scope_or_at_county_level_is_refused(client_for, world):
    client = client_for(world.township_officer)
    response = client.post(
        reverse("stations:new"),
        {"name": "越界站", "kind": "township", "region": world.other_township.pk},
    )
    assert response.status_code == 200
    assert "region" in response.context["form"].errors
    offered = set(response.context["form"].fields["region"].queryset)
    assert offered == {world.township, world.village}
    assert not Station.objects.filter(name="越界站").exists()


def test_point_needs_a_visible_station_as_parent(client_for, world):
    client = client_for(world.county_officer)
    neighbour_parent = client.post(
        reverse("stations:new"),
        {
            "name": "借壳点",
            "kind": "village_point",
            "region": world.village.pk,
            "parent": world.neighbour_station.pk,
        },
    )
    no_parent = client.post(
        reverse("stations:new"),
        {"name": "孤点", "kind": "village_point", "region": world.village.pk},
    )
    point_as_parent = client.post(
        reverse("stations:new"),
        {
            "name": "点下点",
            "kind": "enterprise",
            "region": world.village.pk,
            "parent": world.point.pk,
        },
    )

    assert "parent" in neighbour_parent.context["form"].errors
    assert "parent" in no_parent.context["form"].errors
    assert "parent" in point_as_parent.context["form"].errors
    assert not Station.objects.filter(name__in=["借壳点", "孤点", "点下点"]).exists()


def test_bad_phone_keeps_what_was_typed(client_for, world):
    response = client_for(world.county_officer).post(
        reverse("stations:new"),
        {"name": "号码错站", "kind": "township", "region": world.township.pk, "phone": "12345"},
    )
    assert "phone" in response.context["form"].errors
    assert 'value="号码错站"' in response.content.decode()


def test_leader_and_station_officer_cannot_write(client_for, world):
    for user in (world.leader, world.station_officer):
        client = client_for(user)
        assert client.get(reverse("stations:new")).status_code == 403
        assert client.get(reverse("stations:edit", args=[world.station.pk])).status_code == 403
        assert (
            client.post(
                reverse("stations:status", args=[world.station.pk]), {"status": "suspended"}
            ).status_code
            == 403
        )
    world.station.refresh_from_db()
    assert world.station.status == "active"


def test_edit_records_the_change(client_for, world):
    client = client_for(world.township_officer)
    response = client.post(
        reverse("stations:edit", args=[world.station.pk]),
        {
            "name": world.station.name,
            "kind": "township",
            "region": world.township.pk,
            "opening_hours": "每周四",
        },
    )
    assert response.status_code == 302
    world.station.refresh_from_db()
    assert world.station.opening_hours == "每周四"
    record = AuditRecord.objects.get(action="update", object_id=str(world.station.pk))
    assert record.changes["opening_hours"] == ["", "每周四"]


def test_suspend_and_reactivate(client_for, world):
    client = client_for(world.county_officer)
    url = reverse("stations:status", args=[world.station.pk])

    client.post(url, {"status": "suspended"})
    world.station.refresh_from_db()
    assert world.station.status == "suspended"

    client.post(url, {"status": "active"})
    world.station.refresh_from_db()
    assert world.station.status == "active"
    assert AuditRecord.objects.filter(action="state", object_id=str(world.station.pk)).count() == 2


def test_detail_shows_officers_points_deputies_history_and_codes_slot(client_for, world):
    group_into(world.deputy, world.station)
    officer_of(world.station, "second_officer")

    response = client_for(world.city_officer).get(
        reverse("stations:detail", args=[world.station.pk])
    )
    html = response.content.decode()

    assert response.status_code == 200
    assert {o.user.username for o in response.context["officers"]} == {
        "station_officer",
        "second_officer",
    }
    assert "西街社区联络点" in html
    assert "马志刚" in html
    assert "变更记录" in html
    # The slot where the QR/placard panel goes (filled by the public app once it exists).
    source = Path(response.templates[0].origin.name).read_text(encoding="utf-8")
    assert "{# codes-panel #}" in source or "_codes_panel.html" in source


def test_station_officer_sees_own_station_but_not_the_sibling(client_for, world):
    client = client_for(world.station_officer)
    assert client.get(reverse("stations:detail", args=[world.station.pk])).status_code == 200
    assert client.get(reverse("stations:detail", args=[world.point.pk])).status_code == 200
    assert (
        client.get(reverse("stations:detail", args=[world.sibling_station.pk])).status_code == 404
    )


def test_own_station_pages_answer_200_for_the_county_officer(client_for, world):
    client = client_for(world.county_officer)
    for name in ("detail", "edit", "rate", "assessments"):
        assert (
            client.get(reverse(f"stations:{name}", args=[world.station.pk])).status_code == 200
        ), name
    assert client.get(reverse("stations:standards", args=[world.county.code])).status_code == 200
    assert client.get(reverse("stations:standards_home")).status_code == 302
