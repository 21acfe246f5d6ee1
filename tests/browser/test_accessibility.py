"""axe-core on the public pages, the login page and each role's workbench: no serious or
critical violations (issue 19.6)."""

import pytest

from tests.browser.axe import serious_violations
from tests.browser.conftest import login
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
