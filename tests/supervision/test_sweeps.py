"""督办: overdue suggestions escalate to the level above their assigner, once per level."""

import datetime
from unittest import mock

import pytest
from django.utils import timezone

from accounts.models import Role
from core import clock, outbox
from core.models import OutboxMessage
from notifications.models import Notification
from suggestions import services
from suggestions.models import Suggestion, SuggestionEvent
from supervision import notices, sweeps
from supervision.models import Supervision
from tests import factories as f

from .helpers import assigned, signed

# Water suggestions: sign within 2 working days, reply within 5.
MONDAY = datetime.date(2026, 3, 2)  # no holiday in March 2026
ACK_DUE = datetime.date(2026, 3, 4)
REPLY_DUE = datetime.date(2026, 3, 9)


def at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def sweep(day: datetime.date, **kwargs):
    return sweeps.escalate_overdue(now=at(day), **kwargs)


def test_deadlines_of_the_fixture_are_what_the_tests_assume(world):
    suggestion = assigned(world, on=MONDAY)

    assert suggestion.due_date == REPLY_DUE
    assert suggestion.assignments.get().acknowledge_due == ACK_DUE
    assert suggestion.assigner_region == world.township


def test_unsigned_assignment_escalates_to_the_county_above_the_township(world):
    # Given a suggestion the township assigned on Monday, not signed by Wednesday
    suggestion = assigned(world, on=MONDAY)

    # When the sweep runs on the day before and the day after the signing deadline
    assert sweep(ACK_DUE).total == 0
    result = sweep(ACK_DUE + datetime.timedelta(days=1))

    # Then the county supervises it, once, for the missed signature
    assert result.counts["acknowledge"] == 1
    record = Supervision.objects.get()
    assert (record.suggestion, record.region) == (suggestion, world.county)
    assert record.reason == Supervision.Reason.ACKNOWLEDGE_OVERDUE
    assert record.region_path == world.county.path
    assert record.suggestion_region_path == suggestion.region_path
    assert record.due_date == ACK_DUE and record.unit == world.unit
    assert record.by_system and not record.key
    event = SuggestionEvent.objects.get(suggestion=suggestion, kind="supervised")
    assert "交城县人大常委会" in event.staff_text and event.public_text == ""
    assert OutboxMessage.objects.filter(task="supervision.notices.notify_supervisions").count() == 1


def test_reply_overdue_escalates_even_when_signed_in_time(world):
    suggestion = signed(world, assigned(world, on=MONDAY), on=MONDAY)

    assert sweep(REPLY_DUE).total == 0
    assert sweep(REPLY_DUE + datetime.timedelta(days=1)).counts["reply"] == 1

    record = Supervision.objects.get(suggestion=suggestion)
    assert record.reason == Supervision.Reason.REPLY_OVERDUE
    assert record.due_date == REPLY_DUE and record.region == world.county


def test_a_county_assignment_escalates_to_the_city(world):
    assigned(world, on=MONDAY, actor=world.county_officer)

    sweep(ACK_DUE + datetime.timedelta(days=1))

    assert Supervision.objects.get().region == world.city


def test_a_suggestion_handled_by_the_township_itself_escalates_to_the_county(world):
    suggestion = submit_local(world)

    sweep(suggestion.due_date + datetime.timedelta(days=1))

    assert Supervision.objects.get().region == world.county
    assert Supervision.objects.get().unit is None


def submit_local(world) -> Suggestion:
    from .helpers import submit

    with clock.frozen(MONDAY):
        suggestion = submit(world)
        services.suggestion_handle_locally(actor=world.township_officer, suggestion=suggestion)
    return Suggestion.objects.get(pk=suggestion.pk)


def test_sweeping_twice_escalates_once(world):
    assigned(world, on=MONDAY)
    day = ACK_DUE + datetime.timedelta(days=1)

    first, second = sweep(day), sweep(day)

    assert (first.total, second.total) == (1, 0)
    assert Supervision.objects.count() == 1
    assert SuggestionEvent.objects.filter(kind="supervised").count() == 1
    assert OutboxMessage.objects.filter(task="supervision.notices.notify_supervisions").count() == 1


