"""Reception days computed from rules, moved off holidays by the working-day calendar."""

import datetime as dt

import chinese_calendar
import pytest

from calendars.models import CalendarOverride
from deputies.models import Deputy
from receptions.models import ReceptionException
from receptions.selectors import (
    reception_days_between,
    upcoming_duty_days_for_deputy,
    upcoming_reception_days,
)
from stations.models import Station
from tests import factories as f

from .conftest import join, make_rule


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def only(station):
    return Station.objects.filter(pk=station.pk)


def test_monthly_rule_gives_the_20th_of_each_month(world):
    make_rule(world.station, kind="monthly", day_of_month=20, deputies=[world.deputy])
    days = reception_days_between(only(world.station), d("2026-03-01"), d("2026-05-31"))
    assert [day.date for day in days] == [d("2026-03-20"), d("2026-04-20"), d("2026-05-20")]
    assert all(chinese_calendar.is_workday(day.date) for day in days)
    assert all(day.moved_from is None and not day.provisional for day in days)
    assert days[0].deputies == [world.deputy]
    assert days[0].station == world.station


def test_a_20th_on_a_holiday_moves_to_the_next_working_day(world):
    # 2026-06-20 is a Saturday inside the Dragon Boat holiday (per the package).
    assert not chinese_calendar.is_workday(d("2026-06-20"))
    expected = d("2026-06-20")
    while not chinese_calendar.is_workday(expected):
        expected += dt.timedelta(days=1)
    make_rule(world.station, kind="monthly", day_of_month=20)
    [day] = reception_days_between(only(world.station), d("2026-06-01"), d("2026-06-30"))
    assert (day.date, day.moved_from) == (expected, d("2026-06-20"))


def test_rule_on_the_first_of_october_moves_past_national_day(world):
    make_rule(world.station, kind="monthly", day_of_month=1)
    [day] = reception_days_between(only(world.station), d("2026-10-01"), d("2026-10-31"))
    assert day.date == d("2026-10-08")
    assert day.moved_from == d("2026-10-01")


def test_a_day_moved_into_the_window_from_the_month_before_is_included(world):
    make_rule(world.station, kind="monthly", day_of_month=31)
    days = reception_days_between(only(world.station), d("2026-02-01"), d("2026-02-28"))
    # 31 Jan 2026 (Saturday) moves to Monday 2 Feb; February's "31st" is the 28th,
    # a make-up Saturday of the Spring Festival, so it stays.
    assert [(x.date, x.moved_from) for x in days] == [
        (d("2026-02-02"), d("2026-01-31")),
        (d("2026-02-28"), None),
    ]


def test_monthly_rule_on_the_31st_uses_the_last_day_of_short_months(world):
    make_rule(world.station, kind="monthly", day_of_month=31)
    days = reception_days_between(only(world.station), d("2026-04-01"), d("2026-04-30"))
    assert [day.date for day in days] == [d("2026-04-30")]


def test_weekly_thursday_merges_a_moved_holiday_into_the_next_thursday(world):
    make_rule(world.station, kind="weekly", weekday=3, deputies=[world.deputy])
    days = reception_days_between(only(world.station), d("2026-10-01"), d("2026-10-31"))
    assert [day.date for day in days] == [d(f"2026-10-{n:02d}") for n in (8, 15, 22, 29)]
    # 8 October is a Thursday of its own: one reception, not moved.
    assert days[0].moved_from is None
    assert days[0].deputies == [world.deputy]


def test_rota_gives_each_member_one_day_a_month_and_turns(world, third_deputy):
    for deputy in (world.deputy, world.other_deputy, third_deputy):
        join(deputy, world.station)
    make_rule(world.station, kind="rota", weekday=3, valid_from=d("2026-11-01"))
    days = reception_days_between(only(world.station), d("2026-11-01"), d("2026-12-31"))
    by_month: dict[int, list] = {}
    for day in days:
        assert day.date.weekday() == 3
        assert len(day.deputies) == 1
        by_month.setdefault(day.date.month, []).append(day.deputies[0])
    members = {world.deputy, world.other_deputy, third_deputy}
    assert sorted(by_month) == [11, 12]
    for month, on_duty in by_month.items():
        assert set(on_duty) == members and len(on_duty) == 3, month
    assert by_month[11][0] != by_month[12][0]  # the order turned


