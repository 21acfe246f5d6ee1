"""A county officer opens a station, registers a deputy and groups the deputy into it."""

from deputies.models import Deputy, StationMembership
from stations.models import Station
from tests.browser.conftest import login, screenshot


def test_county_officer_creates_station_and_deputy_and_groups_them(page, live_server, world):
    login(page, live_server, world.county_officer)

    # Given the station list of 交城县
    page.locator(".main-nav").get_by_role("link", name="联络站点", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "天宁镇人大代表联络站" in page.locator("#results").inner_text()
    screenshot(page, "stations-list")

    # When the officer creates a station in 夏家营镇
    page.get_by_role("button", name="新建站点").click()
    page.fill("#id_name", "夏家营镇第二联络站")
    page.select_option("#id_kind", "township")
    page.select_option("#id_region", label="夏家营镇")
    page.fill("#id_address", "夏家营镇文化广场东侧")
    page.fill("#id_opening_hours", "每周四全天")
    page.fill("#id_phone", "0358-5621234")
    page.fill("#id_head_name", "赵建华")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    assert page.locator("h1").inner_text() == "夏家营镇第二联络站"
    station = Station.objects.get(name="夏家营镇第二联络站")

    # And registers a deputy
    page.locator(".main-nav").get_by_role("link", name="人大代表", exact=True).click()
    page.wait_for_load_state("networkidle")
    screenshot(page, "deputies-list")
    page.get_by_role("button", name="登记代表").click()
    page.fill("#id_name", "李桂兰")
    page.select_option("#id_gender", "female")
    page.select_option("#id_level", "county")
    page.select_option("#id_region", label="夏家营镇")
    page.fill("#id_work_unit", "夏家营镇卫生院")
    page.fill("#id_phone", "13900001111")
    page.fill("#id_commitment", "守护乡亲健康。")
    with page.expect_navigation():
        page.get_by_role("button", name="保存").click()
    assert page.locator("h1").inner_text().startswith("李桂兰")

    # And groups the deputy into the new station
    page.select_option("#id_station", label="夏家营镇第二联络站")
    with page.expect_navigation():
        page.get_by_role("button", name="编入", exact=True).click()
    assert "已编入夏家营镇第二联络站" in page.locator(".messages").inner_text()
    screenshot(page, "deputy-detail")

    # Then the station shows the deputy
    deputy = Deputy.objects.get(name="李桂兰")
    assert StationMembership.objects.filter(deputy=deputy, station=station).exists()
    page.get_by_role("link", name="夏家营镇第二联络站").first.click()
    page.wait_for_load_state("networkidle")
    assert "李桂兰" in page.locator("main").inner_text()
    screenshot(page, "station-detail")


def test_station_list_filters_live_on_a_phone(phone_page, live_server, world):
    login(phone_page, live_server, world.county_officer)
    phone_page.goto(f"{live_server.url}/stations/")

    phone_page.select_option("#id_kind", "village_point")
    phone_page.wait_for_function(
        # A function, not an expression: Playwright evaluates a bare expression with
        # eval, which the Content-Security-Policy (script-src 'self') refuses.
        "() => !document.querySelector('#results').innerText.includes('夏家营镇联络站')"
    )

    assert "kind=village_point" in phone_page.url
    assert "西街社区联络点" in phone_page.locator("#results").inner_text()
    screenshot(phone_page, "stations-list-phone")


def test_import_report_lists_every_problem(page, live_server, world, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    from stations.importing import STATION_COLUMNS
    from tests.stations.helpers import sheet

    headers = [c.header for c in STATION_COLUMNS]
    upload = sheet(
        headers,
        ["", "联络站", world.township.code],
        ["甲站", "太空站", "999999999"],
    )
    path = tmp_path / "bad.xlsx"
    path.write_bytes(upload.getvalue())
    login(page, live_server, world.county_officer)
    page.goto(f"{live_server.url}/stations/import/")

    page.set_input_files("#id_file", str(path))
    with page.expect_navigation():
        page.get_by_role("button", name="上传并检查").click()

    report = page.locator(".import-report").inner_text()
    assert "3 处问题" in report and "太空站" in report and "区划代码“999999999”不存在" in report
    screenshot(page, "stations-import-report")
