"""The outbox on PostgreSQL: a worker that meets a row being stamped waits for it and
does the work, instead of skipping it and leaving it to the relay (issue 12, point 1).

Row locks only mean something on PostgreSQL (SQLite locks the whole database), so
these tests run there: DATABASE_URL=postgres://... pytest tests/broker/test_outbox_race.py
"""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.urls import reverse

from core import clock, outbox
from core.models import OutboxMessage
from tests.suggestions.conftest import intake_data

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks: run with DATABASE_URL=postgres://...")


def test_a_worker_arriving_while_the_row_is_being_stamped_waits_and_does_the_work_once():
    # Given a message whose row another transaction is updating (the sender stamping
    # dispatched_at, a relay claiming it) and has not yet committed
    message = OutboxMessage.objects.create(task="tests.broker.work.noop", kwargs={})
    stamping, release = threading.Event(), threading.Event()

    def stamp():
        try:
            with transaction.atomic():
                OutboxMessage.objects.filter(pk=message.pk).update(dispatched_at=clock.now())
                stamping.set()
                release.wait(10)
        finally:
            connections.close_all()

    stamper = threading.Thread(target=stamp)
    stamper.start()
    assert stamping.wait(10)

    # When a worker runs the message meanwhile
    result = {}

    def work():
        try:
            result["ran"] = outbox.run(message.pk)
        finally:
            connections.close_all()

    worker = threading.Thread(target=work)
    worker.start()
    worker.join(0.5)
    # Then it waits for the lock rather than skipping the row...
    assert worker.is_alive() and "ran" not in result
    release.set()
    stamper.join(10)
    worker.join(10)

    # ...and, once the stamp committed, does the work, once
    assert result == {"ran": True}
    message.refresh_from_db()
    assert message.done_at is not None and message.attempts == 1
    assert message.dispatched_at is not None
    # A second copy of the message changes nothing
    assert outbox.run(message.pk) is False
    message.refresh_from_db()
    assert message.attempts == 1


def test_two_copies_run_at_once_do_the_work_once():
    message = OutboxMessage.objects.create(task="tests.broker.work.noop", kwargs={})
    results, barrier = [], threading.Barrier(2)

    def work():
        try:
            barrier.wait(10)
            results.append(outbox.run(message.pk))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert sorted(results) == [False, True]
    message.refresh_from_db()
    assert message.attempts == 1


def test_200_submissions_with_redis_up_leave_nothing_for_the_relay(
    client, world, broker, worker, settings
):
    # Given Redis up, a worker consuming, and messages sent on commit (no relay runs)
    settings.OUTBOX_SEND_ON_COMMIT = True
    url = reverse("public_suggestions:new_for_deputy", args=[world.deputy.public_token])
    submissions = 200
    with worker():
        # When 200 citizens submit suggestions
        for n in range(submissions):
            response = client.post(
                url,
                intake_data(token=f"tok_load{n:024d}", contact_phone=f"138{n:08d}"),
                REMOTE_ADDR=f"10.1.{n // 250}.{n % 250 + 1}",
            )
            assert response.status_code == 302, n
        # Then every notice is delivered by the worker straight away
        deadline = time.monotonic() + 60
        pending = OutboxMessage.objects.filter(done_at__isnull=True)
        while pending.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        left = list(pending.values_list("task", "dispatched_at"))
    notices = OutboxMessage.objects.filter(task="suggestions.tasks.notify_new_suggestion")
    assert notices.count() == submissions
    # 0 messages left for the relay (it never ran: nothing waits for its 600 s resend)
    assert left == []
    assert broker.queued() == 0
