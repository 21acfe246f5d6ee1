"""The main pages work under the Content-Security-Policy (issue 13, point 8).

Chromium enforces the policy the portal sends; any blocked inline script, handler or
style shows up as a `securitypolicyviolation` event and a console error, and fails the
test. What the inline handlers did (language switch, print button) still works.
"""

from django.urls import reverse

from tests.browser.conftest import login, screenshot

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__violations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


def _violations(page):
    return page.evaluate("window.__violations || []")


def test_an_officers_main_pages_run_under_the_policy(page, live_server, world):
    page.add_init_script(WATCH)
    login(page, live_server, world.county_officer)
    for path in (
        reverse("accounts:home"),
        "/stations/",
        f"/stations/{world.station.pk}/",
        "/suggestions/",
        "/dashboards/",
        "/api/docs/",
    ):
        response = page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        assert response.status == 200, path
        assert "'self'" in response.headers["content-security-policy"]
        assert "no-store" in response.headers["cache-control"], path
        assert _violations(page) == [], path
    # Swagger UI drew itself from the split view's static script.
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info", timeout=15_000)

    # The print button, once onclick=, now wired by portal.js.
    page.goto(f"{live_server.url}/duties/deputies/{world.deputy.pk}/")
    page.evaluate("window.print = function () { window.__printed = true; }")
    page.click("[data-print]")
    assert page.evaluate("window.__printed === true")

    # The language select, once onchange=, still switches the language on choosing.
    page.select_option("#language-select", "en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert _violations(page) == []
    screenshot(page, "security-headers-record-en")


def test_a_citizens_phone_pages_run_under_the_policy(phone_page, live_server, world):
    phone_page.add_init_script(WATCH)
    intake = reverse("public_suggestions:new_for_deputy", args=[world.deputy.public_token])
    for path in (intake, reverse("public_suggestions:track")):
        response = phone_page.goto(f"{live_server.url}{path}")
        phone_page.wait_for_load_state("networkidle")
        assert response.status == 200
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert _violations(phone_page) == [], path
    screenshot(phone_page, "security-headers-track")
