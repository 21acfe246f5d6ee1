"""The calendar administration pages, through HTTP, as each member of the cast."""

import datetime as dt

import pytest
from django.urls import reverse

from audit.models import AuditRecord
from calendars.models import CalendarOverride, CalendarYear
from tests.factories import UserFactory

LIST = reverse("calendars:holidays")
NEW = reverse("calendars:override_new")


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def county_holiday(world):
    return CalendarOverride.objects.create(
        date=dt.date(2027, 3, 1), kind="holiday", name="县节", region=world.county
    )


@pytest.fixture
def national_holiday(db):
    return CalendarOverride.objects.create(date=dt.date(2027, 1, 1), kind="holiday", name="元旦")


@pytest.mark.parametrize(
    "member", ["county_officer", "township_officer", "station_officer", "deputy_user", "leader"]
)
def test_only_administrators_open_the_calendar(client, world, member):
    client.force_login(getattr(world, member))
    assert client.get(LIST).status_code == 403
    assert client.post(NEW, {"date": "2027-01-01"}).status_code == 403


def test_sysadmin_sees_package_holidays_and_a_warning_for_missing_years(client, world):
    client.force_login(world.sysadmin)
    page = client.get(LIST, {"year": 2026})
    text = page.content.decode()
    assert page.status_code == 200
    assert "春节" in text and "国庆节" in text
    assert "2月14日" in text  # the make-up Saturday
    page = client.get(LIST, {"year": 2027})
    assert "当年尚无节假日数据" in page.content.decode()


def test_missing_year_warning_follows_the_lookahead(client, world, settings):
    # The page warns about years within 13 months of today that have no data.
    from calendars.workdays import lookahead_years, package_has_year

    missing = [y for y in lookahead_years() if not package_has_year(y)]
    client.force_login(world.sysadmin)
    text = client.get(LIST).content.decode()
    if missing:
        assert "节假日数据待录入" in text and str(missing[0]) in text
    else:
        assert "节假日数据待录入" not in text


def test_home_page_shows_the_notice_to_administrators_only(client, world):
    CalendarYear.objects.all().delete()
    home = reverse("accounts:home")
    client.force_login(world.sysadmin)
    admin_text = client.get(home).content.decode()
    client.force_login(world.county_officer)
    officer_text = client.get(home).content.decode()
    assert "节假日数据待录入" not in officer_text
    from calendars.workdays import lookahead_years, package_has_year

    if any(not package_has_year(y) for y in lookahead_years()):
        assert "节假日数据待录入" in admin_text


def test_list_shows_national_ancestor_and_own_rows_but_not_the_neighbours(
    client, world, county_holiday, national_holiday
):
    CalendarOverride.objects.create(
        date=dt.date(2027, 3, 2), kind="holiday", name="省节", region=world.province
    )
    CalendarOverride.objects.create(
        date=dt.date(2027, 3, 3), kind="holiday", name="邻县节", region=world.neighbour
    )
    client.force_login(world.sysadmin)
    page = client.get(LIST, {"year": 2027})
    text = page.content.decode()
    assert all(name in text for name in ("县节", "元旦", "省节", "邻县节"))
    editable = {row.name for row, can_edit in page.context["rows"] if can_edit}
    assert editable == {"县节", "邻县节"}  # 文水县 is inside the sysadmin's city
    county_admin = _county_sysadmin(world)
    client.force_login(county_admin)
    page = client.get(LIST, {"year": 2027})
    names = {row.name for row, _ in page.context["rows"]}
    assert names == {"县节", "元旦", "省节"}
    assert {row.name for row, can_edit in page.context["rows"] if can_edit} == {"县节"}


def test_list_query_count_is_constant(client, world, django_assert_max_num_queries):
    def add(days):
        for day in days:
            CalendarOverride.objects.create(
                date=dt.date(2027, 2, day), kind="holiday", name="测试", region=world.county
            )

    client.force_login(world.sysadmin)
    add(range(1, 4))
    client.get(LIST, {"year": 2027})  # the session's one-off costs
    # Constant: session, user, roles, the page's own reads, and the base template's.
    with django_assert_max_num_queries(16) as small:
        response = client.get(LIST, {"year": 2027})
    assert response.content.decode().count("测试") == 3

    add(range(4, 29))  # measured again at 28 days: the same count or fewer
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(LIST, {"year": 2027})
    assert response.status_code == 200
    assert response.content.decode().count("测试") == 28


def test_sysadmin_adds_a_regional_holiday_range(client, world):
    client.force_login(world.sysadmin)
    response = client.post(
        NEW,
        {
            "date": "2027-02-06",
            "end": "2027-02-08",
            "kind": "holiday",
            "name": "春节",
            "region": world.county.pk,
        },
    )
    assert response.status_code == 302
    rows = CalendarOverride.objects.filter(region=world.county).order_by("date")
    assert [r.date.day for r in rows] == [6, 7, 8]
    assert AuditRecord.objects.filter(action="create", actor=world.sysadmin).count() == 3


