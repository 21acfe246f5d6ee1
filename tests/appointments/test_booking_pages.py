"""Booking a deputy through the citizens' pages and answering it on the staff pages, as a
person would: the phone is masked for everyone but the deputy and the station's officer."""

import datetime
import re

import pytest
from django.urls import reverse

from appointments.models import Booking, BookingSlot
from notifications.models import Delivery

from .world import rule_for

NOW = datetime.datetime(2026, 6, 1, 10, 0, tzinfo=datetime.UTC)
PHONE = "13912345678"


@pytest.fixture
def rule(world, clock):
    clock(NOW)
    return rule_for(world)


def book_url(world):
    return reverse("public_appointments:book_deputy", args=[world.deputy.public_token])


def form_data(client, world, **extra):
    page = client.get(book_url(world))
    assert page.status_code == 200
    html = page.content.decode()
    token = re.search(r'name="submission_token" value="([^"]+)"', html).group(1)
    day = re.search(r'name="day" value="([^"]+)"', html).group(1)
    data = {
        "submission_token": token,
        "day": day,
        "category": "roads",
        "topic": "村口道路坑洼，雨天无法通行",
        "name": "李大爷",
        "phone": PHONE,
        "consent": "on",
    }
    data.update(extra)
    return data


def test_a_citizen_books_a_slot_and_follows_it(client, world, rule):
    page = client.get(book_url(world))
    assert "6月4日" in page.content.decode() or "06月04日" in page.content.decode()
    data = form_data(client, world)
    answer = client.post(book_url(world), data)
    booking = Booking.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == reverse("public_appointments:booking", args=[booking.public_token])
    again = client.post(book_url(world), data)  # a double tap: the same receipt
    assert again["Location"] == answer["Location"] and Booking.objects.count() == 1
    receipt = client.get(answer["Location"]).content.decode()
    assert "待确认" in receipt and PHONE not in receipt and "139****5678" in receipt


def test_without_consent_or_a_phone_nothing_is_saved(client, world, rule):
    data = form_data(client, world, phone="123", consent="")
    answer = client.post(book_url(world), data)
    assert answer.status_code == 400
    html = answer.content.decode()
    assert "11位手机号" in html and "个人信息处理说明" in html
    assert not Booking.objects.exists()


def test_a_full_slot_is_refused_with_a_reason(client, world, rule, settings):
    settings.APPOINTMENT_SLOT_CAPACITY = 1
    client.post(book_url(world), form_data(client, world))
    full = f"{rule.pk}:2026-06-04"
    page = client.get(book_url(world)).content.decode()
    assert f'value="{full}"' not in page  # the full day is no longer offered
    data = form_data(client, world, phone="13900000002", day=full)
    answer = client.post(book_url(world), data)  # posted anyway: refused
    assert answer.status_code == 400
    assert Booking.objects.count() == 1 and BookingSlot.objects.get().taken == 1


def test_one_phone_books_a_few_times_a_day_at_most(client, world, rule, settings):
    settings.APPOINTMENT_SLOT_CAPACITY = 50
    from appointments import public_views

    limit = public_views.BOOK_PER_PHONE[0]
    for _ in range(limit):
        assert client.post(book_url(world), form_data(client, world)).status_code == 302
    answer = client.post(book_url(world), form_data(client, world))
    assert answer.status_code == 429 and "上限" in answer.content.decode()


def test_the_phone_shows_in_full_only_to_the_deputy_and_the_officer(client_for, world, rule):
    from appointments.services import booking_submit

    booking, _ = booking_submit(
        deputy=world.deputy,
        rule_id=rule.pk,
        date=datetime.date(2026, 6, 4),
        topic="村口道路坑洼，雨天无法通行",
        name="李大爷",
        phone=PHONE,
        consent=True,
        submission_token="page-token-000001-abcdef",
    )
    detail = reverse("appointments:booking_detail", args=[booking.pk])
    for user in (world.station_officer, world.deputy_user):
        html = client_for(user).get(detail).content.decode()
        assert PHONE in html
    for user in (world.county_officer, world.township_officer, world.city_officer, world.leader):
        client = client_for(user)
        for url in (detail, reverse("appointments:bookings")):
            html = client.get(url).content.decode()
            assert PHONE not in html and "139****5678" in html
        api = client.get(reverse("appointment-booking-list")).json()["results"]
        assert api[0]["phone"] == "139****5678"
    assert client_for(world.outsider).get(detail).status_code == 404


