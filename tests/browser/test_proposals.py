"""A deputy turns a concern into a formal suggestion on a phone; the unit replies at a desk."""

import datetime

import pytest

from core import clock as core_clock
from proposals import services
from proposals.models import Proposal
from tests.browser.conftest import login, screenshot
from tests.proposals.world import PDF, cast
from tests.suggestions.world import suggestion_world


@pytest.fixture
def concern(world, settings, tmp_path, live_server):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    sw = suggestion_world(world)
    sw.suggestion.deputy = world.deputy
    sw.suggestion.save(update_fields=["deputy"])
    sw.photo.delete()  # the cast's photo has no file behind it
    cast(world)
    with core_clock.frozen(datetime.date(2026, 7, 1)):
        yield sw.suggestion


def test_a_deputy_raises_from_a_concern_and_the_unit_replies(
    phone_page, page, live_server, world, concern, tmp_path
):
    login(phone_page, live_server, world.deputy_user)
    phone_page.goto(f"{live_server.url}/suggestions/{concern.pk}/")
    phone_page.get_by_role("button", name="转为代表建议").click()
    assert phone_page.locator("h1").inner_text() == "提出代表建议"
    assert concern.content[:8] in phone_page.locator("#id_problem").input_value()
    phone_page.fill("#id_title", "关于西街供水管网改造的建议")
    phone_page.select_option("#id_category", "urban")
    phone_page.fill("#id_causes", "管网老化，改造资金未列入计划。")
    phone_page.fill("#id_solution", "列入明年计划，分两期实施。")
    screenshot(phone_page, "proposals-phone-raise")
    phone_page.get_by_role("button", name="保存草稿").click()
    phone_page.get_by_role("button", name="提交建议").click()
    phone_page.wait_for_load_state("networkidle")
    assert "待登记" in phone_page.locator(".page-head").inner_text()
    screenshot(phone_page, "proposals-phone-submitted")
    proposal = Proposal.objects.get()
    assert proposal.sources.get().object_id == concern.pk

    services.proposal_register(actor=world.county_officer, proposal=proposal)
    services.proposal_assign(actor=world.county_officer, proposal=proposal, lead_unit=world.unit)

    login(page, live_server, world.clerk)
    page.goto(f"{live_server.url}/proposals/")
    page.get_by_role("link", name="关于西街供水管网改造的建议").click()
    assert "答复前须先登记办理前与代表的见面沟通" in page.locator("main").inner_text()
    page.get_by_role("button", name="登记见面沟通").click()
    page.select_option("#id_stage", "before")
    page.select_option("#id_mode", "face")
    page.fill("#id_participants", "马志刚代表、水务局李局长")
    page.fill("#id_agreed", "先改西街主管，年底前完工。")
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state("networkidle")
    assert "办前见面" in page.locator("main").inner_text()
    page.get_by_role("button", name="答复", exact=True).click()
    page.select_option("#id_klass", "A")
    page.fill("#id_text", "西街主管改造已完成，供水恢复正常。")
    page.fill("#id_signed_by", "张局长")
    letter = tmp_path / "答复函.pdf"
    letter.write_bytes(PDF)
    page.set_input_files("#id_letter", str(letter))
    screenshot(page, "proposals-desk-reply")
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state("networkidle")
    assert "已答复待评价" in page.locator(".page-head").inner_text()
    screenshot(page, "proposals-desk-replied")
    proposal.refresh_from_db()
    assert proposal.status == "replied" and proposal.replies.get().klass == "A"

    phone_page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    assert "西街主管改造已完成" in phone_page.locator("main").inner_text()
    phone_page.get_by_role("button", name="评价").click()
    phone_page.locator("input[name=attitude][value=satisfied]").check()
    phone_page.locator("input[name=result][value=satisfied]").check()
    phone_page.get_by_role("button", name="提交").click()
    phone_page.wait_for_load_state("networkidle")
    assert "已办结" in phone_page.locator(".page-head").inner_text()