def test_rota_shares_days_when_members_outnumber_slots(world, third_deputy):
    extra = [f.DeputyFactory(name=f"代表{n}", region=world.township) for n in range(3)]
    pool = [world.deputy, world.other_deputy, third_deputy, *extra]
    make_rule(world.station, kind="rota", weekday=3, valid_from=d("2026-11-01"), deputies=pool)
    days = reception_days_between(only(world.station), d("2026-11-01"), d("2026-11-30"))
    # November 2026 has four Thursdays for six deputies.
    assert [day.date.day for day in days] == [5, 12, 19, 26]
    seen = [deputy for day in days for deputy in day.deputies]
    assert sorted(x.pk for x in seen) == sorted(x.pk for x in pool)


def test_rota_without_weekday_uses_working_days_and_skips_leavers(world, third_deputy):
    join(world.deputy, world.station)
    join(world.other_deputy, world.station)
    join(third_deputy, world.station, end="2026-10-15")  # left before November
    make_rule(world.station, kind="rota", day_of_month=1, valid_from=d("2026-11-01"))
    days = reception_days_between(only(world.station), d("2026-11-01"), d("2026-11-30"))
    # 1 Nov 2026 is a Sunday: the first working days are Mon 2 and Tue 3.
    assert [day.date for day in days] == [d("2026-11-02"), d("2026-11-03")]
    assert {day.deputies[0] for day in days} == {world.deputy, world.other_deputy}


def test_suspended_deputies_are_not_on_duty(world):
    world.other_deputy.status = Deputy.Status.SUSPENDED
    world.other_deputy.save(update_fields=["status"])
    make_rule(world.station, kind="weekly", weekday=3, deputies=[world.deputy, world.other_deputy])
    days = reception_days_between(only(world.station), d("2026-11-01"), d("2026-11-30"))
    assert all(day.deputies == [world.deputy] for day in days)


def test_2027_days_are_provisional_until_the_year_is_complete(world):
    make_rule(world.station, kind="monthly", day_of_month=20)
    days = reception_days_between(only(world.station), d("2026-12-01"), d("2027-03-31"))
    assert [(x.date, x.provisional) for x in days] == [
        (d("2026-12-21"), False),  # the 20th is a Sunday
        (d("2027-01-20"), True),
        (d("2027-02-22"), True),  # 20 Feb 2027 is a Saturday: Monday-Friday counting
        (d("2027-03-22"), True),
    ]


def test_a_calendar_override_moves_a_reception_day(world):
    CalendarOverride.objects.create(
        date=d("2026-11-20"), kind="holiday", name="地方节日", region=world.county
    )
    make_rule(world.station, kind="monthly", day_of_month=20)
    make_rule(world.neighbour_station, kind="monthly", day_of_month=20)
    days = reception_days_between(
        Station.objects.filter(pk__in=[world.station.pk, world.neighbour_station.pk]),
        d("2026-11-01"),
        d("2026-11-30"),
    )
    dates = {day.station.pk: day.date for day in days}
    assert dates == {world.station.pk: d("2026-11-23"), world.neighbour_station.pk: d("2026-11-20")}


def test_validity_inactive_rules_and_suspended_stations(world):
    make_rule(
        world.station,
        kind="monthly",
        day_of_month=10,
        valid_from=d("2026-02-01"),
        valid_until=d("2026-03-31"),
    )
    make_rule(world.station, kind="monthly", day_of_month=12, active=False)
    make_rule(world.sibling_station, kind="monthly", day_of_month=14)
    world.sibling_station.status = Station.Status.SUSPENDED
    world.sibling_station.save(update_fields=["status"])
    days = reception_days_between(Station.objects.all(), d("2026-01-01"), d("2026-05-31"))
    assert [day.date for day in days] == [d("2026-02-10"), d("2026-03-10")]


