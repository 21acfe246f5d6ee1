"""Schedules administrators can edit: django-celery-beat rows, seeded from settings.

`settings.CELERY_BEAT_SCHEDULE` lists the default entries. django-celery-beat's own
scheduler writes that dict over the database rows every time beat starts, which
would undo what a superuser changed in Django admin; this scheduler only creates
the entries that are missing (by name) and leaves existing rows alone. The same
step runs as `manage.py setup_schedules` (bin/run calls it before starting beat).
"""

from __future__ import annotations

from celery import current_app
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_celery_beat import schedulers
from django_celery_beat.models import PeriodicTask

# What each default entry does, shown on the schedules page and in Django admin.
DESCRIPTIONS = {
    "outbox-relay": _("补发未能及时送达后台服务的任务"),
    "heartbeat": _("记录后台服务仍在运行"),
    "notification-retries": _("按间隔重试发送失败的邮件和短信"),
    "audit-prune-daily": _("删除超过保存期限的审计记录"),
    "job-results-prune": _("删除过期的导出和打印文件"),
    "duty-points-nightly": _("每晚重新计算代表履职积分"),
    "supervision-overdue-sweep": _("逾期事项自动提请上级督办"),
    "supervision-deadline-reminders": _("期限届满前提醒承办单位"),
    "supervision-duty-reminders": _("提醒代表次日进站值班"),
}


def ensure_default_schedules(beat_schedule: dict | None = None) -> list[str]:
    """Create the default periodic tasks that are not in the database yet; returns their names.

    Rows already there (perhaps edited or disabled by an administrator) are kept as
    they are: a default never overwrites a decision.
    """
    beat_schedule = current_app.conf.beat_schedule if beat_schedule is None else beat_schedule
    existing = set(
        PeriodicTask.objects.filter(name__in=list(beat_schedule)).values_list("name", flat=True)
    )
    created = []
    for name, entry in beat_schedule.items():
        if name in existing:
            continue
        with transaction.atomic():
            # ModelEntry.from_entry creates the row and its interval/crontab schedule.
            model = schedulers.ModelEntry.from_entry(name, app=current_app, **entry).model
            if name in DESCRIPTIONS:
                model.description = str(DESCRIPTIONS[name])
                model.save(update_fields=["description"])
        created.append(name)
    return created


class DatabaseScheduler(schedulers.DatabaseScheduler):
    """django-celery-beat's scheduler, except that settings never overwrite the database."""

    def setup_schedule(self):
        # No celery.backend_cleanup entry either: results are never stored here.
        ensure_default_schedules(self.app.conf.beat_schedule)
