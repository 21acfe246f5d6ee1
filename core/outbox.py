"""The transactional outbox: how request code asks Celery for work.

    enqueue("jobs.tasks.build_placards", job_id=job.pk)

writes a row inside the caller's transaction. After commit the message is handed
to the broker from a background thread, so a request never waits on Redis; if that
fails, `outbox_relay` (run by beat) sends it later. The worker runs the named
function through `run_outbox_message`, which marks the row done in the same
transaction as the work: a message delivered twice has its effect once.
"""

import logging
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import F
from django.db.models.signals import post_save
from django.utils.module_loading import import_string

from core import clock

from .models import OutboxMessage

logger = logging.getLogger("lianxin.outbox")
_sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox")


_pending = threading.local()  # this thread's open `batched()` block, if any


@dataclass
class _Batch:
    depth: int  # the savepoints open when the block began
    rows: list = field(default_factory=list)


def _savepoint_depth() -> int:
    return len(transaction.get_connection().savepoint_ids)


def enqueue(task: str, **kwargs) -> OutboxMessage:
    """Record `task(**kwargs)` to run in a worker once the current transaction commits.

    `task` is the dotted path of a plain function (not a Celery task); kwargs must be
    JSON-serialisable (ids, not objects). Inside `batched()` the row is written at the
    end of the block, with the others (its pk is unset until then).
    """
    message = OutboxMessage(task=task, kwargs=kwargs)
    batch = getattr(_pending, "batch", None)
    if batch is not None and _savepoint_depth() == batch.depth:
        batch.rows.append(message)
    else:  # no batch, or inside a savepoint of its own: written now, rolled back with it
        message.save(force_insert=True)
    if settings.OUTBOX_SEND_ON_COMMIT:
        transaction.on_commit(lambda: _send_soon(message.pk, message.dispatched_at))
    return message


@contextmanager
def batched():
    """Write the messages enqueued inside the block in one INSERT at its end.

    For a hot path that enqueues several (the citizen's submit): one statement instead of
    one per message, inside the caller's atomic block, so the rows commit or roll back
    with the work that asked for them (a message enqueued in a nested atomic block is
    written at once instead, and rolls back with that block). When messages are sent
    on commit the rows are written stamped as dispatched: the sender thread then only
    publishes them. (If the process dies between commit and publish, the relay resends
    them after OUTBOX_RESEND_AFTER_SECONDS rather than OUTBOX_RELAY_AFTER_SECONDS.)
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("outbox.batched() belongs inside an atomic block")
    if getattr(_pending, "batch", None) is not None:  # nested: the outer block writes
        yield
        return
    batch = _pending.batch = _Batch(depth=_savepoint_depth())
    try:
        yield
    finally:
        _pending.batch = None
    if batch.rows:
        if settings.OUTBOX_SEND_ON_COMMIT:
            stamp = clock.now()
            for row in batch.rows:
                row.dispatched_at = stamp
        OutboxMessage.objects.bulk_create(batch.rows)
        for row in batch.rows:  # as a save would: the queue router remembers each task
            post_save.send(
                OutboxMessage, instance=row, created=True, raw=False, using=row._state.db
            )


# Committed (id, stamp or None) pairs waiting for the sender thread, which takes every
# pair waiting when it runs: the messages of one transaction, and of requests
# committing meanwhile, are one pass of the thread (one UPDATE for those to stamp).
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
    _sender.submit(_send_in_thread)


def _send_in_thread() -> None:
    global _drain_scheduled
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
    """Stamp the messages not stamped yet (one UPDATE), then publish each.

    The stamp commits *before* the publish: a worker may take the message the moment
    it reaches the broker, and must never find the row locked by our stamp (it waits
    for a lock anyway, see `run`). If a publish fails, the stamps of that message and
    of those after it are taken back (a stamp a relay replaced meanwhile is left alone),
    so the relay sends them at its next pass rather than after
    OUTBOX_RESEND_AFTER_SECONDS.
    """
    from .tasks import run_outbox_message

    unstamped = [message_id for message_id, stamp in pairs if stamp is None]
    if unstamped:
        now = clock.now()
        OutboxMessage.objects.filter(pk__in=unstamped, done_at__isnull=True).update(
            dispatched_at=now
        )
        pairs = [(message_id, stamp or now) for message_id, stamp in pairs]
    for position, (message_id, _stamp) in enumerate(pairs):
        try:
            run_outbox_message.apply_async(args=[message_id], retry=False)
        except Exception:
            unsent = pairs[position:]
            for stamp in {stamp for _id, stamp in unsent}:
                OutboxMessage.objects.filter(
                    pk__in=[pk for pk, its in unsent if its == stamp],
                    dispatched_at=stamp,
                    done_at__isnull=True,
                ).update(dispatched_at=None)
            raise
    return len(pairs)


def relay(*, batch_size: int = 500) -> int:
    """Send messages nobody sent (broker down at commit) or whose copy got lost.

    Rows are claimed with SELECT ... FOR UPDATE SKIP LOCKED and stamped before the
    lock is released, so two relays running at once never send the same row.
    """
    now = clock.now()
    settle = now - timedelta(seconds=settings.OUTBOX_RELAY_AFTER_SECONDS)
    resend = now - timedelta(seconds=settings.OUTBOX_RESEND_AFTER_SECONDS)
    total = 0
    while True:
        with transaction.atomic():
            ids = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(done_at__isnull=True, created_at__lt=settle)
                .exclude(dispatched_at__gte=resend)
                .order_by("created_at")
                .values_list("pk", flat=True)[:batch_size]
            )
            if not ids:
                return total
            OutboxMessage.objects.filter(pk__in=ids).update(dispatched_at=now)
        from .tasks import run_outbox_message

        for position, message_id in enumerate(ids):
            try:
                run_outbox_message.apply_async(args=[message_id], retry=False)
            except Exception:
                # The broker went away mid-batch: un-stamp what was not sent, so the
                # next relay sends it instead of waiting OUTBOX_RESEND_AFTER_SECONDS.
                OutboxMessage.objects.filter(
                    pk__in=ids[position:], dispatched_at=now, done_at__isnull=True
                ).update(dispatched_at=None)
                raise
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
