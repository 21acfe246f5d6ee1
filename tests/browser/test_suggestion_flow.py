"""A citizen scans a deputy's code, raises a suggestion and follows it; staff handle it."""

import datetime

from django.core.files.base import ContentFile

from deputies.models import StationMembership
from suggestions import services
from suggestions.models import Suggestion
from tests.browser.conftest import login, screenshot


def test_citizen_raises_a_suggestion_from_the_deputys_page_and_tracks_it(
    phone_page, live_server, world
):
    page = phone_page
    StationMembership.objects.create(
        deputy=world.deputy, station=world.station, start_date=datetime.date(2026, 1, 1)
    )
    # The deputy's public page (what the QR code opens) has the big button
    page.goto(f"{live_server.url}/p/d/{world.deputy.public_token}/")
    page.get_by_text("我要反映问题").first.click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").first.inner_text() == "我要反映问题"
    assert page.get_by_text("个人信息告知").is_visible()
    # The honeypot is out of sight (off-screen, so that bots still see it)
    box = page.locator("input[name=website]").bounding_box()
    assert box is None or box["x"] + box["width"] <= 0
    page.select_option("#id_category", "water")
    page.fill("#id_content", "西街社区3号楼停水三天了，一直没人来修，老人买水很困难。")
    page.fill("#id_place", "西街社区3号楼")
    page.fill("#id_contact_name", "张大爷")
    page.fill("#id_contact_phone", "13812345678")
    screenshot(page, "suggestion-intake-phone")
    # A double tap on the button sends the same form token: one suggestion, one receipt
    page.get_by_role("button", name="提交").dblclick()
    page.wait_for_url("**/c/r/**")

    # Receipt: the tracking code, readable over the phone
    assert page.locator("h1").inner_text() == "提交成功"
    suggestion = Suggestion.objects.get()
    assert page.locator(".tracking-code").inner_text() == suggestion.display_code
    screenshot(page, "suggestion-receipt-phone")
    page.reload()
    assert page.locator(".tracking-code").inner_text() == suggestion.display_code
    assert Suggestion.objects.count() == 1
    # Back to the form and send it again: the same receipt, still one suggestion
    page.go_back()
    page.wait_for_load_state("networkidle")
    if not page.locator("#id_content").input_value():
        page.select_option("#id_category", "water")
        page.fill("#id_content", "西街社区3号楼停水三天了，一直没人来修，老人买水很困难。")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/c/r/**")
    assert page.locator(".tracking-code").inner_text() == suggestion.display_code
    assert Suggestion.objects.count() == 1

    # Tracking on another visit: code + last 4 digits
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/c/track/")
    page.fill("#id_code", suggestion.display_code.lower())
    page.fill("#id_phone_last4", "5678")
    page.get_by_role("button", name="查询").click()
    page.wait_for_load_state("networkidle")
    assert "待受理" in page.locator(".status-line").inner_text()
    assert "您的意见建议已提交" in page.locator(".public-timeline").inner_text()
    screenshot(page, "suggestion-track-phone")

    # The reply arrives with a file: the citizen reads it and downloads the file
    services.suggestion_handle_locally(actor=world.township_officer, suggestion=suggestion)
    services.suggestion_reply(
        actor=world.township_officer,
        suggestion=suggestion,
        text="已联系供水公司抢修，明天中午前恢复供水。",
        attachments=[ContentFile(b"%PDF-1.4 repair order", name="抢修通知.pdf")],
    )
    page.reload()
    assert "明天中午前恢复供水" in page.locator(".reply-text").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="抢修通知.pdf").click()
    assert download.value.suggested_filename == "抢修通知.pdf"
    screenshot(page, "suggestion-track-reply-phone")


def test_deputy_answers_on_the_spot_from_a_phone(phone_page, live_server, world):
    from suggestions import services

    suggestion, _ = services.suggestion_submit(
        channel="qr",
        category="roads",
        content="村口路灯坏了一个多月，晚上出门看不见路。",
        deputy=world.deputy,
        contact_name="李阿姨",
        contact_phone="13900001111",
    )
    page = phone_page
    login(page, live_server, world.deputy_user)
    page.goto(f"{live_server.url}/suggestions/")
    page.get_by_role("link", name=suggestion.display_code).click()
    page.wait_for_load_state("networkidle")
    assert "139****1111" in page.content()
    page.fill("textarea[name=text]", "已联系镇政府，明天更换路灯。")
    screenshot(page, "suggestion-deputy-detail-phone")
    page.get_by_role("button", name="提交答复").first.click()
    page.wait_for_load_state("networkidle")
    assert "已记录当场答复" in page.locator(".messages").inner_text()
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.REPLIED


def test_county_officer_assigns_from_the_inbox_and_reveals_a_phone(page, live_server, world):
    from suggestions import services

    for n in range(3):
        services.suggestion_submit(
            channel="qr",
            category="drainage",
            content=f"第{n + 1}件：雨后小区门口积水很深，出行困难。",
            deputy=world.deputy,
            contact_name="王师傅",
            contact_phone=f"1370000000{n}",
        )
    login(page, live_server, world.county_officer)
    page.goto(f"{live_server.url}/suggestions/")
    assert page.locator("tbody tr").count() == 3
    assert "137****0000" in page.locator("tbody").inner_text()
    screenshot(page, "suggestion-inbox-desktop")
    boxes = page.locator("input[name=ids]")
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.select_option("#id_lead_unit", label="交城县水务局")
    page.get_by_role("button", name="交办", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "已将2件交办给交城县水务局" in page.locator(".messages").inner_text()
    assert Suggestion.objects.filter(status="assigned").count() == 2

    page.locator("tbody a").first.click()
    page.wait_for_load_state("networkidle")
    page.select_option(".inline-reveal select[name=reason]", "callback")  # a reveal says why
    page.get_by_role("button", name="显示").click()
    page.wait_for_selector(".revealed-phone")
    assert page.locator(".revealed-phone").inner_text().startswith("1370000000")
    screenshot(page, "suggestion-detail-desktop")