def test_still_overdue_after_five_working_days_goes_up_one_level_and_stops_at_the_city(world):
    # Given the county supervises an unsigned suggestion from Thursday 5 March
    suggestion = assigned(world, on=MONDAY)
    sweep(datetime.date(2026, 3, 5))

    # Five working days later (Fri, Mon, Tue, Wed, Thu) it is still unsigned
    assert sweep(datetime.date(2026, 3, 11)).total == 0
    assert sweep(datetime.date(2026, 3, 12)).counts["further"] == 1
    city = Supervision.objects.get(region=world.city)
    assert city.reason == Supervision.Reason.STILL_OVERDUE
    assert city.due_date == ACK_DUE and city.suggestion == suggestion

    # And the city is the top level: later sweeps add nothing
    assert sweep(datetime.date(2026, 4, 30)).total == 0
    assert list(
        Supervision.objects.order_by("-region_path").values_list("region__level", flat=True)
    ) == ["county", "city"]


def test_a_replied_suggestion_is_neither_escalated_nor_escalated_further(world):
    suggestion = signed(world, assigned(world, on=MONDAY), on=MONDAY)
    with clock.frozen(REPLY_DUE):
        services.suggestion_reply(actor=world.clerk, suggestion=suggestion, text="已修复。")

    assert sweep(datetime.date(2026, 4, 30)).total == 0


def test_a_worker_dying_mid_batch_leaves_nothing_and_the_next_sweep_does_the_batch(world):
    for _ in range(3):
        assigned(world, on=MONDAY)
    day = ACK_DUE + datetime.timedelta(days=1)

    with (
        mock.patch("supervision.sweeps.enqueue", side_effect=SystemExit("worker killed")),
        pytest.raises(SystemExit),
    ):
        sweep(day)

    assert Supervision.objects.count() == 0
    assert SuggestionEvent.objects.filter(kind="supervised").count() == 0
    assert sweep(day).total == 3
    assert Supervision.objects.count() == 3


def test_sweeps_claim_in_batches_with_one_notice_per_batch(world):
    for _ in range(5):
        assigned(world, on=MONDAY)

    result = sweep(ACK_DUE + datetime.timedelta(days=1), batch_size=2)

    assert result.counts["acknowledge"] == 5
    messages = OutboxMessage.objects.filter(task="supervision.notices.notify_supervisions")
    assert sorted(len(m.kwargs["supervision_ids"]) for m in messages) == [1, 2, 2]


def test_supervising_staff_and_the_unit_are_told_once(world):
    assigned(world, on=MONDAY)
    assigned(world, on=MONDAY)
    other_county_staff = f.user_with_role("jc2", Role.COUNTY_STAFF, region=world.county)
    sweep(ACK_DUE + datetime.timedelta(days=1))

    outbox.run_pending()
    ids = list(Supervision.objects.values_list("pk", flat=True))
    assert notices.notify_supervisions(supervision_ids=ids) == 0  # already claimed

    for user in (world.county_officer, other_county_staff):
        (notice,) = Notification.objects.filter(recipient=user, kind="supervision")
        assert notice.title == "督办：2件事项逾期"
        assert notice.link == "/supervision/"
    (unit_notice,) = Notification.objects.filter(recipient=world.clerk, kind="supervision_unit")
    assert "交城县人大常委会" in unit_notice.body
    # Nobody else: not the township that assigned it, not the city, not the neighbour
    for user in (world.township_officer, world.city_officer, world.outsider):
        assert not Notification.objects.filter(recipient=user, kind="supervision").exists()


def test_the_top_level_is_a_setting(world, settings):
    settings.SUPERVISION_TOP_LEVEL = "county"
    assigned(world, on=MONDAY, actor=world.county_officer)

    assert sweep(datetime.date(2026, 4, 30)).total == 0
