"""The job list's rows, shared by the list page and the home page's workbench."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from core import clock

from .models import Job

RECENT_DAYS = 7


def job_rows(user, params) -> QuerySet[Job]:
    """The user's jobs, newest first; `recent=done` narrows to those finished (done or
    failed) within the last RECENT_DAYS days."""
    jobs = Job.objects.visible_to(user).order_by("-created_at", "-pk")
    if params.get("recent") == "done":
        since = clock.now() - datetime.timedelta(days=RECENT_DAYS)
        jobs = jobs.filter(status__in=[Job.Status.DONE, Job.Status.FAILED], finished_at__gte=since)
    return jobs
