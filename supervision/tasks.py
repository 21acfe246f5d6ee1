"""Celery entry points of the sweeps: thin, idempotent, acknowledged late, time-limited.

A task that dies (worker killed, time limit) is delivered again and simply sweeps
again: every batch it committed is already claimed, every batch it did not commit
left nothing behind. Beat sends them without arguments; `now` (an ISO 8601
moment) lets an operator re-run the sweep of a given day, e.g. after an outage.
"""

import datetime

from celery import shared_task

from . import sweeps


def _moment(now: str | None) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(now) if now else None


@shared_task(ignore_result=True, acks_late=True, time_limit=900, soft_time_limit=840)
def sweep_overdue(now: str | None = None) -> int:
    return sweeps.escalate_overdue(now=_moment(now)).total


@shared_task(ignore_result=True, acks_late=True, time_limit=900, soft_time_limit=840)
def sweep_reminders(now: str | None = None) -> int:
    return sweeps.remind_due(now=_moment(now)).total


@shared_task(ignore_result=True, acks_late=True, time_limit=300, soft_time_limit=270)
def sweep_duty_reminders(now: str | None = None) -> int:
    return sweeps.remind_duties(now=_moment(now)).total
