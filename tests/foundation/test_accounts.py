"""Account administration, login security and the per-role home page, through HTTP."""

import datetime
import time

import pytest
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from accounts.middleware import IdleSessionMiddleware
from accounts.models import Role, RoleAssignment, User
from audit.models import AuditRecord
from tests.factories import PASSWORD


def new_account_form(**overrides):
    data = {
        "username": "new_township_clerk",
        "full_name": "新同事",
        "phone": "13800001234",
        "password": "Welcome2026x",
        "role": Role.TOWNSHIP_STAFF,
    }
    data.update(overrides)
    return data


def test_county_officer_creates_an_account_for_a_township_below(client, world):
    client.force_login(world.county_officer)

    response = client.post(reverse("accounts:user_new"), new_account_form(region=world.township.pk))

    created = User.objects.get(username="new_township_clerk")
    assert response.status_code == 302
    assert response.url == reverse("accounts:user_detail", args=[created.pk])
    assert created.must_change_password
    assignment = created.role_assignments.get()
    assert (assignment.role, assignment.region) == (Role.TOWNSHIP_STAFF, world.township)
    assert AuditRecord.objects.filter(object_id=str(created.pk), action="create").exists()


def test_region_outside_the_subtree_is_not_offered_nor_accepted(client, world):
    client.force_login(world.county_officer)

    page = client.get(reverse("accounts:user_new"))
    assert "凤城镇" not in page.content.decode()
    response = client.post(
        reverse("accounts:user_new"), new_account_form(region=world.neighbour_township.pk)
    )

    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not User.objects.filter(username="new_township_clerk").exists()


def test_staff_role_must_match_the_region_level(client, world):
    client.force_login(world.county_officer)

    response = client.post(
        reverse("accounts:user_new"),
        new_account_form(role=Role.TOWNSHIP_STAFF, region=world.county.pk),
    )

    assert "该角色须绑定到乡镇街道级区划" in response.content.decode()
    assert not User.objects.filter(username="new_township_clerk").exists()


def test_weak_password_is_refused_and_the_form_keeps_what_was_typed(client, world):
    client.force_login(world.county_officer)

    response = client.post(
        reverse("accounts:user_new"),
        new_account_form(region=world.township.pk, password="onlyletterspassword"),
    )

    body = response.content.decode()
    assert "密码必须同时包含字母和数字" in body
    assert 'value="新同事"' in body
    assert not User.objects.filter(username="new_township_clerk").exists()


def test_sysadmin_role_is_not_offered_to_ordinary_staff(client, world):
    client.force_login(world.county_officer)

    response = client.post(
        reverse("accounts:user_new"), new_account_form(role=Role.SYSADMIN, region=world.county.pk)
    )

    assert response.status_code == 200
    assert not User.objects.filter(username="new_township_clerk").exists()


def test_station_officer_role_binds_to_an_in_scope_station(client, world):
    client.force_login(world.township_officer)

    client.post(
        reverse("accounts:user_new"),
        new_account_form(role=Role.STATION_OFFICER, station=world.station.pk),
    )

    assignment = RoleAssignment.objects.get(user__username="new_township_clerk")
    assert assignment.station == world.station
    assert assignment.region == world.township


def test_account_list_shows_below_only(client, world):
    client.force_login(world.county_officer)

    body = client.get(reverse("accounts:user_list")).content.decode()

    assert "township_officer" in body
    assert "outsider" not in body
    assert "city_officer" not in body


def test_account_list_runs_a_constant_number_of_queries(
    client, world, django_assert_max_num_queries
):
    from tests.factories import user_with_role

    def add(first, last):
        for index in range(first, last):
            user_with_role(f"extra{index}", Role.TOWNSHIP_STAFF, region=world.township)

    client.force_login(world.county_officer)
    client.get(reverse("accounts:user_list"))  # the session's one-off costs
    add(0, 2)
    with django_assert_max_num_queries(12) as small:
        response = client.get(reverse("accounts:user_list"))
    assert "extra1" in response.content.decode() and "extra19" not in response.content.decode()

    add(2, 20)  # measured again with 18 more accounts: the same count or fewer
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("accounts:user_list"))
    assert response.status_code == 200
    assert "extra19" in response.content.decode()


def test_roles_without_account_admin_cannot_open_it(client, world):
    for member in (world.leader, world.clerk, world.deputy_user, world.station_officer):
        client.force_login(member)
        assert client.get(reverse("accounts:user_list")).status_code == 403


def test_disable_and_enable_an_account_below(client, world):
    client.force_login(world.county_officer)
    url = reverse("accounts:user_toggle_active", args=[world.township_officer.pk])

    client.post(url, {"active": "0"})
    client.post(url, {"active": "0"})  # a double submit stays disabled
    world.township_officer.refresh_from_db()
    assert not world.township_officer.is_active
    client.post(url, {"active": "1"})
    world.township_officer.refresh_from_db()
    assert world.township_officer.is_active
    changes = AuditRecord.objects.filter(
        object_id=str(world.township_officer.pk), action="state"
    ).values_list("changes", flat=True)
    assert {"is_active": [True, False]} in list(changes)


