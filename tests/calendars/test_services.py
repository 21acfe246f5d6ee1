"""Working-day arithmetic, checked against the chinesecalendar package's own data."""

import datetime as dt

import chinese_calendar
import pytest

from calendars.models import CalendarOverride, CalendarYear
from calendars.services import (
    calendar_override_delete,
    calendar_override_update,
    calendar_overrides_create,
    calendar_year_set_complete,
)
from calendars.signals import calendar_changed
from calendars.workdays import (
    WorkingCalendar,
    add_calendar_months,
    add_working_days,
    is_working_day,
    next_working_day,
    years_missing_holiday_data,
)
from tests.factories import UserFactory


@pytest.fixture
def root(db):
    return UserFactory(username="root", is_superuser=True, is_staff=True)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_package_data_matches_the_2026_spring_festival_this_suite_assumes():
    # The arithmetic tests below rely on these facts; check them against the package.
    rest = [d("2026-02-15") + dt.timedelta(days=i) for i in range(9)]
    assert all(not chinese_calendar.is_workday(day) for day in rest)
    assert chinese_calendar.is_workday(d("2026-02-14"))  # Saturday, make-up workday
    assert chinese_calendar.is_workday(d("2026-02-28"))  # Saturday, make-up workday
    assert chinese_calendar.is_workday(d("2026-02-13"))
    assert chinese_calendar.is_workday(d("2026-02-24"))
    # 国庆 2026: 10-01..10-07 rest, 10-10 (Saturday) make-up.
    assert not any(chinese_calendar.is_workday(d(f"2026-10-0{i}")) for i in range(1, 8))
    assert chinese_calendar.is_workday(d("2026-10-10"))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(d("2027-03-01"))


def test_working_days_skip_the_spring_festival(db):
    # Friday 13 Feb: next working day is the make-up Saturday 14th, then the 24th.
    due = add_working_days(d("2026-02-13"), 2)
    assert due.date == d("2026-02-24")
    assert due.provisional is False
    assert due.rule == "2个工作日（自2026-02-13次日起算）"


def test_make_up_saturday_counts_as_a_working_day(db):
    assert is_working_day(d("2026-02-14"))
    assert is_working_day(d("2026-02-28"))
    assert not is_working_day(d("2026-02-16"))  # Monday inside the holiday
    # From Thursday the 26th: Fri 27, Sat 28 (make-up), Mon 2 March.
    assert add_working_days(d("2026-02-26"), 2).date == d("2026-02-28")
    assert add_working_days(d("2026-02-26"), 3).date == d("2026-03-02")


def test_counting_starts_the_day_after_even_from_a_holiday(db):
    assert add_working_days(d("2026-02-20"), 1).date == d("2026-02-24")
    assert add_working_days(d("2026-02-23"), 1).date == d("2026-02-24")
    assert add_working_days(d("2026-02-24"), 0).date == d("2026-02-24")


def test_national_day_2026(db):
    # 5 working days from 30 Sep: 8, 9, 10 (Saturday make-up), 12, 13 Oct.
    due = add_working_days(d("2026-09-30"), 5)
    assert due.date == d("2026-10-13")
    assert due.rule == "5个工作日（自2026-09-30次日起算）"
    assert next_working_day(d("2026-10-01")).date == d("2026-10-08")
    assert next_working_day(d("2026-10-08")).date == d("2026-10-08")
    assert next_working_day(d("2026-10-08"), include_self=False).date == d("2026-10-09")


def test_calendar_months_move_off_a_holiday(db):
    # 3 months from 1 July ends 1 October, a holiday: moved to 8 October.
    due = add_calendar_months(d("2026-07-01"), 3)
    assert due.date == d("2026-10-08")
    assert due.provisional is False
    # No corresponding day: the month's last day (30 Nov 2026 is a Monday).
    assert add_calendar_months(d("2026-08-31"), 3).date == d("2026-11-30")


def test_a_year_without_data_counts_monday_to_friday_and_is_provisional(db):
    # 2027-01-01 is a Friday; the package has no 2027 data.
    due = add_working_days(d("2026-12-30"), 3)
    assert due.date == d("2027-01-04")  # Thu 31, Fri 1 (no holiday known), Mon 4
    assert due.provisional is True
    assert add_working_days(d("2026-12-01"), 3).provisional is False
    assert add_calendar_months(d("2026-11-15"), 3).provisional is True
    assert years_missing_holiday_data([2026, 2027]) == [2027]


def test_an_override_wins_and_a_complete_year_is_no_longer_provisional(root):
    # Given New Year's Day 2027 entered by hand
    calendar_overrides_create(actor=root, start=d("2027-01-01"), kind="holiday", name="元旦")
    # then it is skipped, but counting is still provisional
    due = add_working_days(d("2026-12-30"), 2)
    assert due.date == d("2027-01-04")
    assert due.provisional is True
    # and once the year is marked complete it is final
    calendar_year_set_complete(actor=root, year=2027, complete=True)
    due = add_working_days(d("2026-12-30"), 2)
    assert (due.date, due.provisional) == (d("2027-01-04"), False)
    assert years_missing_holiday_data([2027]) == []


