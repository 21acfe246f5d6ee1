"""axe-core on the public pages, the login page and each role's workbench: no serious or
critical violations (issue 19.6)."""

import pytest

from tests.browser.axe import serious_violations
from tests.browser.conftest import login, screenshot
from tests.browser.test_workbench import ROLES, bench  # noqa: F401, F811 (the fixture)


def test_public_pages_and_login_have_no_serious_violations(page, phone_page, live_server, world):
    urls = [
        "/login/",
        f"/p/d/{world.deputy.public_token}/",
        f"/p/s/{world.station.public_token}/",
        f"/c/d/{world.deputy.public_token}/",
        "/c/track/",
    ]
    for tab in (page, phone_page):
        for url in urls:
            response = tab.goto(f"{live_server.url}{url}")
            assert response.status == 200, url
            assert serious_violations(tab, live_server) == [], url


@pytest.mark.parametrize("who", ROLES)
def test_each_workbench_has_no_serious_violations(page, live_server, bench, who):  # noqa: F811
    login(page, live_server, getattr(bench, who))
    assert page.locator(".workbench-item").count() > 0
    assert serious_violations(page, live_server) == [], who


def test_public_text_size_200_percent_is_remembered_and_reflows(phone_page, live_server, world):
    url = f"{live_server.url}/p/d/{world.deputy.public_token}/"
    phone_page.goto(url)

    def body_px():
        return phone_page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('main') || document.body).fontSize)"
        )

    normal = body_px()
    spacing = phone_page.evaluate(
        """() => {
          const s = getComputedStyle(document.querySelector('main p') || document.body);
          return parseFloat(s.lineHeight) / parseFloat(s.fontSize);
        }"""
    )
    assert spacing >= 1.3
    phone_page.get_by_role("button", name="特大").click()
    assert body_px() >= 1.9 * normal
    phone_page.reload()  # remembered in this browser
    assert body_px() >= 1.9 * normal
    assert phone_page.get_by_role("button", name="特大").get_attribute("aria-pressed") == "true"
    screenshot(phone_page, "public-deputy-text-200")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= phone_page.viewport_size["width"] + 1  # reflows, no sideways scroll
    assert phone_page.get_by_role("button", name="我要反映问题").is_visible()
    assert serious_violations(phone_page, live_server) == []
    screenshot(phone_page, "public-deputy-text-200")
