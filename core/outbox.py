"""The transactional outbox: how request code asks Celery for work.

    enqueue("jobs.tasks.build_placards", job_id=job.pk)

writes a row inside the caller's transaction. After commit the message is handed
to the broker from a background thread, so a request never waits on Redis; if that
fails, `outbox_relay` (run by beat) sends it later. Messages sent together go as one
broker message per queue. The worker runs the named function through
`run_outbox_message` (or `run_outbox_messages` for several), which marks the row
done in the same transaction as the work: a message delivered twice has its effect
once.
"""

import logging
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import F
from django.utils.module_loading import import_string

from core import clock, writes

from .models import OutboxMessage

logger = logging.getLogger("lianxin.outbox")
_sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox")


def enqueue(task: str, **kwargs) -> OutboxMessage:
    """Record `task(**kwargs)` to run in a worker once the current transaction commits.

    `task` is the dotted path of a plain function (not a Celery task); kwargs must be
    JSON-serialisable (ids, not objects). Inside a `writes.together()` block the row is
    written at the end of the block, with the others (its pk is unset until then); when
    messages are sent on commit it is written already stamped as dispatched, so the
    sender thread only publishes it. (If the process dies between commit and publish,
    the relay resends it after OUTBOX_RESEND_AFTER_SECONDS rather than
    OUTBOX_RELAY_AFTER_SECONDS.)
    """
    message = OutboxMessage(task=task, kwargs=kwargs)
    if settings.OUTBOX_SEND_ON_COMMIT and writes.held():
        message.dispatched_at = writes.block_time()
    writes.insert(message)
    if settings.OUTBOX_SEND_ON_COMMIT:
        transaction.on_commit(
            lambda: message.pk is not None and _send_soon(message.pk, message.dispatched_at)
        )
    return message


# Committed (id, stamp or None) pairs waiting for the sender thread. A pass of the
# thread first waits OUTBOX_SEND_GATHER_SECONDS, then takes every pair waiting: the
# messages of the requests that committed meanwhile go in one pass (one UPDATE for
# those to stamp, one broker message per queue), so a burst of citizens' submissions
# costs a few publishes, not two each.
_to_send: queue.SimpleQueue[tuple] = queue.SimpleQueue()
_drain_lock = threading.Lock()
_drain_scheduled = False


def _send_soon(message_id: int, stamp) -> None:
    global _drain_scheduled
    _to_send.put((message_id, stamp))
    with _drain_lock:
        if _drain_scheduled:
            return
        _drain_scheduled = True
    try:
        _sender.submit(_send_in_thread)
    except RuntimeError:  # the interpreter is shutting down: the next pass or the relay
        with _drain_lock:
            _drain_scheduled = False
        logger.warning("outbox: the sender takes no more work; message %s waits", message_id)


def _send_in_thread() -> None:
    global _drain_scheduled
    if settings.OUTBOX_SEND_GATHER_SECONDS > 0:
        time.sleep(settings.OUTBOX_SEND_GATHER_SECONDS)  # pairs put meanwhile join this pass
    with _drain_lock:
        _drain_scheduled = False  # pairs put from now on schedule another pass
    pairs = []
    while True:
        try:
            pairs.append(_to_send.get_nowait())
        except queue.Empty:
            break
    try:
        if pairs:
            _send(pairs)
    except Exception:  # the relay will pick them up
        logger.warning("outbox: could not send messages %s now", pairs, exc_info=True)
    finally:
        close_old_connections()


def send(message_ids: list[int]) -> int:
    """Stamp messages, then hand them to the broker; returns how many were sent."""
    return _send([(message_id, None) for message_id in message_ids])


def _send(pairs: list[tuple]) -> int:
    """Stamp the messages not stamped yet (one UPDATE), then publish them.

    The stamp commits *before* the publish: a worker may take the message the moment
    it reaches the broker, and must never find the row locked by our stamp (it waits
    for a lock anyway, see `run`).
    """
    unstamped = [message_id for message_id, stamp in pairs if stamp is None]
    if unstamped:
        now = clock.now()
        OutboxMessage.objects.filter(pk__in=unstamped, done_at__isnull=True).update(
            dispatched_at=now
        )
        pairs = [(message_id, stamp or now) for message_id, stamp in pairs]
    _publish(pairs)
    return len(pairs)


def batchable(task: str) -> bool:
    """Whether messages naming `task` may share a broker message: short work only
    (settings.OUTBOX_BATCH_QUEUES and OUTBOX_BATCH_TASKS)."""
    from congress_portal.queues import queue_for

    return task in settings.OUTBOX_BATCH_TASKS or queue_for(task) in settings.OUTBOX_BATCH_QUEUES


