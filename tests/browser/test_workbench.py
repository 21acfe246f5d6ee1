"""Each role's home page in a real browser: the workbench on a desktop and a phone, a
count clicked through to the list it counts, and the layout checks of issue 19.4."""

import datetime

import pytest

from deputies.models import StationMembership
from receptions.models import ReceptionRule
from tests.browser.conftest import login, screenshot
from tests.workbench.test_workbench import TODAY, _populate

ROLES = ("county_officer", "clerk", "station_officer", "deputy_user", "leader")


@pytest.fixture
def bench(world):
    from core import clock

    StationMembership.objects.create(
        deputy=world.deputy, station=world.station, start_date=datetime.date(2026, 1, 1)
    )
    rule = ReceptionRule.objects.create(
        station=world.station,
        region=world.station.region,
        kind=ReceptionRule.Kind.WEEKLY,
        weekday=TODAY.weekday(),
        valid_from=datetime.date(2026, 1, 1),
    )
    rule.deputies.set([world.deputy])
    _populate(world, 2)
    with clock.frozen(TODAY):
        yield world


@pytest.mark.parametrize("who", ROLES)
def test_each_roles_workbench_on_desktop_and_phone(page, phone_page, live_server, bench, who):
    user = getattr(bench, who)
    for name, tab in (("desktop", page), ("phone", phone_page)):
        login(tab, live_server, user)
        items = tab.locator(".workbench-item")
        assert items.count() > 0, who
        width = tab.evaluate("document.documentElement.scrollWidth")
        assert width <= tab.viewport_size["width"], (who, name, width)  # no sideways scroll
        screenshot(tab, f"workbench-{who}-{name}")
    # The first count with rows opens a list of that many rows.
    for index in range(items.count()):
        item = items.nth(index)
        count = item.locator(".wb-count").inner_text().strip()
        href = item.locator("a").get_attribute("href")
        if count != "0" and "/dashboards/" not in href:
            break
    else:
        return
    page.goto(f"{live_server.url}{href}")
    assert page.locator("tbody tr, .day-list li, .schedule-day").count() >= 1


LINES = """el => {
  const range = document.createRange();
  range.selectNodeContents(el);
  return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
}"""


def _line_count(locator) -> int:
    """On how many lines the element's text is laid out."""
    return locator.evaluate(LINES)


def test_messages_buttons_and_supervision_reasons_stay_on_one_line(page, live_server, bench):
    login(page, live_server, bench.county_officer)
    page.goto(f"{live_server.url}/notifications/")
    buttons = (page.get_by_role("button", name="全部标为已读"), page.locator(".page-actions a"))
    for button in buttons:
        assert _line_count(button.first) == 1
    screenshot(page, "messages-1366")
    page.goto(f"{live_server.url}/supervision/")
    reasons = page.locator("td[data-label='原因'] .nowrap")
    assert reasons.count() > 0
    for index in range(reasons.count()):
        assert _line_count(reasons.nth(index)) == 1
    screenshot(page, "supervision-queue-1366")
