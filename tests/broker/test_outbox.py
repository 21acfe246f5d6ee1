"""The outbox against real Redis: a dead broker never fails a request, and the relay plus
a worker deliver each piece of work once."""

import datetime
import threading
import time
from contextlib import contextmanager
from unittest import mock

import pytest
from django.core import mail
from django.db import OperationalError, connection, connections
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as KombuOperationalError

from core import outbox
from core.models import OutboxMessage
from core.tasks import run_outbox_message
from suggestions.models import Suggestion
from tests.broker.conftest import outbox_ids_of
from tests.suggestions.conftest import intake_data

pytestmark = pytest.mark.django_db(transaction=True)


def _published_ids(broker) -> list[int]:
    """The outbox ids the messages waiting in the default queue carry, in order."""
    ids = []
    for raw in broker.redis.lrange(f"{broker.prefix}default", 0, -1):
        ids += outbox_ids_of(raw)
    return ids


def _wait_for_sender() -> None:
    """Let the after-commit sender thread finish what it was given."""
    outbox._sender.submit(lambda: None).result(timeout=60)


def test_a_submission_succeeds_with_redis_down_and_is_delivered_once_when_it_is_back(
    client, world, broker, worker, settings
):
    # Given the broker is unreachable and messages are sent on commit
    settings.OUTBOX_SEND_ON_COMMIT = True
    world.deputy_user.email = "mazhigang@example.cn"
    world.deputy_user.save(update_fields=["email"])
    broker.use_dead()

    # When a citizen submits a suggestion through the deputy's code
    started = time.monotonic()
    response = client.post(
        reverse("public_suggestions:new_for_deputy", args=[world.deputy.public_token]),
        intake_data(),
    )
    elapsed = time.monotonic() - started

    # Then the submission succeeds at once (the hand-off happens off the request thread)
    assert response.status_code == 302
    assert elapsed < 5
    assert Suggestion.objects.count() == 1
    _wait_for_sender()
    message = OutboxMessage.objects.get(task="suggestions.tasks.notify_new_suggestion")
    assert (message.dispatched_at, message.done_at) == (None, None)
    assert broker.queued() == 0 and mail.outbox == []
    # (The deputy's points recompute, queued beside it, is not this test's subject.)
    OutboxMessage.objects.exclude(pk=message.pk).update(done_at=message.created_at)

    # When Redis is back, the relay publishes the message once, however often it runs
    broker.use_real()
    settings.OUTBOX_RELAY_AFTER_SECONDS = 0
    assert outbox.relay() == 1
    assert outbox.relay() == 0
    assert _published_ids(broker) == [message.pk]

    # And a worker delivers the notice to the deputy once
    with worker() as done:
        done.wait_for(1)
        # A second copy of the message (a redelivery) changes nothing. (Published
        # directly: the test thread writes nothing while the worker runs.)
        run_outbox_message.apply_async(args=[message.pk], retry=False)
        done.wait_for(2)
    message.refresh_from_db()
    assert message.done_at is not None and message.attempts == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mazhigang@example.cn"]
    assert broker.queued() == 0


@contextmanager
def _broker_lost_after_one_publish(task):
    """Publishing `task` works once, then the broker is gone (the error is expected);
    yields the first argument of each publish tried."""
    real_send = task.apply_async
    calls = []

    def flaky(*args, **kwargs):
        calls.append(kwargs["args"][0])
        if len(calls) > 1:
            raise KombuOperationalError("Error 111 connecting to redis. Connection refused.")
        return real_send(*args, **kwargs)

    with (
        mock.patch.object(task, "apply_async", side_effect=flaky),
        pytest.raises(KombuOperationalError),
    ):
        yield calls


def test_a_relay_pass_that_loses_the_broker_leaves_the_rest_for_the_next_pass(broker, settings):
    # Given three messages to relay, each its own delivery, and a broker that goes away
    # after the first one
    settings.OUTBOX_RELAY_AFTER_SECONDS = 0
    settings.OUTBOX_PUBLISH_BATCH = 1
    ids = [
        OutboxMessage.objects.create(task="tests.broker.work.noop", kwargs={}).pk for _ in range(3)
    ]
    with _broker_lost_after_one_publish(run_outbox_message):
        outbox.relay()

    # Then only the message that reached Redis is stamped; the next pass sends the rest
    # at once instead of waiting OUTBOX_RESEND_AFTER_SECONDS
    stamped = set(
        OutboxMessage.objects.filter(dispatched_at__isnull=False).values_list("pk", flat=True)
    )
    assert stamped == {ids[0]}
    assert outbox.relay() == 2
    assert sorted(_published_ids(broker)) == ids