def test_disabled_account_cannot_log_in(client, world):
    world.township_officer.is_active = False
    world.township_officer.save()

    response = client.post(
        reverse("accounts:login"), {"username": "township_officer", "password": PASSWORD}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_nobody_disables_an_account_above(client, world):
    client.force_login(world.township_officer)

    response = client.post(
        reverse("accounts:user_toggle_active", args=[world.county_officer.pk]), {"active": "0"}
    )

    assert response.status_code == 404
    world.county_officer.refresh_from_db()
    assert world.county_officer.is_active


def test_reset_password_gives_a_one_off_password_that_must_be_changed(client, world):
    client.force_login(world.county_officer)

    response = client.post(
        reverse("accounts:user_password_reset", args=[world.township_officer.pk])
    )
    temporary = response.context["password"]
    client.logout()
    client.post(reverse("accounts:login"), {"username": "township_officer", "password": temporary})
    forced = client.get(reverse("accounts:home"))

    assert forced.status_code == 302 and forced.url == reverse("accounts:password_change")
    client.post(
        reverse("accounts:password_change"),
        {
            "old_password": temporary,
            "new_password1": "MyOwnPass2026",
            "new_password2": "MyOwnPass2026",
        },
    )
    assert client.get(reverse("accounts:home")).status_code == 200


def test_password_change_enforces_the_rules(client, world):
    client.force_login(world.township_officer)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "short1", "new_password2": "short1"},
    )

    assert "密码长度太短" in response.content.decode()


def test_repeated_failed_logins_lock_the_account(client, world, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("accounts:login"), {"username": "township_officer", "password": "x"})

    response = client.post(
        reverse("accounts:login"), {"username": "township_officer", "password": PASSWORD}
    )

    assert response.status_code == 429
    assert "账号已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert (
        AuditRecord.objects.filter(action="login_failed", actor_label="township_officer").count()
        >= 3
    )


def test_successful_login_is_audited_with_the_client_ip(client, world):
    client.post(
        reverse("accounts:login"),
        {"username": "township_officer", "password": PASSWORD},
        REMOTE_ADDR="10.1.2.3",
    )

    record = AuditRecord.objects.get(action="login", actor=world.township_officer)
    assert record.ip == "10.1.2.3"


def test_idle_session_expires(settings, client, world):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client.force_login(world.township_officer)
    client.get(reverse("accounts:home"))
    session = client.session
    session.set_expiry(-1)  # as if the idle time had passed
    session.save()

    response = client.get(reverse("accounts:home"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_activity_moves_the_idle_deadline_at_most_once_a_minute(client, world):
    """A request needs no session write when the expiry moved less than a minute ago;
    a later one pushes the expiry a full idle period past now."""
    client.force_login(world.township_officer)
    client.get(reverse("accounts:home"))
    session = client.session
    soon = timezone.now() + datetime.timedelta(minutes=5)

    def refreshed(seconds_ago: int) -> datetime.datetime:
        session[IdleSessionMiddleware.KEY] = int(time.time()) - seconds_ago
        session.save()
        Session.objects.filter(pk=session.session_key).update(expire_date=soon)
        assert client.get(reverse("accounts:home")).status_code == 200
        return Session.objects.get(pk=session.session_key).expire_date

    assert refreshed(30) == soon
    pushed = refreshed(61)
    assert pushed - timezone.now() > datetime.timedelta(minutes=29)


@pytest.mark.parametrize(
    ("member", "expected"),
    [
        ("county_officer", "账号管理"),
        ("leader", "您的角色为只读"),
        ("deputy_user", "人大代表 · 天宁镇"),
        ("clerk", "承办单位经办人 · 交城县水务局"),
        ("station_officer", "联络站联络员 · 天宁镇人大代表联络站"),
    ],
)
def test_home_page_says_what_each_role_can_do(client, world, member, expected):
    client.force_login(getattr(world, member))

    body = client.get(reverse("accounts:home")).content.decode()

    assert expected in body


def test_anonymous_visitor_is_sent_to_login(client, db):
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_interface_switches_to_english(client, world):
    client.force_login(world.county_officer)

    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(reverse("accounts:home")).content.decode()

    assert "Account management" in body
    assert '<html lang="en"' in body


def test_a_stray_station_beside_a_region_role_is_not_bound(client, world):
    client.force_login(world.county_officer)

    client.post(
        reverse("accounts:user_new"),
        new_account_form(
            role=Role.TOWNSHIP_STAFF, region=world.township.pk, station=world.station.pk
        ),
    )

    assignment = RoleAssignment.objects.get(user__username="new_township_clerk")
    assert (assignment.region, assignment.station) == (world.township, None)


def test_a_second_deputy_record_for_one_account_is_refused_in_chinese(client, world):
    client.force_login(world.county_officer)

    response = client.post(
        reverse("accounts:user_detail", args=[world.deputy_user.pk]),
        {"role": Role.DEPUTY, "deputy": world.other_deputy.pk},
    )

    assert response.status_code == 200
    assert "该账号已关联另一份代表档案" in response.content.decode()
    world.other_deputy.refresh_from_db()
    assert world.other_deputy.user is None