def test_exceptions_cancel_or_change_a_day(world):
    rule = make_rule(world.station, kind="weekly", weekday=3, deputies=[world.deputy])
    ReceptionException.objects.create(
        rule=rule,
        station=world.station,
        region=world.township,
        date=d("2026-11-12"),
        cancelled=True,
    )
    changed = ReceptionException.objects.create(
        rule=rule,
        station=world.station,
        region=world.township,
        date=d("2026-11-19"),
        note="代表外出学习",
    )
    changed.deputies.set([world.other_deputy])
    days = reception_days_between(only(world.station), d("2026-11-01"), d("2026-11-30"))
    assert [day.date.day for day in days] == [5, 19, 26]
    assert days[1].deputies == [world.other_deputy] and days[1].changed
    assert days[1].note == "代表外出学习"
    assert days[2].deputies == [world.deputy] and not days[2].changed


def test_upcoming_reception_days_for_a_station(world):
    make_rule(world.station, kind="monthly", day_of_month=20)
    make_rule(world.station, kind="weekly", weekday=0)
    days = upcoming_reception_days(world.station, limit=5, today=d("2026-11-18"))
    assert [day.date for day in days] == [
        d("2026-11-20"),
        d("2026-11-23"),
        d("2026-11-30"),
        d("2026-12-07"),
        d("2026-12-14"),
    ]


def test_upcoming_monthly_days_reach_far_enough(world):
    make_rule(world.station, kind="monthly", day_of_month=5)
    days = upcoming_reception_days(world.station, limit=5, today=d("2026-11-06"))
    assert len(days) == 5
    assert days[-1].date.month == 4  # December to April


def test_upcoming_duty_days_for_a_deputy_across_stations(world):
    join(world.deputy, world.sibling_station)
    make_rule(world.station, kind="monthly", day_of_month=20, deputies=[world.deputy])
    make_rule(world.station, kind="weekly", weekday=3, deputies=[world.other_deputy])
    make_rule(world.sibling_station, kind="rota", weekday=1, valid_from=d("2026-11-01"))
    days = upcoming_duty_days_for_deputy(world.deputy, limit=4, today=d("2026-11-01"))
    assert [(day.date, day.station.pk) for day in days] == [
        (d("2026-11-03"), world.sibling_station.pk),  # rota: the only member, first Tuesday
        (d("2026-11-20"), world.station.pk),
        (d("2026-12-01"), world.sibling_station.pk),
        (d("2026-12-21"), world.station.pk),
    ]
    assert all(world.deputy in day.deputies for day in days)


@pytest.mark.parametrize("stations", [2, 8])
def test_query_count_does_not_grow_with_stations(world, stations, django_assert_max_num_queries):
    for n in range(stations):
        station = f.StationFactory(name=f"测试站{n}", region=world.township)
        deputy = f.DeputyFactory(region=world.township)
        join(deputy, station)
        make_rule(station, kind="monthly", day_of_month=20, deputies=[deputy])
        make_rule(station, kind="weekly", weekday=3, deputies=[deputy, world.deputy])
        make_rule(station, kind="rota", weekday=1)
    with django_assert_max_num_queries(8):
        days = reception_days_between(Station.objects.all(), d("2026-11-01"), d("2027-01-31"))
    assert len(days) > stations * 10
    with django_assert_max_num_queries(8):
        upcoming_reception_days(world.station, today=d("2026-11-01"))
    with django_assert_max_num_queries(8):
        upcoming_duty_days_for_deputy(world.deputy, today=d("2026-11-01"))


def test_two_rules_landing_on_the_same_session_show_once(world):
    make_rule(world.station, kind="monthly", day_of_month=1, deputies=[world.deputy])
    make_rule(world.station, kind="weekly", weekday=1, deputies=[world.deputy])
    make_rule(world.station, kind="weekly", weekday=1, deputies=[world.other_deputy])
    days = reception_days_between(only(world.station), d("2026-12-01"), d("2026-12-01"))
    assert [day.deputies for day in days] == [[world.deputy], [world.other_deputy]]
