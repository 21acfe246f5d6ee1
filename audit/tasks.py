import datetime

from celery import shared_task
from django.conf import settings
from django.db import connection

from core import clock

from .models import AuditRecord


@shared_task(ignore_result=True, time_limit=1800)
def audit_prune() -> int:
    """Drop audit records older than AUDIT_RETENTION_DAYS (never under 183 days)."""
    cutoff = clock.now() - datetime.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    old = AuditRecord.objects.filter(at__lt=cutoff)
    # QuerySet.delete() would call no model delete(); _raw_delete keeps it one statement.
    return old._raw_delete(connection.alias) if old.exists() else 0
