"""The reception schedule and the working-day calendar in a real browser."""

import datetime as dt

from calendars.models import CalendarOverride
from deputies.models import StationMembership
from receptions.models import ReceptionRule
from tests import factories as f
from tests.browser.conftest import login, screenshot


def _rules(world):
    for deputy in (world.deputy, world.other_deputy):
        StationMembership.objects.create(
            deputy=deputy, station=world.station, start_date=dt.date(2025, 1, 1)
        )
    third = f.DeputyFactory(name="李红", region=world.township)
    StationMembership.objects.create(
        deputy=third, station=world.station, start_date=dt.date(2025, 1, 1)
    )
    monthly = ReceptionRule.objects.create(
        station=world.station,
        region=world.township,
        kind="monthly",
        day_of_month=1,
        start_time=dt.time(9),
        end_time=dt.time(11, 30),
        valid_from=dt.date(2026, 1, 1),
    )
    monthly.deputies.set([world.deputy])
    weekly = ReceptionRule.objects.create(
        station=world.sibling_station,
        region=world.other_township,
        kind="weekly",
        weekday=3,
        start_time=dt.time(14, 30),
        end_time=dt.time(17),
        valid_from=dt.date(2026, 1, 1),
    )
    weekly.deputies.set([world.other_deputy])
    ReceptionRule.objects.create(
        station=world.station,
        region=world.township,
        kind="rota",
        weekday=1,
        start_time=dt.time(9),
        end_time=dt.time(11, 30),
        valid_from=dt.date(2026, 1, 1),
    )


def test_county_officer_switches_months_on_the_schedule(page, live_server, world):
    _rules(world)
    login(page, live_server, world.county_officer)
    page.goto(f"{live_server.url}/receptions/?month=2026-10")
    table = page.locator("table.schedule")
    assert "遇节假日顺延" in table.inner_text()  # 1 October moved to the 8th
    screenshot(page, "receptions-schedule-october")

    page.get_by_role("link", name="2026年11月 ›").click()
    page.wait_for_url("**month=2026-11**")
    assert page.locator("#schedule h2").inner_text() == "2026年11月"
    assert "夏家营镇联络站" in page.locator("table.schedule").inner_text()


def test_liaison_officer_adds_a_rule(page, live_server, world):
    _rules(world)
    login(page, live_server, world.station_officer)
    page.goto(f"{live_server.url}/receptions/station/{world.station.pk}/rules/new/")
    page.get_by_label("每周固定日").check()
    page.select_option("#id_weekday", "3")
    page.fill("#id_start_time", "09:00")
    page.fill("#id_end_time", "11:00")
    page.get_by_label("李红（县区人大代表）").check()
    screenshot(page, "receptions-rule-form")
    page.get_by_role("button", name="保存").click()
    assert "接待规则已添加" in page.locator(".messages").inner_text()
    screenshot(page, "receptions-station-rules")


def test_schedule_on_a_phone(phone_page, live_server, world):
    _rules(world)
    login(phone_page, live_server, world.township_officer)
    phone_page.goto(f"{live_server.url}/receptions/?month=2026-10")
    table = phone_page.locator("table.schedule")
    assert table.is_visible()
    # The township's own station, with October's holiday shift, and nothing wider than
    # the phone's screen.
    text = table.inner_text()
    assert "天宁镇人大代表联络站" in text and "遇节假日顺延" in text
    assert "夏家营镇联络站" not in text  # another township's station
    width = phone_page.evaluate("window.innerWidth")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= width
    screenshot(phone_page, "receptions-schedule-phone")


def test_sysadmin_sees_the_calendar_and_the_missing_year_warning(page, live_server, world):
    CalendarOverride.objects.create(
        date=dt.date(2027, 3, 1), kind="holiday", name="县庆", region=world.county
    )
    login(page, live_server, world.sysadmin)
    page.goto(f"{live_server.url}/calendar/?year=2026")
    assert "春节" in page.locator("table").first.inner_text()
    screenshot(page, "calendar-2026")
    page.goto(f"{live_server.url}/calendar/?year=2027")
    assert "当年尚无节假日数据" in page.locator("main").inner_text()
    screenshot(page, "calendar-2027")
