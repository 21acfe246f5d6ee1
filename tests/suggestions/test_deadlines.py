"""Deadlines in Chinese working days, per region and category, recounted when holidays change."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from calendars.services import calendar_overrides_create
from core import outbox
from dashboards.rollups import touched_months
from suggestions import deadlines, services
from suggestions.models import SLAProfile, Suggestion


def _assigned(world, category="water") -> Suggestion:
    suggestion, _ = services.suggestion_submit(
        channel="qr", category=category, content="测试期限计算的事项内容", deputy=world.deputy
    )
    return services.suggestion_assign(
        actor=world.county_officer, suggestion=suggestion, lead_unit=world.unit
    )


def test_acknowledge_and_reply_count_across_the_spring_festival_and_a_make_up_saturday(
    world, today
):
    # Thu 12 Feb 2026: 13 Feb (Fri) and 14 Feb (Sat, 调休 make-up day) are the two
    # working days to sign; 15-23 Feb is the Spring Festival holiday.
    today(datetime.date(2026, 2, 12))
    suggestion = _assigned(world)
    assignment = suggestion.assignments.get()
    assert assignment.acknowledge_due == datetime.date(2026, 2, 14)
    assert assignment.return_due == datetime.date(2026, 2, 14)
    # Water replies in 5 working days: 13, 14, 24, 25, 26 Feb
    assert suggestion.due_date == datetime.date(2026, 2, 26)
    assert suggestion.due_provisional is False
    assert "系统默认" in suggestion.due_rule


def test_rehandle_deadline_is_one_calendar_month_moved_off_a_holiday(world, today):
    # 25 Jan + 1 month = 25 Feb, a working day; 17 Jan + 1 month = 17 Feb, in the holiday
    today(datetime.date(2026, 1, 17))
    suggestion = _assigned(world)
    services.assignment_acknowledge(actor=world.clerk, assignment=suggestion.assignments.get())
    services.suggestion_reply(actor=world.clerk, suggestion=suggestion, text="已处理")
    suggestion = services.suggestion_follow_up(
        actor=world.county_officer, suggestion=suggestion, satisfaction="unsatisfied"
    )
    assert suggestion.due_date == datetime.date(2026, 2, 24)
    assert "1个月" in suggestion.due_rule


def test_nearest_region_profile_wins_and_category_beats_general(world):
    SLAProfile.objects.create(region=world.city, category="", reply_days=20)
    assert deadlines.terms_for(world.township, "water").reply_days == 20
    SLAProfile.objects.create(region=world.county, category="", reply_days=12)
    assert deadlines.terms_for(world.township, "water").reply_days == 12
    SLAProfile.objects.create(region=world.county, category="water", reply_days=3)
    terms = deadlines.terms_for(world.township, "water")
    assert terms.reply_days == 3 and "交城县" in terms.source
    assert deadlines.terms_for(world.township, "roads").reply_days == 12
    # A city profile for the category does not beat the county's general one
    SLAProfile.objects.create(region=world.city, category="roads", reply_days=30)
    assert deadlines.terms_for(world.township, "roads").reply_days == 12
    # The neighbour county only has the city's rules
    assert deadlines.terms_for(world.neighbour_township, "roads").reply_days == 30


def test_defaults_when_no_profile(world):
    terms = deadlines.terms_for(world.township, "old_housing")
    assert (terms.acknowledge_days, terms.return_days, terms.reply_days) == (2, 2, 15)
    assert terms.rehandle_months == 1


def test_provisional_due_dates_are_recounted_when_the_calendar_changes(world, today):
    # Assigned on 28 Dec 2026 with 10 working days: it runs into 2027, for which the
    # holiday package has no data yet, so the date is provisional (Monday-Friday).
    today(datetime.date(2026, 12, 28))
    suggestion = _assigned(world, category="roads")
    assert suggestion.due_provisional is True
    counted = suggestion.due_date
    assert counted == datetime.date(2027, 1, 11)
    # An administrator enters 4-5 Jan 2027 as holidays: the count skips them
    admin = get_user_model().objects.create_superuser(
        "root", "r@example.cn", "x", full_name="管理员"
    )
    calendar_overrides_create(
        actor=admin,
        start=datetime.date(2027, 1, 4),
        end=datetime.date(2027, 1, 5),
        kind="holiday",
        name="元旦调整",
    )
    # The recount is queued with the change and runs in the worker
    before = timezone.now()
    outbox.run_pending()
    suggestion.refresh_from_db()
    assert suggestion.due_date == datetime.date(2027, 1, 13)
    # ...and marks the row changed, so the dashboards' next refresh recounts its month
    month = timezone.localtime(suggestion.submitted_at).date().replace(day=1)
    assert suggestion.updated_at >= before and month in touched_months(before)
    assert suggestion.events.filter(kind="deadline").count() == 1
    # The sign-and-return limits (2 working days: 29, 30 Dec) stayed put
    assignment = suggestion.assignments.get()
    assert assignment.acknowledge_due == datetime.date(2026, 12, 30)


def test_recount_leaves_other_regions_alone(world, today):
    today(datetime.date(2026, 12, 28))
    ours = _assigned(world, category="roads")
    deadlines.move_deadlines(years=[2027], region_path=world.neighbour.path)
    ours.refresh_from_db()
    assert ours.due_date == datetime.date(2027, 1, 11)
    assert not ours.events.filter(kind="deadline").exists()
