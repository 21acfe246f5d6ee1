"""A deputy logs a reception from a phone; staff read the duty record on a desktop."""

import datetime as dt
import re

from deputies.models import StationMembership
from duties.services import deputy_points_recompute
from receptions.models import Reception
from suggestions.models import Suggestion
from tests.browser.conftest import login, screenshot


def _members(world):
    for deputy in (world.deputy, world.other_deputy):
        StationMembership.objects.create(
            deputy=deputy, station=world.station, start_date=dt.date(2025, 1, 1)
        )


def test_deputy_logs_a_reception_with_two_matters_on_a_phone(phone_page, live_server, world):
    _members(world)
    page = phone_page
    login(page, live_server, world.deputy_user)
    page.goto(f"{live_server.url}/receptions/log/new/")
    page.fill("#id_people_count", "3")
    page.select_option("#id_raised-0-category", "roads")
    page.fill("#id_raised-0-content", "坡底社区的路坑洼不平，下雨出不去。")

    page.get_by_role("button", name=re.compile("再添一条问题")).click()
    page.wait_for_selector("#id_raised-1-content")
    # What was typed in the first row survived the added row.
    assert page.input_value("#id_raised-0-content").startswith("坡底社区")
    page.select_option("#id_raised-1-category", "water")
    page.fill("#id_raised-1-content", "西街3号楼水压太低。")
    page.locator("fieldset.suggestion-row").nth(1).locator("summary").click()
    page.fill("#id_raised-1-contact_name", "张大爷")
    page.fill("#id_raised-1-contact_phone", "13812345678")
    screenshot(page, "reception-log-phone-form")

    page.get_by_role("button", name="保存登记").click()
    page.wait_for_url(re.compile(r"/receptions/log/\d+/$"))
    assert "2条意见建议已转入办理" in page.inner_text(".messages")
    screenshot(page, "reception-log-phone-detail")

    reception = Reception.objects.get()
    assert list(reception.deputies.all()) == [world.deputy]
    suggestions = Suggestion.objects.filter(channel="reception").order_by("pk")
    assert [s.category for s in suggestions] == ["roads", "water"]
    assert all(s.deputy_id == world.deputy.pk for s in suggestions)
    assert set(reception.suggestions.all()) == set(suggestions)


def test_county_officer_reads_a_duty_record(page, live_server, world):
    _members(world)
    for day, token in ((dt.date(2026, 3, 5), "a"), (dt.date(2026, 4, 9), "b")):
        reception = Reception.objects.create(
            station=world.station,
            region=world.township,
            date=day,
            people_count=4,
            form_token=f"browser-{token}-0123456789abcdef",
        )
        reception.deputies.set([world.deputy])
    deputy_points_recompute(deputies=world.deputy.__class__.objects.all(), year=2026)
    login(page, live_server, world.county_officer)
    page.goto(f"{live_server.url}/duties/deputies/{world.deputy.pk}/?year=2026")
    assert "年度积分" in page.inner_text("main")
    screenshot(page, "duty-record-desktop")
    page.goto(f"{live_server.url}/duties/?year=2026")
    screenshot(page, "duty-records-list")
