"""The transactional outbox: how request code asks Celery for work.

    enqueue("jobs.tasks.build_placards", job_id=job.pk)

writes a row inside the caller's transaction. After commit the message is handed
to the broker from a background thread, so a request never waits on Redis; if that
fails, `outbox_relay` (run by beat) sends it later. The worker runs the named
function through `run_outbox_message`, which marks the row done in the same
transaction as the work: a message delivered twice has its effect once.
"""

import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections, transaction
from django.db.models import F
from django.utils.module_loading import import_string

from core import clock

from .models import OutboxMessage

logger = logging.getLogger("lianxin.outbox")
_sender = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox")


def enqueue(task: str, **kwargs) -> OutboxMessage:
    """Record `task(**kwargs)` to run in a worker once the current transaction commits.

    `task` is the dotted path of a plain function (not a Celery task); kwargs must be
    JSON-serialisable (ids, not objects).
    """
    message = OutboxMessage.objects.create(task=task, kwargs=kwargs)
    if settings.OUTBOX_SEND_ON_COMMIT:
        transaction.on_commit(lambda: _sender.submit(_send_in_thread, message.pk))
    return message


def _send_in_thread(message_id: int) -> None:
    try:
        send([message_id])
    except Exception:  # the relay will pick it up
        logger.warning("outbox: could not send message %s now", message_id, exc_info=True)
    finally:
        close_old_connections()


def send(message_ids: list[int]) -> int:
    """Stamp messages, then hand them to the broker; returns how many were sent.

    The stamp commits *before* the publish: a worker may take the message the moment
    it reaches the broker, and must never find the row locked by our stamp (it waits
    for a lock anyway, see `run`). If the publish fails the stamp is taken back, so
    the relay sends the message at its next pass rather than after
    OUTBOX_RESEND_AFTER_SECONDS.
    """
    from .tasks import run_outbox_message

    sent = 0
    for message_id in message_ids:
        stamp = clock.now()
        OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True).update(
            dispatched_at=stamp
        )
        try:
            run_outbox_message.apply_async(args=[message_id], retry=False)
        except Exception:
            OutboxMessage.objects.filter(
                pk=message_id, dispatched_at=stamp, done_at__isnull=True
            ).update(dispatched_at=None)
            raise
        sent += 1
    return sent


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
