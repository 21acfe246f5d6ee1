"""A deputy reads their contact households masked and reveals one number, with a reason."""

from audit.models import AuditRecord
from tests.browser.conftest import login, screenshot
from tests.receptions.registers import registers


def test_deputy_reveals_a_households_number_with_a_reason(page, live_server, world):
    household = registers(world).household  # 李大妈, 13900001111
    login(page, live_server, world.deputy_user)
    page.goto(f"{live_server.url}/receptions/deputies/{world.deputy.pk}/households/")
    row = page.locator("tbody tr", has_text="李大妈")
    assert "139****1111" in row.inner_text()
    assert "13900001111" not in page.content()
    screenshot(page, "households-masked-desktop")

    # Without a reason the browser does not send the reveal.
    row.get_by_role("button", name="显示").click()
    assert not AuditRecord.objects.filter(action="reveal").exists()
    row.locator("select[name=reason]").select_option("callback")
    row.get_by_role("button", name="显示").click()
    page.wait_for_selector(".revealed-phone")
    assert row.locator(".revealed-phone").inner_text() == "13900001111"
    screenshot(page, "households-revealed-desktop")
    record = AuditRecord.objects.get(action="reveal")
    assert record.actor == world.deputy_user and record.object_id == str(household.pk)
    assert record.changes["reason"] == "callback"
