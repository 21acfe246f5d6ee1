"""Two-factor login end to end in Chromium: enrol an authenticator, log out, log in with
a code computed from the enrolled key, use a recovery code once and see it refused the
second time."""

import base64

from django_otp.oath import totp
from playwright.sync_api import expect

from tests.browser.conftest import login, screenshot
from tests.factories import PASSWORD


def _code(secret: str, drift: int = 0) -> str:
    key = base64.b32decode(secret.replace(" ", ""))
    return f"{totp(key, drift=drift):06d}"


def _log_out(page):
    page.locator("details.user-menu summary").click()
    page.get_by_role("button", name="退出登录").click()
    page.wait_for_load_state("networkidle")
    assert "/login/" in page.url


def test_enrol_an_authenticator_and_log_in_with_it_and_a_recovery_code(page, live_server, world):
    login(page, live_server, world.county_officer)
    page.get_by_role("link", name="两步验证（身份验证器、短信、恢复码）").click()
    page.locator("a", has_text="绑定身份验证器").click()
    # is_visible() does not wait for the page the click opens: expect() does
    expect(page.locator(".totp-qr svg")).to_be_visible()  # drawn by the portal itself
    screenshot(page, "two-factor-enrol")
    secret = page.locator("#totp-secret").inner_text()
    page.fill("#id_token", _code(secret))
    page.get_by_role("button", name="完成绑定").click()

    # all_inner_texts() does not wait: wait for the page that shows the codes first
    page.locator(".recovery-codes code").first.wait_for()
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    screenshot(page, "two-factor-recovery-codes")
    page.locator("a", has_text="我已保存").click()
    assert "已绑定" in page.locator(".cards").inner_text()
    _log_out(page)

    # the password alone no longer signs in: a code from the app does
    login(page, live_server, world.county_officer)
    assert "/login/verify/" in page.url
    screenshot(page, "two-factor-verify")
    # the enrolment used this time step's code; the app's next one is accepted now too
    page.fill("#id_token", _code(secret, drift=1))
    page.get_by_role("button", name="验证并登录").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith("您好")
    _log_out(page)

    # a recovery code works once
    login(page, live_server, world.county_officer)
    page.fill("#id_token", codes[0])
    page.get_by_role("button", name="验证并登录").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("h1").inner_text().startswith("您好")
    _log_out(page)

    login(page, live_server, world.county_officer)
    page.fill("#id_token", codes[0])
    page.get_by_role("button", name="验证并登录").click()
    page.wait_for_load_state("networkidle")
    assert "/login/verify/" in page.url
    assert "验证码不正确或已失效" in page.locator(".form-errors").inner_text()
    # the refused code answered 400, which Chromium reports on the console
    assert page.console_errors == [
        "Failed to load resource: the server responded with a status of 400 (Bad Request)"
    ]
    page.console_errors.clear()


def test_an_administrator_requires_it_and_the_next_login_must_enrol(page, live_server, world):
    login(page, live_server, world.sysadmin)
    page.goto(f"{live_server.url}/security/rules/")
    page.select_option("#id_role", label="乡镇街道人大工作人员")
    page.select_option("#id_region", label=str(world.county))
    page.get_by_role("button", name="要求两步验证").click()
    page.wait_for_load_state("networkidle")
    assert "乡镇街道人大工作人员" in page.locator("table.two-factor-rules").inner_text()
    screenshot(page, "two-factor-rules")
    _log_out(page)

    login(page, live_server, world.township_officer)
    assert page.url.endswith("/security/")  # forced enrolment before anything else
    assert "本辖区要求您的角色使用两步验证" in page.locator(".notice").inner_text()
    screenshot(page, "two-factor-required")
    page.goto(f"{live_server.url}/stations/")
    assert page.url.endswith("/security/")
    page.locator("a", has_text="绑定身份验证器").click()
    page.fill("#id_token", _code(page.locator("#totp-secret").inner_text()))
    page.get_by_role("button", name="完成绑定").click()
    page.locator("a", has_text="我已保存").click()
    page.goto(f"{live_server.url}/stations/")
    assert page.url.endswith("/stations/")


def test_a_locked_owner_signs_in_with_password_and_code(page, live_server, world, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.AXES_FAILURE_LIMIT = 3
    device = TOTPDevice.objects.create(user=world.township_officer, name="app", confirmed=True)
    for _ in range(3):
        login(page, live_server, world.township_officer, password="wrong-password-1")
    login(page, live_server, world.township_officer)
    assert "账号已暂时锁定" in page.locator("h1").inner_text()
    screenshot(page, "login-locked")

    page.locator("a", has_text="用密码加验证码登录").first.click()
    page.fill("#id_username", world.township_officer.username)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_token", _code(base64.b32encode(device.bin_key).decode()))
    screenshot(page, "login-second-factor")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")

    assert page.locator("h1").inner_text().startswith("您好")
    # the locked answers were 429, which Chromium reports on the console
    assert all("429" in error for error in page.console_errors)
    page.console_errors.clear()
