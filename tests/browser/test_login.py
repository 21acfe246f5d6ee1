from tests.browser.conftest import login, screenshot


def test_county_officer_logs_in_and_sees_their_home(page, live_server, world):
    login(page, live_server, world.county_officer)

    assert page.locator("h1").inner_text().startswith("您好")
    assert "县区人大工作人员 · 交城县" in page.locator(".role-list").inner_text()
    assert page.get_by_role("link", name="账号管理").first.is_visible()
    screenshot(page, "home-county-officer")


def test_wrong_password_is_refused_in_chinese(page, live_server, world):
    login(page, live_server, world.county_officer, password="wrong-password-1")

    assert "/login/" in page.url
    assert "请输入一个正确的" in page.locator(".form-errors").inner_text()


def test_leader_home_says_read_only(page, live_server, world):
    login(page, live_server, world.leader)

    assert "您的角色为只读" in page.locator(".notice").inner_text()
