"""The sweeps through the real broker and real concurrency: once per item and level."""

import datetime
import threading
import time
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from core import outbox
from core.models import OutboxMessage
from notifications.models import Notification
from suggestions.models import Assignment, Suggestion, SuggestionEvent
from supervision import sweeps
from supervision.models import ReminderLog, Supervision
from supervision.tasks import sweep_overdue, sweep_reminders
from tests.supervision.helpers import assigned

from .test_outbox import _in_thread

pytestmark = pytest.mark.django_db(transaction=True)

D = datetime.date
# Suggestions assigned Mon 2 Mar 2026 by the township: signing due Wed 4 Mar.
ASSIGNED_ON = D(2026, 3, 2)
THURSDAY = "2026-03-05T09:00:00+08:00"


def _ids_in_notices(task: str, key: str) -> list[int]:
    return [pk for m in OutboxMessage.objects.filter(task=task) for pk in m.kwargs[key]]


def test_beat_firing_the_overdue_sweep_twice_escalates_once(world, broker, worker, settings):
    # Given an unsigned suggestion, overdue since Thursday
    suggestion = assigned(world, on=ASSIGNED_ON)

    # When beat sends the sweep twice (a duplicate entry, a restart) and a worker runs both
    sweep_overdue.apply_async(kwargs={"now": THURSDAY})
    sweep_overdue.apply_async(kwargs={"now": THURSDAY})
    assert broker.queued() == 2
    with worker() as done:
        done.wait_for(2)

    # Then the county supervises it once, with one queued notice
    (record,) = Supervision.objects.all()
    assert (record.suggestion_id, record.region_id) == (suggestion.pk, world.county.pk)
    assert SuggestionEvent.objects.filter(kind="supervised").count() == 1
    assert _ids_in_notices("supervision.notices.notify_supervisions", "supervision_ids") == [
        record.pk
    ]

    # And relayed through Redis with the rest of the queued work, the notice reaches
    # the county staff once
    settings.OUTBOX_RELAY_AFTER_SECONDS = 0
    published = outbox.relay()
    assert published == OutboxMessage.objects.filter(done_at__isnull=True).count()
    assert published > 1
    with worker():  # (messages of a queue come in batches: wait for the rows, not tasks)
        pending = OutboxMessage.objects.filter(done_at__isnull=True)
        deadline = time.monotonic() + 30
        while pending.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not pending.exists()
    notices = Notification.objects.filter(recipient=world.county_officer, kind="supervision")
    assert notices.count() == 1
    assert suggestion.display_code in notices.get().title


def test_two_sweeps_at_once_escalate_each_suggestion_once(world, settings):
    # Given 40 unsigned suggestions overdue since Thursday
    for _ in range(40):
        assigned(world, on=ASSIGNED_ON)
    now = datetime.datetime.fromisoformat(THURSDAY)

    # When two sweeps run at once, each in its own thread with its own connection, and
    # the first one holds its first batch open before committing
    first_inside = threading.Event()
    original = sweeps._record_supervisions

    def slow_record(rows, at):
        if threading.current_thread().name == "sweep-a" and not first_inside.is_set():
            first_inside.set()
            time.sleep(0.5)
        return original(rows, at)

    results, errors, timings = [], [], {}

    def sweep_a():
        return sweeps.escalate_overdue(now=now, batch_size=7).total

    def sweep_b():
        first_inside.wait(10)
        started = time.monotonic()
        total = sweeps.escalate_overdue(now=now, batch_size=7).total
        timings["b"] = time.monotonic() - started
        return total

    barrier = threading.Barrier(2)
    with mock.patch("supervision.sweeps._record_supervisions", side_effect=slow_record):
        threads = [
            threading.Thread(target=_in_thread, args=(work, results, errors, barrier), name=name)
            for name, work in (("sweep-a", sweep_a), ("sweep-b", sweep_b))
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)

    # Then every suggestion is escalated once, and told once
    assert not errors, errors
    assert Supervision.objects.count() == 40
    assert Supervision.objects.values("suggestion").distinct().count() == 40
    assert SuggestionEvent.objects.filter(kind="supervised").count() == 40
    notified = _ids_in_notices("supervision.notices.notify_supervisions", "supervision_ids")
    assert sorted(notified) == sorted(Supervision.objects.values_list("pk", flat=True))
    if connection.vendor == "postgresql":
        # The second sweep waited on the first one's uncommitted rows, then skipped them
        assert sum(results) == 40
        assert timings["b"] >= 0.3


def test_reminders_fired_by_beat_land_on_the_right_working_day_once(world, broker, worker):
    # Given a signing deadline of Thu 9 Oct 2025, after the National Day holiday
    suggestion = assigned(world, on=D(2025, 9, 22))
    Assignment.objects.filter(suggestion=suggestion).update(acknowledge_due=D(2025, 10, 9))
    Suggestion.objects.filter(pk=suggestion.pk).update(due_date=D(2025, 12, 31))

    # When beat fires on the make-up Sunday, twice on Monday and on a holiday
    for moment in (
        "2025-09-28T09:15:00+08:00",
        "2025-09-29T09:15:00+08:00",
        "2025-09-29T10:15:00+08:00",
        "2025-10-01T09:15:00+08:00",
    ):
        sweep_reminders.apply_async(kwargs={"now": moment})
    with worker() as done:
        done.wait_for(4)

    # Then the unit is reminded once, on Monday 29 September
    (reminder,) = ReminderLog.objects.all()
    assert reminder.due_date == D(2025, 10, 9)
    assert timezone.localtime(reminder.created_at).date() == D(2025, 9, 29)
