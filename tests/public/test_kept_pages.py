"""Citizens' pages keep their content per process (public/cache.py): a change made by
staff shows on the very next request, and a kept page costs at most 3 queries, at two
sizes of data."""

import datetime as dt

import pytest
from django.core.cache import caches
from django.urls import reverse

from deputies.models import StationMembership
from receptions.models import ReceptionRule
from tests import factories as f
from tests.factories import UserFactory

KEPT_PAGE_QUERIES = 3


@pytest.fixture(autouse=True)
def _fresh_local_cache():
    caches["public"].clear()
    yield
    caches["public"].clear()


@pytest.fixture
def on_duty(world, clock):
    clock(dt.datetime(2026, 11, 5, 10, 0))
    StationMembership.objects.create(
        deputy=world.deputy, station=world.station, start_date=dt.date(2024, 1, 1)
    )
    rule = ReceptionRule.objects.create(
        station=world.station,
        region=world.station.region,
        kind="monthly",
        day_of_month=20,
        valid_from=dt.date(2026, 1, 1),
    )
    rule.deputies.set([world.deputy])
    return rule


def deputy_page(client, deputy) -> str:
    response = client.get(reverse("public:deputy", args=[deputy.public_token]))
    assert response.status_code == 200
    return response.content.decode()


def station_page(client, station) -> str:
    response = client.get(reverse("public:station", args=[station.public_token]))
    assert response.status_code == 200
    return response.content.decode()


def test_a_deputy_edited_by_staff_shows_on_the_next_request(client, world, on_duty):
    citizen = client
    assert "常回家看看" not in deputy_page(citizen, world.deputy)
    assert "11月20日" in deputy_page(citizen, world.deputy)  # now kept

    staff = type(client)()
    staff.force_login(world.county_officer)
    form = {
        "name": "马志刚",
        "level": "county",
        "region": world.township.pk,
        "status": "active",
        "commitment": "常回家看看",
    }
    edit = staff.post(reverse("deputies:edit", args=[world.deputy.pk]), form)
    assert edit.status_code == 302

    assert "常回家看看" in deputy_page(citizen, world.deputy)
    # The station page lists the deputy by name: renamed, it shows the new name too.
    form["name"] = "马志强"
    assert staff.post(reverse("deputies:edit", args=[world.deputy.pk]), form).status_code == 302
    assert "马志强" in station_page(citizen, world.station)


def test_a_reception_rule_changed_by_staff_shows_on_the_next_request(client, world, on_duty):
    citizen = client
    assert "11月20日" in deputy_page(citizen, world.deputy)
    assert "11月20日" in station_page(citizen, world.station)

    staff = type(client)()
    staff.force_login(world.county_officer)
    response = staff.post(
        reverse("receptions:rule_edit", args=[on_duty.pk]),
        {
            "kind": "monthly",
            "day_of_month": "25",
            "weekday": "",
            "start_time": "09:00",
            "end_time": "11:30",
            "valid_from": "2026-01-01",
            "valid_until": "",
            "note": "",
            "deputies": [world.deputy.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    deputy_text, station_text = (
        deputy_page(citizen, world.deputy),
        station_page(citizen, world.station),
    )
    assert "11月25日" in deputy_text and "11月20日" not in deputy_text
    assert "11月25日" in station_text and "11月20日" not in station_text


def test_a_holiday_entered_by_staff_moves_the_day_on_the_next_request(client, world, on_duty):
    citizen = client
    assert "原定11月20日" not in deputy_page(citizen, world.deputy)

    root = type(client)()
    root.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    response = root.post(
        reverse("calendars:override_new"), {"date": "2026-11-20", "kind": "holiday", "name": "县节"}
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    text = deputy_page(citizen, world.deputy)
    assert "原定11月20日，因节假日顺延" in text and "11月23日" in text
    assert "11月23日" in station_page(citizen, world.station)


def test_a_deputy_leaving_the_station_leaves_its_page_at_once(client, world, on_duty):
    assert 'class="deputy-name">马志刚' in station_page(client, world.station)
    membership = StationMembership.objects.get(deputy=world.deputy)
    membership.end_date = dt.date(2026, 11, 1)
    membership.save()
    assert 'class="deputy-name">马志刚' not in station_page(client, world.station)


def test_the_kept_content_is_still_the_page_a_phone_gets(client, world, on_duty):
    """Kept or not, the page around it is rendered for the request (its own CSRF token)."""
    first = client.get(reverse("public:deputy", args=[world.deputy.public_token]))
    second = type(client)().get(reverse("public:deputy", args=[world.deputy.public_token]))
    assert first.content.decode().count("11月20日") == second.content.decode().count("11月20日")
    token = 'name="csrfmiddlewaretoken" value="'
    a, b = first.content.decode(), second.content.decode()
    assert token in a and a.split(token)[1][:20] != b.split(token)[1][:20]


def grow(world, stations: int) -> None:
    """More stations, deputies, memberships and rules around the measured ones."""
    for number in range(stations):
        station = f.StationFactory(name=f"联络站{number}", region=world.township)
        deputies = [
            f.DeputyFactory(name=f"代表{number}-{i}", region=world.township) for i in range(3)
        ]
        for deputy in [*deputies, world.deputy]:
            StationMembership.objects.create(
                deputy=deputy, station=station, start_date=dt.date(2024, 1, 1)
            )
        for day in (5, 15):
            rule = ReceptionRule.objects.create(
                station=station,
                region=station.region,
                kind="monthly",
                day_of_month=day,
                valid_from=dt.date(2026, 1, 1),
            )
            rule.deputies.set([*deputies, world.deputy])
        StationMembership.objects.create(
            deputy=deputies[0], station=world.station, start_date=dt.date(2024, 1, 1)
        )


def public_urls(world) -> dict[str, str]:
    deputy, station = world.deputy.public_token, world.station.public_token
    return {
        "deputy page": reverse("public:deputy", args=[deputy]),
        "station page": reverse("public:station", args=[station]),
        "intake form": reverse("public_suggestions:new_for_deputy", args=[deputy]),
        "tracking page": reverse("public_suggestions:track"),
        "QR PNG": reverse("public:deputy_qr_png", args=[deputy]),
    }


@pytest.mark.parametrize("stations", [0, 12])
def test_each_public_page_takes_at_most_3_queries_at_two_sizes(
    client, world, on_duty, stations, django_assert_max_num_queries
):
    grow(world, stations)
    for name, url in public_urls(world).items():
        assert client.get(url).status_code == 200, name  # builds what is kept
        for _ in range(2):
            with django_assert_max_num_queries(KEPT_PAGE_QUERIES, info=name):
                response = type(client)().get(url)
            assert response.status_code == 200, name
    # What is kept is the page of the larger world: the deputy is on duty everywhere.
    if stations:
        assert "联络站0" in deputy_page(client, world.deputy)


@pytest.mark.parametrize("stations", [0, 12])
def test_building_a_page_takes_the_same_queries_at_two_sizes(
    client, world, on_duty, stations, django_assert_num_queries
):
    grow(world, stations)
    # Measured against the count for the small world (see the parametrised twin below).
    for name, url in public_urls(world).items():
        caches["public"].clear()
        with django_assert_num_queries(BUILD_QUERIES[name], info=name):
            assert client.get(url).status_code == 200, name


BUILD_QUERIES = {
    "deputy page": 8,
    "station page": 8,
    "intake form": 1,
    "tracking page": 0,
    "QR PNG": 1,
}
