"""County staff work the supervision queue: key items, letters, supervising by hand."""

import datetime

from django.utils import timezone

from supervision import sweeps
from supervision.beat import ensure_default_schedules
from supervision.models import Supervision
from tests.browser.conftest import login, screenshot
from tests.supervision.helpers import assigned


def _escalated(world, count=3):
    for _ in range(count):
        assigned(world, on=datetime.date(2026, 3, 2))
    sweeps.escalate_overdue(now=timezone.make_aware(datetime.datetime(2026, 3, 5, 9)))
    return list(Supervision.objects.order_by("pk"))


def test_county_staff_mark_a_key_item_in_the_queue(page, live_server, world):
    records = _escalated(world)
    login(page, live_server, world.county_officer)

    page.goto(f"{live_server.url}/supervision/")
    assert page.locator("h1").inner_text() == "督办台账"
    assert page.locator("tbody tr").count() == 3
    last = page.locator(f"#supervision-{records[-1].pk}")
    last.get_by_role("button", name="重点督办").click()
    last.locator(".key-badge").wait_for()
    screenshot(page, "supervision-queue")

    page.reload()
    # The key item now heads the queue
    assert page.locator("tbody tr").first.get_attribute("id") == f"supervision-{records[-1].pk}"
    assert Supervision.objects.get(pk=records[-1].pk).key


def test_supervising_by_hand_from_the_suggestion_page(page, live_server, world):
    suggestion = assigned(world, on=datetime.date(2026, 3, 2))
    login(page, live_server, world.county_officer)

    page.goto(f"{live_server.url}/suggestions/{suggestion.pk}/")
    page.get_by_role("button", name="督办该事项").click()
    page.fill("#id_note", "群众反映强烈，请三日内解决并答复。")
    page.check("#id_key")
    page.get_by_role("button", name="督办").click()
    page.wait_for_url(f"**/suggestions/{suggestion.pk}/")

    panel = page.locator(".supervision-panel")
    assert "交城县" in panel.inner_text() and "重点督办" in panel.inner_text()
    screenshot(page, "supervision-suggestion-panel")


def test_the_queue_reads_on_a_phone(phone_page, live_server, world):
    _escalated(world, 2)
    login(phone_page, live_server, world.township_officer)

    phone_page.goto(f"{live_server.url}/supervision/")
    assert phone_page.locator("tbody tr").count() == 2
    screenshot(phone_page, "supervision-queue-phone")


def test_sysadmins_read_the_schedules(page, live_server, world, settings):
    ensure_default_schedules(settings.CELERY_BEAT_SCHEDULE)
    login(page, live_server, world.sysadmin)

    page.goto(f"{live_server.url}/supervision/schedules/")
    assert "supervision-overdue-sweep" in page.locator(".schedule-table").inner_text()
    screenshot(page, "supervision-schedules")
