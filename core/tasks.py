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


@shared_task(ignore_result=True, time_limit=300)
def outbox_relay() -> int:
    return outbox.relay()


@shared_task(ignore_result=True, time_limit=60)
def heartbeat() -> None:
    Heartbeat.objects.update_or_create(name="beat", defaults={"at": clock.now()})
