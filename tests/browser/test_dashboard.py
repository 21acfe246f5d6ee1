"""A leader opens the dashboard: figures, charts that really draw, and a drill-down."""

import datetime

from django.utils import timezone

from dashboards.periods import add_months
from dashboards.rollups import rollup_refresh
from jobs.models import Job
from suggestions.models import Suggestion
from tests.browser.conftest import login, screenshot
from tests.dashboards.conftest import reception, suggestion

S = Suggestion.Status
CATEGORIES = ["water", "roads", "heating", "old_housing", "parking", "elderly_care"]


def _months_of_work(world):
    """Six months of receptions and suggestions at two townships of 交城县."""
    today = timezone.localdate()
    for back in range(6):
        month = add_months(today.replace(day=1), -back)
        for n, (station, township) in enumerate(
            [(world.station, world.township), (world.sibling_station, world.other_township)]
        ):
            day = min(month + datetime.timedelta(days=4 + 7 * n), today)
            suggestions = []
            for i in range(3 + (back + n) % 4):
                status = [S.CLOSED, S.CLOSED, S.HANDLING, S.REPLIED, S.CLOSED][i % 5]
                suggestions.append(
                    suggestion(
                        township,
                        CATEGORIES[(i + back) % len(CATEGORIES)],
                        status,
                        station=station,
                        day=day,
                        due_date=day + datetime.timedelta(days=14),
                        replied_at=timezone.now() if status != S.HANDLING else None,
                        satisfaction="satisfied"
                        if status == S.CLOSED and i % 3
                        else ("basically" if status == S.CLOSED else ""),
                    )
                )
            reception(
                station,
                day,
                [world.deputy, world.other_deputy][: 1 + n % 2],
                4 + back + n,
                suggestions,
            )
    world.station.stars = 5
    world.station.save(update_fields=["stars"])
    world.sibling_station.stars = 3
    world.sibling_station.save(update_fields=["stars"])
    rollup_refresh()


def _chart_box(page, selector):
    canvas = page.locator(f"{selector} canvas").first
    canvas.wait_for(state="attached")
    return canvas.bounding_box()


def test_leader_reads_the_county_dashboard_and_drills_down(page, live_server, world):
    _months_of_work(world)
    login(page, live_server, world.leader)

    # Given the leader opens 统计看板 from the menu
    page.locator(".main-nav").get_by_role("link", name="统计看板", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith("交城县")

    # Then the headline figures and both charts are drawn
    assert page.locator(".headline .figure").count() == 4
    for selector in ("#chart-trend", "#chart-categories"):
        box = _chart_box(page, selector)
        assert box and box["width"] > 200 and box["height"] > 100, selector
    screenshot(page, "dashboard-county")

    # When the leader drills down to 天宁镇 from the ranking
    page.locator(".ranking-table").get_by_role("link", name="天宁镇").click()
    page.wait_for_load_state("networkidle")

    # Then the township's dashboard ranks its station
    assert page.locator("h1").inner_text().startswith("天宁镇")
    assert "天宁镇人大代表联络站" in page.locator(".ranking-table").inner_text()
    assert _chart_box(page, "#chart-trend")["width"] > 200
    screenshot(page, "dashboard-township")


def test_dashboard_reads_well_on_a_tablet(browser, live_server, transactional_db, world):
    from tests.browser.conftest import _new_page

    _months_of_work(world)
    context, tablet = _new_page(browser, viewport={"width": 820, "height": 1180}, has_touch=True)
    try:
        login(tablet, live_server, world.leader)
        tablet.goto(f"{live_server.url}/dashboards/{world.county.code}/")
        tablet.wait_for_load_state("networkidle")
        # Two figures a row on a tablet, nothing wider than the screen.
        first, second, third = (
            tablet.locator(".headline .figure").nth(i).bounding_box() for i in range(3)
        )
        assert first["y"] == second["y"] and third["y"] > first["y"]
        assert tablet.evaluate("document.documentElement.scrollWidth") <= 820
        assert _chart_box(tablet, "#chart-trend")["width"] > 300
        screenshot(tablet, "dashboard-tablet")
        assert not tablet.console_errors
    finally:
        context.close()


def test_leader_orders_a_ledger(page, live_server, world):
    login(page, live_server, world.leader)
    page.locator(".main-nav").get_by_role("link", name="工作台账", exact=True).click()
    page.wait_for_load_state("networkidle")
    page.get_by_label("代表履职情况汇总表").check()
    page.select_option("#id_period", "quarter")
    assert page.locator("#id_month").is_disabled()  # only the quarter's fields count
    screenshot(page, "ledger-form")
    with page.expect_navigation():
        page.get_by_role("button", name="生成台账").click()
    # The job's own page, titled with the region, the ledger and the quarter (the form's
    # label alone would not prove the job was started).
    assert "/jobs/" in page.url
    title = page.locator("h1").inner_text()
    assert title.startswith("交城县 代表履职情况汇总表（") and "季度" in title
    assert Job.objects.filter(created_by=world.leader, kind="ledger", title=title).exists()
