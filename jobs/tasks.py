from datetime import timedelta

from celery import shared_task
from django.conf import settings

from . import services


@shared_task(ignore_result=True, time_limit=600)
def job_results_prune() -> int:
    return services.job_results_prune(older_than=timedelta(days=settings.JOB_RESULT_RETENTION_DAYS))


@shared_task(ignore_result=True, time_limit=120)
def requeue_stale_jobs() -> int:
    return services.job_requeue_stale()