def test_sysadmin_cannot_add_national_or_foreign_rows(client, world):
    client.force_login(world.sysadmin)
    national = client.post(NEW, {"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
    assert national.status_code == 200
    assert "region" in national.context["form"].errors
    other_city = _other_city(world)
    foreign = client.post(
        NEW, {"date": "2027-01-01", "kind": "holiday", "name": "元旦", "region": other_city.pk}
    )
    assert foreign.status_code == 200
    assert "region" in foreign.context["form"].errors
    assert not CalendarOverride.objects.exists()


def test_form_keeps_what_was_typed_on_error(client, world):
    client.force_login(world.sysadmin)
    response = client.post(
        NEW,
        {
            "date": "2027-02-10",
            "end": "2027-02-01",
            "kind": "holiday",
            "name": "春节调整",
            "region": world.county.pk,
        },
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert 'value="春节调整"' in text
    assert "截止日期不能早于开始日期" in text


def test_duplicate_date_is_refused_with_a_message(client, world, county_holiday):
    client.force_login(world.sysadmin)
    response = client.post(
        NEW, {"date": "2027-03-01", "kind": "workday", "name": "重复", "region": world.county.pk}
    )
    assert response.status_code == 200
    assert "已有调整记录" in response.content.decode()
    assert CalendarOverride.objects.count() == 1


def test_superuser_adds_a_national_row(client, root):
    client.force_login(root)
    response = client.post(NEW, {"date": "2027-01-01", "kind": "holiday", "name": "元旦"})
    assert response.status_code == 302
    assert CalendarOverride.objects.get().region is None


def test_sysadmin_edits_and_deletes_own_region_rows(client, world, county_holiday):
    client.force_login(world.sysadmin)
    edit = reverse("calendars:override_edit", args=[county_holiday.pk])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit, {"date": "2027-03-01", "kind": "holiday", "name": "县庆", "region": world.county.pk}
    )
    assert response.status_code == 302
    county_holiday.refresh_from_db()
    assert county_holiday.name == "县庆"
    delete = reverse("calendars:override_delete", args=[county_holiday.pk])
    assert client.post(delete).status_code == 302
    assert not CalendarOverride.objects.exists()
    assert list(
        AuditRecord.objects.filter(object_id=str(county_holiday.pk)).values_list(
            "action", flat=True
        )
    ) == ["delete", "update"]


def test_national_rows_are_404_to_regional_administrators(client, world, national_holiday):
    client.force_login(world.sysadmin)
    edit = reverse("calendars:override_edit", args=[national_holiday.pk])
    delete = reverse("calendars:override_delete", args=[national_holiday.pk])
    assert client.get(edit).status_code == 404
    assert client.post(delete).status_code == 404
    assert CalendarOverride.objects.filter(pk=national_holiday.pk).exists()


def test_county_staff_cannot_edit_rows_of_their_own_county(client, world, county_holiday):
    client.force_login(world.county_officer)
    edit = reverse("calendars:override_edit", args=[county_holiday.pk])
    assert client.get(edit).status_code == 403


def test_outsider_gets_404_on_our_rows(client, world, county_holiday):
    client.force_login(world.outsider)
    edit = reverse("calendars:override_edit", args=[county_holiday.pk])
    assert client.get(edit).status_code == 404


def test_sysadmin_marks_a_year_complete_for_the_region(client, world):
    from calendars.workdays import add_working_days

    client.force_login(world.sysadmin)
    url = reverse("calendars:year_mark")
    response = client.post(url, {"year": 2027, "region": world.city.pk, "complete": "on"})
    assert response.status_code == 302
    mark = CalendarYear.objects.get()
    assert (mark.year, mark.region, mark.complete) == (2027, world.city, True)
    assert add_working_days(dt.date(2027, 3, 1), 1, region=world.township).provisional is False
    assert add_working_days(dt.date(2027, 3, 1), 1).provisional is True
    client.post(url, {"year": 2027, "region": world.city.pk})
    mark.refresh_from_db()
    assert mark.complete is False
    assert AuditRecord.objects.filter(action="state", object_id=str(mark.pk)).count() == 2


def test_sysadmin_cannot_mark_a_year_nationally(client, world):
    client.force_login(world.sysadmin)
    client.post(reverse("calendars:year_mark"), {"year": 2027, "complete": "on"})
    assert not CalendarYear.objects.exists()


def _county_sysadmin(world):
    from accounts.models import Role
    from tests.factories import user_with_role

    return user_with_role("county_admin", Role.SYSADMIN, region=world.county)


def _other_city(world):
    from tests import factories as f

    return f.region("1401", "太原市", "city", world.province)