def _in_thread(work, results, errors, barrier):
    try:
        barrier.wait(timeout=10)
        for attempt in range(50):
            try:
                results.append(work())
                return
            except OperationalError as error:
                # SQLite's shared in-memory test database refuses a second writer
                # instead of waiting: try again, as the next beat would.
                if connection.vendor != "sqlite" or "locked" not in str(error):
                    raise
                time.sleep(0.02 * (attempt + 1))
        raise AssertionError("still locked after 50 attempts")
    except BaseException as error:  # reported to the test thread
        errors.append(error)
    finally:
        connections.close_all()


def test_two_relays_at_once_publish_every_row_exactly_once(broker, settings):
    # Given 300 messages nobody sent, older than the relay's settling time
    settings.OUTBOX_RELAY_AFTER_SECONDS = 0
    ids = {
        OutboxMessage.objects.create(task="tests.broker.work.noop", kwargs={}).pk
        for _ in range(300)
    }

    # When two relays run at once, each with its own database connection
    results, errors = [], []
    barrier = threading.Barrier(2)
    threads = [
        threading.Thread(
            target=_in_thread, args=(lambda: outbox.relay(batch_size=20), results, errors, barrier)
        )
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    # Then every row went to Redis once
    assert not errors, errors
    if connection.vendor == "postgresql":
        # (SQLite retried a refused pass from the start, so its counts restart)
        assert sum(results) == 300
    published = _published_ids(broker)
    assert len(published) == 300 and set(published) == ids
    assert not OutboxMessage.objects.filter(dispatched_at__isnull=True).exists()


def test_an_old_unfinished_message_is_sent_again_and_still_runs_once(broker, worker, settings):
    # A copy was handed to Redis long ago and lost (a broker restart without persistence)
    settings.OUTBOX_RELAY_AFTER_SECONDS = 0
    settings.OUTBOX_RESEND_AFTER_SECONDS = 600
    message = OutboxMessage.objects.create(
        task="tests.broker.work.noop",
        kwargs={},
        dispatched_at=timezone.now() - datetime.timedelta(hours=1),
    )

    assert outbox.relay() == 1
    with worker() as done:
        done.wait_for(1)
    message.refresh_from_db()
    assert message.done_at is not None and message.attempts == 1


def test_a_submission_s_messages_are_written_stamped_and_published_once_in_one_pass(
    client, world, broker, settings
):
    # Given messages are sent on commit to a live broker
    settings.OUTBOX_SEND_ON_COMMIT = True
    broker.use_real()
    publishes = []
    real_publish = run_outbox_message.apply_async

    def counted(*args, **kwargs):
        publishes.append(kwargs["args"][0])
        return real_publish(*args, **kwargs)

    # When a citizen submits
    with mock.patch.object(run_outbox_message, "apply_async", side_effect=counted):
        response = client.post(
            reverse("public_suggestions:new_for_deputy", args=[world.deputy.public_token]),
            intake_data(),
        )
        assert response.status_code == 302
        _wait_for_sender()

    # Then both rows were committed already stamped (the sender wrote nothing), each was
    # published once, to its own queue
    messages = list(OutboxMessage.objects.order_by("pk"))
    assert len(messages) == 2 and all(m.dispatched_at is not None for m in messages)
    assert sorted(publishes) == [m.pk for m in messages]
    notice = next(m for m in messages if m.task == "suggestions.tasks.notify_new_suggestion")
    assert _published_ids(broker) == [notice.pk]
    # And the relay leaves them alone: they are not sent twice
    settings.OUTBOX_RELAY_AFTER_SECONDS = 0
    assert outbox.relay() == 0


def test_a_relay_sends_a_queue_s_messages_in_batches_and_a_lost_batch_goes_next_pass(
    broker, settings
):
    from core.tasks import run_outbox_messages

    # Given five messages to relay in deliveries of two, and a broker that goes away
    # after the first delivery
    settings.OUTBOX_RELAY_AFTER_SECONDS = 0
    settings.OUTBOX_PUBLISH_BATCH = 2
    ids = [
        OutboxMessage.objects.create(task="tests.broker.work.noop", kwargs={}).pk for _ in range(5)
    ]
    with _broker_lost_after_one_publish(run_outbox_messages) as calls:
        outbox.relay()

    # Then the first two went as one broker message and are the only ones stamped
    assert calls[0] == ids[:2]
    assert len(broker.redis.lrange(f"{broker.prefix}default", 0, -1)) == 1
    stamped = OutboxMessage.objects.filter(dispatched_at__isnull=False).values_list("pk", flat=True)
    assert sorted(stamped) == ids[:2]
    # And the next pass sends the other three: a batch of two and one alone
    assert outbox.relay() == 3
    assert sorted(_published_ids(broker)) == ids
    assert len(broker.redis.lrange(f"{broker.prefix}default", 0, -1)) == 3


def test_submissions_within_the_gathering_time_are_one_delivery_and_each_runs_once(
    client, world, broker, worker, settings
):
    # Given messages sent on commit, gathered for a second before each pass
    settings.OUTBOX_SEND_ON_COMMIT = True
    settings.OUTBOX_SEND_GATHER_SECONDS = 1.0
    url = reverse("public_suggestions:new_for_deputy", args=[world.deputy.public_token])

    # When two citizens submit within that second
    for n in range(2):
        response = client.post(
            url,
            intake_data(token=f"tok_gather{n:022d}", content=f"第{n + 1}位群众：路灯不亮。"),
            REMOTE_ADDR=f"10.2.0.{n + 1}",
        )
        assert response.status_code == 302
    _wait_for_sender()

    # Then both notices wait on the default queue as one broker message
    notices = sorted(
        OutboxMessage.objects.filter(task="suggestions.tasks.notify_new_suggestion").values_list(
            "pk", flat=True
        )
    )
    waiting = broker.redis.lrange(f"{broker.prefix}default", 0, -1)
    assert len(notices) == 2 and len(waiting) == 1
    assert sorted(_published_ids(broker)) == notices
    # And a worker runs every message (the two points recomputes went together too)
    with worker() as done:
        done.wait_for(2)
    assert not OutboxMessage.objects.filter(done_at__isnull=True).exists()
    assert set(OutboxMessage.objects.values_list("attempts", flat=True)) == {1}


def test_a_failing_message_in_a_batch_is_retried_alone_and_the_rest_run(db):
    from core.tasks import run_outbox_message, run_outbox_messages

    first, failing, last = (
        OutboxMessage.objects.create(task=f"tests.broker.work.{name}", kwargs={})
        for name in ("noop", "fail", "noop")
    )
    with mock.patch.object(run_outbox_message, "apply_async") as retry:
        run_outbox_messages([first.pk, failing.pk, last.pk])

    for message in (first, failing, last):
        message.refresh_from_db()
    assert first.done_at is not None and last.done_at is not None
    assert failing.done_at is None and failing.attempts == 1
    assert "the work fails" in failing.last_error
    retry.assert_called_once_with(args=[failing.pk], countdown=30)


def test_only_short_work_shares_a_broker_message(broker, settings):
    # Given two notices and two ledger jobs nobody sent
    settings.OUTBOX_RELAY_AFTER_SECONDS = 0
    for task in ("suggestions.tasks.notify_new_suggestion", "jobs.runner.run_job") * 2:
        OutboxMessage.objects.create(task=task, kwargs={})

    assert outbox.relay() == 4

    # Then the notices went as one message, each job as its own (a batch runs under
    # one time limit, one message after another)
    assert len(broker.redis.lrange(f"{broker.prefix}default", 0, -1)) == 1
    jobs = broker.redis.lrange(f"{broker.prefix}jobs", 0, -1)
    assert [len(outbox_ids_of(raw)) for raw in jobs] == [1, 1]


def test_a_batch_whose_failure_cannot_be_recorded_is_retried_from_that_message_on(db):
    from core.tasks import run_outbox_messages

    first, failing, last = (
        OutboxMessage.objects.create(task=f"tests.broker.work.{name}", kwargs={})
        for name in ("noop", "fail", "noop")
    )

    class Retried(Exception):
        pass

    retry = mock.Mock(return_value=Retried())
    with (
        mock.patch.object(outbox, "record_failure", side_effect=OperationalError("gone")),
        mock.patch.object(run_outbox_messages, "retry", retry),
        pytest.raises(Retried),
    ):
        run_outbox_messages([first.pk, failing.pk, last.pk])

    first.refresh_from_db()
    assert first.done_at is not None
    assert retry.call_args.kwargs["args"] == [[failing.pk, last.pk]]


def test_a_sender_that_takes_no_work_fails_no_request_and_the_next_pass_sends_it(
    client, world, broker, settings
):
    # Given messages sent on commit, and a sender thread that refuses work (as at the
    # interpreter's shutdown)
    settings.OUTBOX_SEND_ON_COMMIT = True
    broker.use_real()
    url = reverse("public_suggestions:new_for_deputy", args=[world.deputy.public_token])

    class Closed:
        def submit(self, fn):
            raise RuntimeError("cannot schedule new futures after interpreter shutdown")

    # When a citizen submits then
    with mock.patch.object(outbox, "_sender", Closed()):
        first = client.post(url, intake_data(token=f"tok_closed{0:022d}"), REMOTE_ADDR="10.3.0.1")
    # Then the citizen has their receipt, and nothing was published yet
    assert first.status_code == 302 and _published_ids(broker) == []

    # And the next submission's pass publishes both notices: the first was not stuck
    second = client.post(
        url,
        intake_data(token=f"tok_closed{1:022d}", content="第二位群众：路灯不亮。"),
        REMOTE_ADDR="10.3.0.2",
    )
    assert second.status_code == 302
    _wait_for_sender()
    notices = OutboxMessage.objects.filter(task="suggestions.tasks.notify_new_suggestion")
    assert sorted(_published_ids(broker)) == sorted(notices.values_list("pk", flat=True))
    assert notices.count() == 2