def _deliveries(message_ids: list[int]) -> list[list[int]]:
    """The messages in deliveries: those that may share one grouped by queue (in the
    order each queue first appears), at most OUTBOX_PUBLISH_BATCH together; the rest
    one by one."""
    from congress_portal.queues import outbox_task, queue_for

    by_queue: dict[str, list[int]] = {}
    alone = []
    for message_id in message_ids:
        task = outbox_task(message_id)
        if batchable(task):
            by_queue.setdefault(queue_for(task), []).append(message_id)
        else:
            alone.append([message_id])
    size = max(1, settings.OUTBOX_PUBLISH_BATCH)
    return [
        group[start : start + size]
        for group in by_queue.values()
        for start in range(0, len(group), size)
    ] + alone


def _publish(pairs: list[tuple]) -> None:
    """Hand stamped, committed messages to the broker: one Celery message per delivery
    (`run_outbox_message` for one, `run_outbox_messages` for several).

    If routing or a publish fails, the stamps of the messages not handed over are taken
    back (a stamp a relay replaced meanwhile is left alone), so the relay sends them at
    its next pass rather than after OUTBOX_RESEND_AFTER_SECONDS; then the error is
    raised.
    """
    from .tasks import run_outbox_message, run_outbox_messages

    unsent = {message_id for message_id, _stamp in pairs}
    try:
        for delivery in _deliveries([message_id for message_id, _stamp in pairs]):
            if len(delivery) == 1:
                run_outbox_message.apply_async(args=[delivery[0]], retry=False)
            else:
                run_outbox_messages.apply_async(args=[delivery], retry=False)
            unsent.difference_update(delivery)
    except Exception:
        stamps: dict = {}
        for message_id, stamp in pairs:
            if message_id in unsent:
                stamps.setdefault(stamp, []).append(message_id)
        for stamp, ids in stamps.items():
            OutboxMessage.objects.filter(
                pk__in=ids, dispatched_at=stamp, done_at__isnull=True
            ).update(dispatched_at=None)
        raise


def relay(*, batch_size: int = 500) -> int:
    """Send messages nobody sent (broker down at commit) or whose copy got lost.

    Rows are claimed with SELECT ... FOR UPDATE SKIP LOCKED and stamped before the
    lock is released, so two relays running at once never send the same row. Their
    functions are read with them, so routing them to their queues costs no query.
    """
    from congress_portal.queues import remember

    now = clock.now()
    settle = now - timedelta(seconds=settings.OUTBOX_RELAY_AFTER_SECONDS)
    resend = now - timedelta(seconds=settings.OUTBOX_RESEND_AFTER_SECONDS)
    total = 0
    while True:
        with transaction.atomic():
            rows = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(done_at__isnull=True, created_at__lt=settle)
                .exclude(dispatched_at__gte=resend)
                .order_by("created_at")
                .values_list("pk", "task")[:batch_size]
            )
            if not rows:
                return total
            ids = [message_id for message_id, _task in rows]
            OutboxMessage.objects.filter(pk__in=ids).update(dispatched_at=now)
        for message_id, task in rows:
            remember(message_id, task)
        _publish([(message_id, now) for message_id in ids])
        total += len(ids)
        if len(ids) < batch_size:
            return total


def run(message_id: int) -> bool:
    """Run one message's work unless it already ran; True if it ran now.

    The row is locked and *waited for* (no SKIP LOCKED): whoever holds it — a relay
    stamping it, another worker running a second copy — finishes first, and then the
    row is read again, so the work runs exactly once and a copy that arrives while
    the row is busy is never acknowledged with the work undone.
    """
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update()
            .filter(pk=message_id, done_at__isnull=True)
            .first()
        )
        if message is None:
            return False
        import_string(message.task)(**message.kwargs)
        message.done_at = clock.now()
        message.attempts += 1
        message.save(update_fields=["done_at", "attempts"])
    return True


def record_failure(message_id: int, error: BaseException) -> None:
    """Keep the error and count the failed attempt (the work itself rolled back)."""
    OutboxMessage.objects.filter(pk=message_id).update(
        last_error=repr(error)[:2000], attempts=F("attempts") + 1
    )


def run_pending() -> int:
    """Run every pending message in this process (tests and management commands)."""
    count = 0
    for message_id in OutboxMessage.objects.filter(done_at__isnull=True).values_list(
        "pk", flat=True
    ):
        count += run(message_id)
    return count
