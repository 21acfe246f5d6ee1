"""Reminders: N working days before a deadline, on the right working day, once per due date."""

import datetime

import pytest
from django.utils import timezone

from calendars.models import CalendarOverride
from core import clock, outbox
from core.models import OutboxMessage
from notifications.models import Notification
from suggestions import services
from suggestions.models import Assignment, SLAProfile, Suggestion, SuggestionEvent
from supervision import sweeps
from supervision.models import ReminderLog

from .helpers import assigned, signed

D = datetime.date


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9)))


def remind(day: datetime.date):
    return sweeps.remind_due(now=at(day))


def _pending(world, *, acknowledge_due: datetime.date, assigned_on: datetime.date) -> Assignment:
    """An unsigned assignment whose signing deadline is `acknowledge_due`."""
    suggestion = assigned(world, on=assigned_on)
    assignment = suggestion.assignments.get()
    Assignment.objects.filter(pk=assignment.pk).update(acknowledge_due=acknowledge_due)
    # Keep the reply deadline out of the way of these tests.
    Suggestion.objects.filter(pk=suggestion.pk).update(due_date=D(2026, 12, 31))
    return assignment


def _reminded_days(world, assignment, days) -> list[datetime.date]:
    return [day for day in days if remind(day).counts["acknowledge"]]


def test_a_deadline_after_national_day_is_reminded_two_working_days_before_the_holiday(world):
    # 2025: 28 Sep (Sunday) is a make-up working day, 1-8 October are holidays.
    assignment = _pending(world, acknowledge_due=D(2025, 10, 9), assigned_on=D(2025, 9, 22))
    days = [D(2025, 9, 26) + datetime.timedelta(days=n) for n in range(14)]

    reminded = _reminded_days(world, assignment, days)

    # Working days before Thu 9 Oct: Tue 30 Sep (1), Mon 29 Sep (2). Not the make-up
    # Sunday before (3 working days ahead), and only once.
    assert reminded == [D(2025, 9, 29)]
    assert ReminderLog.objects.get().due_date == D(2025, 10, 9)


def test_a_make_up_saturday_is_a_reminder_day(world):
    # Sat 11 Oct 2025 is a make-up working day; Tue 14 Oct is due.
    assignment = _pending(world, acknowledge_due=D(2025, 10, 14), assigned_on=D(2025, 9, 22))
    days = [D(2025, 10, 9) + datetime.timedelta(days=n) for n in range(6)]

    assert _reminded_days(world, assignment, days) == [D(2025, 10, 11)]


def test_nothing_is_reminded_on_a_rest_day_and_a_missed_day_catches_up(world):
    assignment = _pending(world, acknowledge_due=D(2025, 10, 9), assigned_on=D(2025, 9, 22))

    # The sweep did not run on 29-30 Sep; holidays 1-8 Oct remind nobody
    assert [remind(D(2025, 10, n)).total for n in range(1, 9)] == [0] * 8
    # The first working day after catches up
    assert remind(D(2025, 10, 9)).total == 1
    assert ReminderLog.objects.get().assignment == assignment


def test_a_regional_holiday_moves_the_reminder_day_for_that_county_only(world):
    # 交城县 rests on Tue 10 Mar 2026 (a local festival); 文水县 next door works.
    CalendarOverride.objects.create(
        date=D(2026, 3, 10), region=world.county, kind="holiday", name="县节"
    )
    ours = _pending(world, acknowledge_due=D(2026, 3, 11), assigned_on=D(2026, 3, 2))
    with clock.frozen(D(2026, 3, 2)):
        theirs, _created = services.suggestion_submit(
            channel="qr", category="water", content="凤城镇停水", deputy=world.neighbour_deputy
        )
        services.suggestion_assign(
            actor=world.outsider, suggestion=theirs, lead_unit=world.neighbour_unit
        )
    Assignment.objects.filter(suggestion=theirs).update(acknowledge_due=D(2026, 3, 11))
    Suggestion.objects.filter(pk=theirs.pk).update(due_date=D(2026, 12, 31))

    # Two working days before Wed 11 Mar: in 交城县 Fri 6 Mar (Mon 9, Wed 11), in
    # 文水县 Mon 9 Mar (Tue 10, Wed 11)
    assert remind(D(2026, 3, 6)).total == 1
    assert ReminderLog.objects.get().assignment == ours
    assert remind(D(2026, 3, 9)).total == 1
    assert ReminderLog.objects.get(assignment__suggestion=theirs).due_date == D(2026, 3, 11)


