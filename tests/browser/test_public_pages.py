"""A citizen scans a deputy's code with a phone; an officer prints placards."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from PIL import Image, ImageDraw

from core.outbox import run_pending
from deputies.models import StationMembership
from public import qr
from tests.browser.conftest import login, screenshot
from tests.public.helpers import decode_qr_png, pdf_pages


@pytest.fixture
def scanned_world(world, settings, tmp_path, live_server):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PUBLIC_BASE_URL = live_server.url
    deputy = world.deputy
    deputy.work_unit = "天宁镇西街社区"
    deputy.position = "党支部书记"
    deputy.phone = "13812345678"
    deputy.constituency = "天宁镇第三选区"
    deputy.commitment = "倾听群众呼声，件件有回音；每月5日在天宁镇联络站接待选民。"
    deputy.photo = SimpleUploadedFile("ma.jpg", _portrait(), content_type="image/jpeg")
    deputy.save()
    station = world.station
    station.address = "交城县天宁镇政府院内"
    station.opening_hours = "工作日 8:30-12:00，14:30-17:30"
    station.phone = "0358-5622001"
    station.head_name = "刘芳"
    station.save()
    for member in (deputy, world.other_deputy):
        StationMembership.objects.create(
            deputy=member, station=station, start_date=datetime.date(2024, 1, 1)
        )
    return world


def _portrait() -> bytes:
    """A stand-in photo: a calm studio portrait silhouette."""
    image = Image.new("RGB", (900, 1200), (214, 222, 232))
    draw = ImageDraw.Draw(image)
    draw.ellipse((300, 220, 600, 560), fill=(92, 78, 70))
    draw.rounded_rectangle((170, 600, 730, 1300), radius=200, fill=(40, 52, 74))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def _scan(kind: str, obj) -> str:
    """What a phone's scanner reads from the printed code."""
    [url] = decode_qr_png(qr.qr_bytes(qr.public_url(kind, obj.public_token), "png"))
    return url


def test_phone_opens_a_deputys_code_and_reads_it_comfortably(phone_page, scanned_world):
    deputy = scanned_world.deputy
    phone_page.goto(_scan("deputy", deputy))

    assert phone_page.locator("h1").inner_text() == "马志刚"
    body = phone_page.locator("main").inner_text()
    assert "倾听群众呼声，件件有回音" in body
    assert "不公开，请通过联络站联系" in body  # a private number is not shown, not even masked
    assert "13812345678" not in phone_page.content() and "138****5678" not in body
    assert "天宁镇人大代表联络站" in body
    try:
        intake = reverse("public_suggestions:new_for_deputy", args=[deputy.public_token])
    except NoReverseMatch:
        intake = None
    button = phone_page.get_by_role("button", name="我要反映问题")
    if intake:
        assert button.get_attribute("href") == intake
        box = button.bounding_box()
        assert box["height"] >= 56 and box["width"] >= 300  # easy to hit with a thumb
    else:
        assert button.count() == 0
    for selector in (".person-unit", ".commitment", ".facts dd"):
        font_size, line_height = phone_page.evaluate(
            "(selector) => { const s = getComputedStyle(document.querySelector(selector));"
            " return [parseFloat(s.fontSize), parseFloat(s.lineHeight)]; }",
            selector,
        )
        assert font_size >= 18, selector
        assert line_height / font_size >= 1.5, selector
    # The photo is a thumbnail that loaded, not the 900x1200 original.
    natural = phone_page.evaluate("() => document.querySelector('img.person-photo').naturalWidth")
    assert natural == 300
    # Nothing wider than the phone: no sideways scrolling for an older reader.
    assert phone_page.evaluate("() => document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "public-deputy-phone")


def test_phone_opens_a_station_code(phone_page, scanned_world):
    phone_page.goto(_scan("station", scanned_world.station))

    assert phone_page.locator("h1").inner_text() == "天宁镇人大代表联络站"
    body = phone_page.locator("main").inner_text()
    for text in ("交城县天宁镇政府院内", "0358-5622001", "马志刚", "王秀英"):
        assert text in body
    phone_page.get_by_role("link", name="马志刚").click()
    assert phone_page.locator("h1").inner_text() == "马志刚"
    phone_page.go_back()
    assert phone_page.evaluate("() => document.documentElement.scrollWidth") <= 390
    screenshot(phone_page, "public-station-phone")


def test_phone_on_a_closed_code_gets_a_calm_page(phone_page, scanned_world):
    scanned_world.deputy.status = "terminated"
    scanned_world.deputy.save(update_fields=["status"])

    response = phone_page.goto(_scan("deputy", scanned_world.deputy))

    assert response.status == 404
    assert "该页面暂不可用" in phone_page.locator("h1").inner_text()
    phone_page.console_errors.clear()  # the browser logs the 404 itself
    screenshot(phone_page, "public-unavailable-phone")


def test_county_officer_downloads_a_placard_from_the_deputy_page(page, live_server, scanned_world):
    deputy = scanned_world.deputy
    login(page, live_server, scanned_world.county_officer)
    page.goto(live_server.url + reverse("deputies:detail", args=[deputy.pk]))
    panel = page.locator(".codes-panel")
    page.wait_for_function(
        "() => { const img = document.querySelector('.codes-panel img');"
        " return img.complete && img.naturalWidth > 0; }"
    )

    with page.expect_download() as info:
        panel.get_by_role("link", name="下载亮码牌（PDF）").click()
    download = info.value

    assert download.suggested_filename == "马志刚-亮码牌.pdf"
    content = Path(download.path()).read_bytes()
    assert content.startswith(b"%PDF")
    assert len(pdf_pages(content, scale=0.5)) == 1
    screenshot(page, "deputy-detail-codes-panel")


def test_batch_placards_progress_updates_live_and_downloads(page, live_server, scanned_world):
    station = scanned_world.station
    login(page, live_server, scanned_world.county_officer)
    page.goto(live_server.url + reverse("placards:batch"))
    assert page.get_by_label("联络站").locator("option", has_text="天宁镇人大代表联络站").count()
    screenshot(page, "placard-batch-form")
    page.goto(live_server.url + reverse("stations:detail", args=[station.pk]))

    page.locator(".codes-panel").get_by_role("button", name="批量生成亮码牌").click()
    page.wait_for_url("**/jobs/*/")
    assert "排队中" in page.locator("#job-progress").inner_text()

    # The worker runs the job while the page polls (every 2 s, through htmx).
    run_pending()
    download_link = page.locator("#job-progress").get_by_role("button", name="下载")
    download_link.wait_for(timeout=10_000)
    assert "已完成" in page.locator("#job-progress").inner_text()
    screenshot(page, "job-progress-done")
    with page.expect_download() as info:
        download_link.click()
    content = Path(info.value.path()).read_bytes()
    assert len(pdf_pages(content, scale=0.5)) == 2