def test_the_officer_confirms_and_the_citizen_is_texted(client_for, world, rule):
    from appointments.services import booking_submit

    booking, _ = booking_submit(
        deputy=world.deputy,
        rule_id=rule.pk,
        date=datetime.date(2026, 6, 4),
        topic="村口道路坑洼，雨天无法通行",
        name="李大爷",
        phone=PHONE,
        consent=True,
        submission_token="page-token-000002-abcdef",
    )
    act = reverse("appointments:booking_act", args=[booking.pk])
    assert client_for(world.leader).post(act, {"action": "confirm"}).status_code == 403
    client = client_for(world.station_officer)
    assert client.post(act, {"action": "confirm"}).status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CONFIRMED
    text = Delivery.objects.get(channel="sms", address=PHONE).text
    assert "已确认" in text and "天宁镇人大代表联络站" in text
    # The citizen's receipt cannot be confirmed twice nor cancelled by a stranger's POST
    # to the staff page: cancelling is on the receipt only.
    assert client.post(act, {"action": "confirm"}).status_code == 302
    assert Delivery.objects.filter(channel="sms", address=PHONE).count() == 1


def test_the_booking_list_reads_in_a_fixed_number_of_queries(
    client_for, world, rule, settings, django_assert_max_num_queries
):
    from appointments.services import booking_submit

    settings.APPOINTMENT_SLOT_CAPACITY = 50
    client = client_for(world.county_officer)

    def make(n, start):
        for i in range(start, start + n):
            booking_submit(
                deputy=world.deputy,
                rule_id=rule.pk,
                date=datetime.date(2026, 6, 4),
                topic="村口道路坑洼，雨天无法通行",
                name="李大爷",
                phone=f"139{i:08d}",
                consent=True,
                submission_token=f"page-token-{i:06d}-abcdefg",
            )

    make(2, 0)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("appointments:bookings")).status_code == 200
    make(12, 10)
    with django_assert_max_num_queries(14):
        assert client.get(reverse("appointments:bookings")).status_code == 200


@pytest.fixture
def back_to_chinese(settings):
    """The locale middleware leaves the last request's language active in this thread."""
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


def test_the_booking_pages_read_in_english(client, client_for, world, rule, back_to_chinese):
    client.cookies["django_language"] = "en"
    page = client.get(book_url(world)).content.decode()
    assert "Book deputy 马志刚" in page and "Pick a reception day" in page
    staff = client_for(world.county_officer)
    staff.cookies["django_language"] = "en"
    assert (
        "Citizens' appointments with deputies"
        in staff.get(reverse("appointments:bookings")).content.decode()
    )


def test_the_api_books_within_the_pages_limits(client, world, rule, settings, monkeypatch):
    """The API counts in the page's windows: a phone over its limit on one is refused on
    the other, with 429 and nothing booked; a retried submit is not counted again."""
    settings.APPOINTMENT_SLOT_CAPACITY = 50
    from appointments import public_views

    monkeypatch.setattr(public_views, "BOOK_PER_PHONE", (2, 10**8))  # no window ends inside
    assert client.post(book_url(world), form_data(client, world)).status_code == 302
    data = form_data(client, world)
    body = {
        "deputy_token": world.deputy.public_token,
        "day": data["day"],
        "topic": data["topic"],
        "name": data["name"],
        "phone": PHONE,
        "consent": True,
        "submission_token": data["submission_token"],
    }
    first = client.post("/api/public-bookings/", body, content_type="application/json")
    assert first.status_code == 201
    again = client.post("/api/public-bookings/", body, content_type="application/json")
    assert again.status_code == 200  # the same submit retried: the same booking
    assert again.json()["booking_token"] == first.json()["booking_token"]
    over = client.post(
        "/api/public-bookings/",
        {**body, "submission_token": form_data(client, world)["submission_token"]},
        content_type="application/json",
    )
    assert over.status_code == 429
    assert Booking.objects.count() == 2


def test_a_busy_address_is_held_back_on_the_booking_page(
    client, world, rule, settings, monkeypatch
):
    settings.APPOINTMENT_SLOT_CAPACITY = 50
    from appointments import public_views

    monkeypatch.setattr(public_views, "BOOK_PER_IP", (1, 10**8))  # no window ends inside
    first = client.post(book_url(world), form_data(client, world, phone="13900000001"))
    assert first.status_code == 302
    busy = client.post(book_url(world), form_data(client, world, phone="13900000002"))
    html = busy.content.decode()
    assert busy.status_code == 429 and "提交过于频繁" in html and "村口道路坑洼" in html
    assert Booking.objects.count() == 1