def test_an_override_wins_over_the_package(root):
    calendar_overrides_create(actor=root, start=d("2026-10-08"), kind="holiday", name="测试")
    assert not is_working_day(d("2026-10-08"))
    assert next_working_day(d("2026-10-01")).date == d("2026-10-09")
    calendar_overrides_create(actor=root, start=d("2026-10-11"), kind="workday", name="测试调休")
    assert is_working_day(d("2026-10-11"))  # a Sunday


def test_regional_override_applies_only_to_its_subtree(db, world):
    calendar_overrides_create(
        actor=world.sysadmin,
        start=d("2026-12-01"),
        kind="holiday",
        name="地方节日",
        region=world.county,
    )
    assert not is_working_day(d("2026-12-01"), region=world.county)
    assert not is_working_day(d("2026-12-01"), region=world.township)
    assert not is_working_day(d("2026-12-01"), region=world.village.path)
    assert is_working_day(d("2026-12-01"), region=world.neighbour)
    assert is_working_day(d("2026-12-01"), region=world.city)
    assert is_working_day(d("2026-12-01"))


def test_the_most_specific_override_wins(root, world):
    admin = root
    calendar_overrides_create(actor=admin, start=d("2026-12-05"), kind="workday", name="全国")
    calendar_overrides_create(
        actor=admin, start=d("2026-12-05"), kind="holiday", name="县", region=world.county
    )
    assert is_working_day(d("2026-12-05"), region=world.city)
    assert not is_working_day(d("2026-12-05"), region=world.township)


def test_regional_complete_mark_covers_its_subtree_only(db, world):
    calendar_year_set_complete(actor=world.sysadmin, year=2027, region=world.county, complete=True)
    assert years_missing_holiday_data([2027], region=world.township) == []
    assert years_missing_holiday_data([2027], region=world.neighbour) == [2027]
    assert years_missing_holiday_data([2027]) == [2027]


def test_a_calculation_loads_each_year_once(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        add_working_days(d("2026-01-05"), 200)
    with django_assert_num_queries(1):  # ten times the span: still one read of the year
        add_working_days(d("2026-01-05"), 20)
    calendar = WorkingCalendar()
    with django_assert_num_queries(3):  # 2026 and 2027 overrides, the year marks
        for start in (d("2026-11-02"), d("2026-12-20"), d("2026-12-28")):
            add_working_days(start, 20, calendar=calendar)
    with django_assert_num_queries(0):  # thirty more on the same calendar: nothing new to read
        for day in range(1, 31):
            add_working_days(dt.date(2026, 11, day), 20, calendar=calendar)


def test_the_signal_fires_on_every_change(db, world):
    received = []

    def listener(sender, years, region_path, **kwargs):
        received.append((years, region_path))

    calendar_changed.connect(listener)
    try:
        [override] = calendar_overrides_create(
            actor=world.sysadmin,
            start=d("2027-02-10"),
            kind="holiday",
            name="春节",
            region=world.county,
        )
        calendar_override_update(
            actor=world.sysadmin,
            override=override,
            date=d("2027-02-11"),
            kind="holiday",
            name="春节",
            region=world.county,
        )
        calendar_override_delete(actor=world.sysadmin, override=override)
        calendar_year_set_complete(
            actor=world.sysadmin, year=2027, region=world.city, complete=True
        )
    finally:
        calendar_changed.disconnect(listener)
    assert received == [
        ([2027], world.county.path),
        ([2027], world.county.path),
        ([2027], world.county.path),
        ([2027], world.city.path),
    ]


def test_writes_are_audited(db, world):
    from audit.models import AuditRecord

    [override] = calendar_overrides_create(
        actor=world.sysadmin,
        start=d("2027-02-10"),
        kind="holiday",
        name="春节",
        region=world.county,
    )
    calendar_override_update(
        actor=world.sysadmin,
        override=override,
        date=d("2027-02-10"),
        kind="holiday",
        name="春节假期",
        region=world.county,
    )
    override_pk = override.pk
    calendar_override_delete(actor=world.sysadmin, override=override)
    actions = list(
        AuditRecord.objects.filter(object_id=str(override_pk), actor=world.sysadmin)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "delete"]
    assert not CalendarOverride.objects.exists()


def test_a_range_creates_one_row_per_day(root):
    created = calendar_overrides_create(
        actor=root,
        start=d("2027-02-06"),
        end=d("2027-02-12"),
        kind="holiday",
        name="春节",
    )
    assert len(created) == 7
    assert next_working_day(d("2027-02-06")).date == d("2027-02-15")


def test_regional_admin_cannot_write_national_or_foreign_rows(db, world):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        calendar_overrides_create(
            actor=world.sysadmin, start=d("2027-01-01"), kind="holiday", name="元旦"
        )
    with pytest.raises(PermissionDenied):
        calendar_overrides_create(
            actor=world.county_officer,
            start=d("2027-01-01"),
            kind="holiday",
            name="元旦",
            region=world.county,
        )
    with pytest.raises(PermissionDenied):
        calendar_year_set_complete(
            actor=world.sysadmin, year=2027, region=world.province, complete=True
        )
    assert not CalendarOverride.objects.exists()
    assert not CalendarYear.objects.exists()