def test_the_number_of_days_comes_from_the_sla_profile(world):
    SLAProfile.objects.create(region=world.county, category="water", remind_days_before=1)
    _pending(world, acknowledge_due=D(2026, 3, 11), assigned_on=D(2026, 3, 2))

    assert remind(D(2026, 3, 9)).total == 0
    assert remind(D(2026, 3, 10)).total == 1


def test_a_profile_with_zero_days_reminds_nobody(world):
    SLAProfile.objects.create(region=world.county, category="", remind_days_before=0)
    _pending(world, acknowledge_due=D(2026, 3, 11), assigned_on=D(2026, 3, 2))

    assert [remind(D(2026, 3, n)).total for n in range(3, 12)] == [0] * 9


def test_the_reply_deadline_is_reminded_to_the_lead_unit_and_again_after_an_extension(world):
    # Given a signed water suggestion assigned Mon 2 Mar 2026, reply due Mon 9 Mar
    suggestion = signed(world, assigned(world, on=D(2026, 3, 2)), on=D(2026, 3, 2))
    assert suggestion.due_date == D(2026, 3, 9)

    # It is reminded on Thu 5 Mar (Fri = 1, Mon = 2 working days ahead), once
    assert remind(D(2026, 3, 4)).total == 0
    assert remind(D(2026, 3, 5)).counts["reply"] == 1
    assert remind(D(2026, 3, 6)).total == 0

    # When an extension of 5 working days moves the deadline to Mon 16 Mar
    with clock.frozen(D(2026, 3, 6)):
        extension = services.extension_request(
            actor=world.clerk, suggestion=suggestion, days=5, reason="需协调施工"
        )
        services.extension_decide(actor=world.township_officer, extension=extension, approve=True)
    assert Suggestion.objects.get(pk=suggestion.pk).due_date == D(2026, 3, 16)

    # Then the new deadline is reminded once more
    assert remind(D(2026, 3, 12)).counts["reply"] == 1
    assert remind(D(2026, 3, 13)).total == 0
    assert list(ReminderLog.objects.order_by("due_date").values_list("kind", "due_date")) == [
        ("reply", D(2026, 3, 9)),
        ("reply", D(2026, 3, 16)),
    ]
    assert SuggestionEvent.objects.filter(suggestion=suggestion, kind="reminded").count() == 2


def test_a_deadline_set_today_is_not_reminded_today(world):
    # Signing due Wed 4 Mar for a suggestion assigned Mon 2 Mar: the assignment notice
    # told the unit on Monday; the reminder comes on Tuesday.
    assigned(world, on=D(2026, 3, 2))

    assert remind(D(2026, 3, 2)).total == 0
    assert remind(D(2026, 3, 3)).counts["acknowledge"] == 1


def test_the_unit_clerk_is_reminded_once_with_a_link_to_the_suggestion(world):
    suggestion = assigned(world, on=D(2026, 3, 2))
    remind(D(2026, 3, 3))
    remind(D(2026, 3, 3))

    outbox.run_pending()
    outbox.run_pending()

    (notice,) = Notification.objects.filter(recipient=world.clerk, kind="deadline_reminder")
    assert notice.title == f"到期提醒：{suggestion.display_code} 签收期限 2026-03-04"
    assert notice.link == f"/suggestions/{suggestion.pk}/"
    assert not Notification.objects.filter(recipient=world.neighbour_clerk).exists()


@pytest.mark.parametrize("batch_size", [1, 5000])
def test_reminders_are_queued_in_batches(world, batch_size):
    for _ in range(3):
        assigned(world, on=D(2026, 3, 2))

    result = sweeps.remind_due(now=at(D(2026, 3, 3)), batch_size=batch_size)

    assert result.counts["acknowledge"] == 3
    messages = OutboxMessage.objects.filter(task="supervision.notices.notify_reminders")
    assert messages.count() == (3 if batch_size == 1 else 1)
