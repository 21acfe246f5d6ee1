from celery import shared_task

from .services import retry_due_deliveries


@shared_task(ignore_result=True, time_limit=120, soft_time_limit=110)
def retry_deliveries() -> int:
    return retry_due_deliveries()
