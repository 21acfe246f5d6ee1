"""Reads for the supervision pages. Visibility always starts at `visible_to`."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_celery_beat.models import PeriodicTask

from core import clock
from core.models import Heartbeat, OutboxMessage
from suggestions.models import Suggestion

from .models import Supervision, TrackedDeadline

OPEN = "open"
CLOSED = "closed"
# A supervised suggestion stays in the queue until it is answered.
UNANSWERED = (
    Suggestion.Status.SUBMITTED,
    Suggestion.Status.ACCEPTED,
    Suggestion.Status.ASSIGNED,
    Suggestion.Status.HANDLING,
)


def queue(
    user, *, state: str = OPEN, key_only: bool = False, level: str = ""
) -> QuerySet[Supervision]:
    """The supervision queue: key items first, then the longest-waiting (two queries a page)."""
    rows = Supervision.objects.visible_to(user).select_related(
        "region", "suggestion", "suggestion__region", "deadline", "unit", "created_by"
    )
    running = Q(suggestion__status__in=UNANSWERED) | Q(deadline__status=TrackedDeadline.Status.OPEN)
    if state == OPEN:
        rows = rows.filter(running)
    elif state == CLOSED:
        rows = rows.exclude(running)
    if key_only:
        rows = rows.filter(key=True)
    if level:
        rows = rows.filter(region__level=level)
    return rows.order_by("-key", "created_at", "pk")


def of_suggestion(user, suggestion: Suggestion) -> list[Supervision]:
    """A suggestion's supervisions the user may see, lowest level first."""
    return list(
        Supervision.objects.visible_to(user)
        .filter(suggestion=suggestion)
        .select_related("region", "created_by")
        .order_by("-region_path")
    )


def overdue_days(supervision: Supervision) -> int:
    due = supervision.due_date
    today = clock.today()
    return (today - due).days if due and due < today else 0


PERIOD_NAMES = {
    "days": _("天"),
    "hours": _("小时"),
    "minutes": _("分钟"),
    "seconds": _("秒"),
    "microseconds": _("微秒"),
}


def describe_schedule(task: PeriodicTask) -> str:
    """A periodic task's schedule in plain Chinese ("每15秒", "每天7-20时，每小时第5分")."""
    if task.interval is not None:
        every, period = task.interval.every, task.interval.period
        if period == "seconds":
            # 86400 seconds reads better as a day: use the largest unit that divides it.
            for size, name in ((86400, "days"), (3600, "hours"), (60, "minutes")):
                if every % size == 0:
                    every, period = every // size, name
                    break
        unit = PERIOD_NAMES.get(period, period)
        if every == 1:
            return _("每%(unit)s") % {"unit": unit}
        return _("每%(n)s%(unit)s") % {"n": every, "unit": unit}
    if task.crontab is not None:
        cron = task.crontab
        if (cron.day_of_month, cron.month_of_year, cron.day_of_week) == ("*", "*", "*"):
            if cron.hour == "*":
                return _("每小时第%(minute)s分") % {"minute": cron.minute}
            if cron.hour.isdigit() and cron.minute.isdigit():
                return _("每天%(hour)s:%(minute)02d") % {
                    "hour": cron.hour,
                    "minute": int(cron.minute),
                }
            return _("每天%(hour)s时，每小时第%(minute)s分") % {
                "hour": cron.hour,
                "minute": cron.minute,
            }
        return _("定时（分 %(m)s，时 %(h)s，日 %(dom)s，月 %(moy)s，星期 %(dow)s）") % {
            "m": cron.minute,
            "h": cron.hour,
            "dom": cron.day_of_month,
            "moy": cron.month_of_year,
            "dow": cron.day_of_week,
        }
    if task.clocked is not None:
        return _("一次：%(at)s") % {"at": timezone.localtime(task.clocked.clocked_time)}
    return str(task.solar or "—")


def schedules() -> list[PeriodicTask]:
    """Every periodic task with its schedule in words, for the read-only schedules page."""
    tasks = list(
        PeriodicTask.objects.select_related("interval", "crontab", "solar", "clocked").order_by(
            "name"
        )
    )
    for task in tasks:
        task.description_zh = describe_schedule(task)
    return tasks


# A heartbeat older than this means beat or the worker is not running.
HEARTBEAT_STALE_SECONDS = 300


def heartbeats() -> list[Heartbeat]:
    """When each periodic job last ran; `stale` marks the beat heartbeat gone quiet."""
    now = clock.now()
    rows = list(Heartbeat.objects.order_by("name"))
    for row in rows:
        row.stale = row.name == "beat" and (now - row.at).total_seconds() > HEARTBEAT_STALE_SECONDS
    return rows


def outbox_backlog() -> dict:
    """How much queued work is waiting, and since when (a stuck worker shows here)."""
    pending = OutboxMessage.objects.filter(done_at__isnull=True)
    oldest = pending.order_by("created_at").values_list("created_at", flat=True).first()
    failing = pending.exclude(last_error="").count()
    return {"pending": pending.count(), "oldest": oldest, "failing": failing}
