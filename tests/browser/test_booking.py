"""A citizen books a deputy's reception day from a phone (扫码有约); the station's officer
confirms it on the desktop and the citizen is texted."""

import datetime

from appointments.models import Booking
from notifications.models import Delivery
from tests.appointments.world import rule_for
from tests.browser.conftest import login, screenshot

NOW = datetime.datetime(2026, 6, 1, 2, 0, tzinfo=datetime.UTC)  # Monday 10:00 in Shanxi


def test_a_citizen_books_a_slot_from_a_phone(phone_page, page, live_server, world, clock):
    clock(NOW)
    rule_for(world)
    # The citizen scanned the deputy's code: the public page has a booking button
    phone_page.goto(f"{live_server.url}/p/d/{world.deputy.public_token}/")
    phone_page.get_by_role("button", name="预约约见代表").click()
    phone_page.wait_for_load_state("networkidle")
    assert "预约约见马志刚代表" in phone_page.content()
    phone_page.locator("input[name=day]").first.check()
    phone_page.select_option("#id_category", "roads")
    phone_page.fill("#id_topic", "村口道路坑洼，雨天孩子上学不方便")
    phone_page.fill("#id_name", "李大爷")
    phone_page.fill("#id_phone", "13912345678")
    phone_page.check("#id_consent")
    screenshot(phone_page, "appointments-book-phone")
    phone_page.get_by_role("button", name="提交预约").click()
    phone_page.wait_for_load_state("networkidle")
    assert "待确认" in phone_page.content() and "139****5678" in phone_page.content()
    screenshot(phone_page, "appointments-receipt-phone")
    booking = Booking.objects.get()
    assert booking.date == datetime.date(2026, 6, 4) and booking.slot.taken == 1

    # The station's officer confirms it
    login(page, live_server, world.station_officer)
    page.goto(f"{live_server.url}/appointments/bookings/{booking.pk}/")
    assert "13912345678" in page.content()  # the officer sees the full number
    page.get_by_role("button", name="确认约见").click()
    page.wait_for_load_state("networkidle")
    assert "已确认" in page.content()
    screenshot(page, "appointments-booking-desktop")
    assert "已确认" in Delivery.objects.get(channel="sms", address="13912345678").text
