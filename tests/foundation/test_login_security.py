"""Login throttling and two-factor login (issue 13, points 6 and 7), through HTTP."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, SmsDevice, TwoFactorRequirement
from audit.models import AuditRecord
from tests.factories import PASSWORD

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:login_verify")
SECOND_FACTOR = reverse("accounts:login_second_factor")
HOME = reverse("accounts:home")


class CapturedSms:
    sent: list[tuple[str, str]] = []

    def send(self, phone, text):
        CapturedSms.sent.append((phone, text))


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "tests.foundation.test_login_security.CapturedSms"
    CapturedSms.sent = []
    return CapturedSms.sent


def code_of(device, drift=0) -> str:
    return f"{totp(device.bin_key, step=device.step, digits=device.digits, drift=drift):06d}"


def authenticator(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def a_moment_later(device) -> None:
    """django-otp refuses every code for a second or more after a wrong one (doubling with
    each failure): move the last failure back as if the user took a while to retype."""
    type(device).objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - datetime.timedelta(minutes=1)
    )


def recovery_codes(user, *codes) -> StaticDevice:
    device = StaticDevice.objects.create(user=user, name="codes", confirmed=True)
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return device


def login(client, username, password=PASSWORD, ip="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def lock_records(user, state):
    return AuditRecord.objects.filter(
        object_id=str(user.pk), action="state", changes={"locked": state}
    )


# --- 6. throttling that resists spraying ----------------------------------------------


def test_one_address_trying_many_usernames_is_blocked(client, world, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 5
    for name in ("city_officer", "county_officer", "leader", "clerk", "nobody"):
        assert login(client, name, "wrong-password-1", ip="10.9.9.9").status_code == 200

    blocked = login(client, "township_officer", ip="10.9.9.9")

    assert blocked.status_code == 429
    assert "此网络地址登录失败次数过多" in blocked.content.decode()
    assert not signed_in(client)
    # no single account reached django-axes' limit, and another address is unaffected
    assert login(client, "township_officer", ip="10.8.8.8").status_code == 302
    assert signed_in(client)
    assert AuditRecord.objects.filter(
        action="state", actor_label="10.9.9.9", changes={"address_blocked": [False, True]}
    ).exists()


def test_address_limit_counts_failures_not_successes(client, world, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 2
    for _ in range(4):
        assert login(client, "township_officer", ip="10.7.7.7").status_code == 302
        client.logout()
    login(client, "clerk", "bad-password-1", ip="10.7.7.7")

    assert login(client, "township_officer", ip="10.7.7.7").status_code == 302


def test_lockout_is_in_the_audit_trail_once(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(5):
        login(client, "township_officer", "wrong-password-1")

    assert login(client, "township_officer").status_code == 429
    assert lock_records(world.township_officer, [False, True]).count() == 1


def test_locked_owner_gets_in_with_the_authenticator_and_the_lock_is_lifted(
    client, world, settings
):
    settings.AXES_FAILURE_LIMIT = 3
    device = authenticator(world.township_officer)
    for _ in range(3):
        login(client, "township_officer", "wrong-password-1", ip="10.5.5.5")
    locked = login(client, "township_officer")
    assert locked.status_code == 429
    assert SECOND_FACTOR in locked.content.decode()  # the locked page shows the way out

    response = client.post(
        SECOND_FACTOR,
        {"username": "township_officer", "password": PASSWORD, "token": code_of(device)},
    )

    assert response.status_code == 302 and response.url == HOME
    assert signed_in(client)
    assert client.get(HOME).status_code == 200
    assert (
        lock_records(world.township_officer, [True, False])
        .filter(actor=world.township_officer)
        .exists()
    )
    client.logout()
    # the lock is gone: the password step works again (and asks for the second step)
    assert login(client, "township_officer").url == VERIFY


def test_locked_page_wants_password_and_code_together(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    device = authenticator(world.township_officer)
    recovery_codes(world.township_officer, "keepme22")
    for _ in range(3):
        login(client, "township_officer", "wrong-password-1")

    wrong_code = client.post(
        SECOND_FACTOR, {"username": "township_officer", "password": PASSWORD, "token": "000000"}
    )
    wrong_password = client.post(
        SECOND_FACTOR,
        {"username": "township_officer", "password": "guess-2026x", "token": "keepme22"},
    )

    assert wrong_code.status_code == wrong_password.status_code == 400
    assert "登录名、密码或验证码不正确" in wrong_code.content.decode()
    assert not signed_in(client)
    # a recovery code typed with a wrong password is not used up
    assert StaticToken.objects.filter(token="keepme22").exists()
    assert login(client, "township_officer").status_code == 429
    assert device.pk


def test_administrator_sees_the_lock_and_lifts_it(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        login(client, "township_officer", "wrong-password-1")
    client.force_login(world.county_officer)
    detail = reverse("accounts:user_detail", args=[world.township_officer.pk])

    assert "登录已锁定" in client.get(detail).content.decode()
    response = client.post(reverse("accounts:user_unlock", args=[world.township_officer.pk]))

    assert response.status_code == 302
    page = client.get(detail).content.decode()
    assert "登录已锁定" not in page
    assert "管理员解除登录锁定" in page  # the account's own history shows it
    assert (
        lock_records(world.township_officer, [True, False])
        .filter(actor=world.county_officer)
        .exists()
    )
    client.logout()
    assert login(client, "township_officer").status_code == 302
    assert signed_in(client)


def test_leader_cannot_unlock(client, world):
    client.force_login(world.leader)
    response = client.post(reverse("accounts:user_unlock", args=[world.township_officer.pk]))
    assert response.status_code in (403, 404)


# --- 7. two-factor login --------------------------------------------------------------


def test_account_with_an_authenticator_needs_its_code(client, world):
    device = authenticator(world.township_officer)

    step_one = login(client, "township_officer")
    assert step_one.status_code == 302 and step_one.url == VERIFY
    assert not signed_in(client)
    assert client.get(HOME).status_code == 302  # not signed in between the steps
    assert "form-errors" not in client.get(VERIFY).content.decode()

    wrong = client.post(VERIFY, {"token": "123456"})
    assert wrong.status_code == 400
    assert "验证码不正确" in wrong.content.decode()
    assert not signed_in(client)
    a_moment_later(device)

    right = client.post(VERIFY, {"token": code_of(device)})
    assert right.status_code == 302 and right.url == HOME
    assert client.get(HOME).status_code == 200
    assert AuditRecord.objects.filter(action="login", actor=world.township_officer).exists()
    assert AuditRecord.objects.filter(
        action="login_failed", actor_label="township_officer", note="第二步验证码错误"
    ).exists()


def test_second_step_expires(client, world, clock):
    authenticator(world.township_officer)
    clock(datetime.datetime(2026, 3, 2, 9, 0))
    login(client, "township_officer")
    clock(datetime.datetime(2026, 3, 2, 9, 6))

    response = client.get(VERIFY)

    assert response.status_code == 302 and response.url == LOGIN


def test_recovery_code_works_once(client, world):
    recovery_codes(world.township_officer, "abcd2345", "efgh6789")

    login(client, "township_officer")
    assert client.post(VERIFY, {"token": "ABCD 2345"}).status_code == 302
    assert signed_in(client)
    client.logout()
    login(client, "township_officer")
    again = client.post(VERIFY, {"token": "abcd2345"})

    assert again.status_code == 400
    assert not signed_in(client)
    assert AuditRecord.objects.filter(
        action="login", actor=world.township_officer, note__contains="恢复码"
    ).exists()


def test_enrol_an_authenticator_with_a_local_qr_code(client, world):
    client.force_login(world.county_officer)

    page = client.get(reverse("accounts:security_totp"))
    body = page.content.decode()
    device = TOTPDevice.objects.get(user=world.county_officer, confirmed=False)

    assert page.status_code == 200
    assert "<svg" in body and "<script" not in body.split("<main", 1)[-1].split("</main>")[0]
    assert "data:image" not in body
    wrong = client.post(reverse("accounts:security_totp"), {"token": "000000"})
    assert "验证码不正确" in wrong.content.decode()
    a_moment_later(device)
    done = client.post(reverse("accounts:security_totp"), {"token": code_of(device)})

    # the first enrolment hands out recovery codes, shown once
    assert done.status_code == 200
    codes = done.context["codes"]
    assert len(codes) == 10
    assert all(code in done.content.decode() for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert AuditRecord.objects.filter(
        object_id=str(world.county_officer.pk), note="绑定身份验证器"
    ).exists()


def test_security_pages_of_an_enrolled_account_need_the_second_factor(client, world):
    authenticator(world.county_officer)
    client.force_login(world.county_officer)  # a session that never gave a code

    response = client.get(reverse("accounts:security_totp"))

    assert response.status_code == 302 and response.url.startswith(VERIFY)


def test_enrol_sms_and_log_in_with_an_sms_code(client, world, sms):
    world.township_officer.phone = "13912345678"
    world.township_officer.save()
    client.force_login(world.township_officer)

    client.post(reverse("accounts:security_sms"), {"action": "send"})
    assert sms[-1][0] == "13912345678"
    code = sms[-1][1].split("验证码 ")[1][:6]
    client.post(reverse("accounts:security_sms"), {"action": "confirm", "token": code})
    assert SmsDevice.objects.get(user=world.township_officer).confirmed
    client.logout()

    login(client, "township_officer")
    page = client.get(VERIFY).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    client.post(VERIFY, {"action": "sms"})
    code = sms[-1][1].split("验证码 ")[1][:6]
    response = client.post(VERIFY, {"action": "verify", "token": code})

    assert response.status_code == 302 and response.url == HOME
    assert signed_in(client)


def test_sms_without_a_phone_is_explained(client, world, sms):
    client.force_login(world.township_officer)

    response = client.post(reverse("accounts:security_sms"), {"action": "send"}, follow=True)

    assert "账号没有登记手机号" in response.content.decode()
    assert not sms


def test_administrator_requires_two_factor_for_a_role_in_a_region(client, world):
    client.force_login(world.sysadmin)
    rules = reverse("accounts:two_factor_rules")
    client.post(rules, {"role": Role.TOWNSHIP_STAFF, "region": world.county.pk})
    rule = TwoFactorRequirement.objects.get()
    assert AuditRecord.objects.filter(action="create", object_id=str(rule.pk)).exists()
    assert "乡镇街道人大工作人员" in client.get(rules).content.decode()
    client.logout()

    # required but not enrolled: after the password, enrolment comes first
    assert login(client, "township_officer").status_code == 302
    assert client.get(HOME).url == reverse("accounts:security")
    assert client.get(reverse("stations:list")).url == reverse("accounts:security")
    assert client.get("/api/stations/").status_code == 403
    client.get(reverse("accounts:security_totp"))
    device = TOTPDevice.objects.get(user=world.township_officer)
    client.post(reverse("accounts:security_totp"), {"token": code_of(device)})
    assert client.get(HOME).status_code == 200
    # roles and regions the rule does not cover log in with the password only
    client.logout()
    assert login(client, "county_officer").url == HOME
    assert client.get(HOME).status_code == 200


def test_a_required_account_with_a_device_signed_in_without_it_is_sent_to_the_code(client, world):
    TwoFactorRequirement.objects.create(
        role=Role.COUNTY_STAFF, region=world.county, created_by=world.sysadmin
    )
    device = authenticator(world.county_officer)
    client.force_login(world.county_officer)

    response = client.get(HOME)
    assert response.status_code == 302 and response.url.startswith(VERIFY)
    verified = client.post(f"{VERIFY}?next=/stations/", {"token": code_of(device)})
    assert verified.url == "/stations/"
    assert client.get(HOME).status_code == 200


def test_only_system_administrators_edit_the_rules(client, world):
    client.force_login(world.county_officer)
    assert client.get(reverse("accounts:two_factor_rules")).status_code == 403
    rule = TwoFactorRequirement.objects.create(
        role=Role.TOWNSHIP_STAFF, region=world.county, created_by=world.sysadmin
    )
    delete = reverse("accounts:two_factor_rule_delete", args=[rule.pk])
    assert client.post(delete).status_code == 403
    client.force_login(world.sysadmin)
    assert client.post(delete).status_code == 302
    assert not TwoFactorRequirement.objects.exists()


def test_administrator_resets_a_lost_authenticator(client, world):
    authenticator(world.township_officer)
    client.force_login(world.county_officer)

    client.post(reverse("accounts:user_second_factor_reset", args=[world.township_officer.pk]))

    assert not TOTPDevice.objects.filter(user=world.township_officer).exists()
    assert AuditRecord.objects.filter(
        object_id=str(world.township_officer.pk), note="管理员重置两步验证"
    ).exists()
    client.logout()
    assert login(client, "township_officer").url == HOME


def test_no_rules_cost_no_queries_on_a_page(client, world, django_assert_max_num_queries):
    client.force_login(world.township_officer)
    client.get(HOME)
    # The home page is the workbench (its own constant count: tests/workbench/); what
    # matters here is that no query reads the two-factor rules or devices.
    with django_assert_max_num_queries(25) as queries:
        client.get(HOME)
    assert not any("twofactor" in q["sql"] or "otp_" in q["sql"] for q in queries.captured_queries)


def test_a_blocked_address_does_not_even_check_the_password(client, world, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 2
    for name in ("clerk", "leader"):
        login(client, name, "wrong-password-1", ip="10.6.6.6")
    before = AuditRecord.objects.filter(action="login_failed").count()

    response = login(client, "township_officer", "wrong-password-1", ip="10.6.6.6")

    assert response.status_code == 429
    assert 'value="township_officer"' in response.content.decode()
    assert "请输入一个正确的" not in response.content.decode()
    assert AuditRecord.objects.filter(action="login_failed").count() == before


def test_django_admin_signs_in_through_the_portal_login(client, world):
    response = client.get("/django-admin/login/?next=/django-admin/")

    assert response.status_code == 302
    assert response.url.startswith(LOGIN) and "django-admin" in response.url
    client.force_login(world.leader)  # signed in, not Django admin staff: refused, no loop
    assert client.get("/django-admin/login/").status_code == 403


def test_sms_codes_are_not_sent_without_end(client, world, sms):
    SmsDevice.objects.create(
        user=world.township_officer, name="sms", number="13912345678", confirmed=True
    )
    login(client, "township_officer")
    for _ in range(7):
        response = client.post(VERIFY, {"action": "sms"}, follow=True)

    assert len(sms) == 5
    assert "验证码发送过于频繁" in response.content.decode()


def test_the_security_page_reads_in_english(client, world):
    client.force_login(world.county_officer)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    body = client.get(reverse("accounts:security")).content.decode()

    assert "Two-factor login" in body and "Set up an authenticator app" in body
    assert "身份验证器" not in body
