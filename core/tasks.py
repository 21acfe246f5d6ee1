from celery import shared_task

from core import clock

from . import outbox
from .models import Heartbeat


@shared_task(
    bind=True,
    acks_late=True,
    max_retries=8,
    ignore_result=True,
)
def run_outbox_message(self, message_id: int) -> None:
    try:
        outbox.run(message_id)
    except Exception as error:
        outbox.record_failure(message_id, error)
        raise self.retry(exc=error, countdown=min(30 * 2**self.request.retries, 3600)) from error


@shared_task(bind=True, acks_late=True, max_retries=8, ignore_result=True)
def run_outbox_messages(self, message_ids: list[int]) -> None:
    """Several outbox messages of one queue in one delivery (the sender's and the
    relay's batches of short work, see `outbox.batchable`). Each runs in a transaction
    of its own, as if delivered alone; one that fails is counted and handed on as a
    message of its own, retried with its own backoff, and the rest still run.
    Delivered twice, the messages already done are skipped. If a failure cannot even
    be recorded (the database or the broker away), the batch from that message on is
    retried as a whole."""
    for position, message_id in enumerate(message_ids):
        try:
            outbox.run(message_id)
        except Exception as error:
            try:
                outbox.record_failure(message_id, error)
                run_outbox_message.apply_async(args=[message_id], countdown=30)
            except Exception as handing_on:
                raise self.retry(
                    args=[message_ids[position:]],
                    exc=handing_on,
                    countdown=min(30 * 2**self.request.retries, 3600),
                ) from handing_on


@shared_task(ignore_result=True, time_limit=300)
def outbox_relay() -> int:
    return outbox.relay()


@shared_task(ignore_result=True, time_limit=60)
def heartbeat() -> None:
    Heartbeat.objects.update_or_create(name="beat", defaults={"at": clock.now()})
