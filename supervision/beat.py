"""Schedules administrators can edit: django-celery-beat rows, seeded from settings.

`settings.CELERY_BEAT_SCHEDULE` lists the default entries. django-celery-beat's own
scheduler writes that dict over the database rows every time beat starts, which
would undo what a superuser changed in Django admin; this scheduler only creates
the entries that are missing (by name) and leaves existing rows alone. The same
step runs as `manage.py setup_schedules` (bin/run calls it before starting beat).

Exactly one beat schedules at a time, even if two are started by mistake: a beat
schedules only while it holds `BeatLock` (a PostgreSQL advisory lock on a
connection of its own, or a file lock on SQLite). Another beat stands by, trying
again every `BEAT_LOCK_RETRY_SECONDS`, and takes over when the holder's process or
connection dies: the database releases the lock with the session.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from pathlib import Path

import dj_database_url
from celery import current_app
from django.conf import settings
from django.db import connections, transaction
from django.utils.translation import gettext_lazy as _
from django_celery_beat import schedulers
from django_celery_beat.models import PeriodicTask

logger = logging.getLogger("lianxin.beat")
# pg_advisory_lock key ("lianxin" in ASCII); advisory locks are per database.
LOCK_KEY = 0x6C69616E78696E

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


class BeatLock:
    """The right to schedule, held by one beat process at a time.

    On PostgreSQL: a session advisory lock on a dedicated autocommit connection
    (never Django's, which closes and reopens at will, and never through PgBouncer
    in transaction mode, where a session lock means nothing). On SQLite, which is
    one machine's file: an exclusive `flock` on VAR_DIR/beat.lock.
    """

    def __init__(self) -> None:
        self._connection = None  # PostgreSQL
        self._file = None  # SQLite

    @property
    def held(self) -> bool:
        return self._connection is not None or self._file is not None

    def acquire(self) -> bool:
        """Take the lock if nobody holds it; True if this process holds it now."""
        if self.held:
            return True
        if connections["default"].vendor == "postgresql":
            return self._acquire_advisory()
        return self._acquire_file()

    def still_held(self) -> bool:
        """False once the lock is lost (its connection died); then it is released here."""
        if self._connection is None:
            return self._file is not None
        try:
            self._connection.execute("SELECT 1")
            return True
        except Exception:
            logger.error("beat: lost the connection holding the beat lock")
            self.release()
            return False

    def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.close()  # ends the session: the lock goes with it
            self._connection = None
        if self._file is not None:
            self._file.close()  # closing the descriptor drops the flock
            self._file = None

    def _acquire_advisory(self) -> bool:
        import psycopg

        params = (
            dj_database_url.parse(settings.DATABASE_DIRECT_URL)
            if settings.DATABASE_DIRECT_URL
            else connections["default"].settings_dict
        )
        connection = psycopg.connect(
            dbname=params["NAME"],
            user=params.get("USER") or None,
            password=params.get("PASSWORD") or None,
            host=params.get("HOST") or None,
            port=params.get("PORT") or None,
            autocommit=True,
            application_name="lianxin-beat-lock",
            connect_timeout=10,
            # Notice a dead peer within about half a minute.
            keepalives=1,
            keepalives_idle=10,
            keepalives_interval=5,
            keepalives_count=3,
        )
        (got,) = connection.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY]).fetchone()
        if not got:
            connection.close()
            return False
        self._connection = connection
        return True

    def _acquire_file(self) -> bool:
        path = Path(settings.VAR_DIR) / "beat.lock"
        handle = open(path, "a+")  # noqa: SIM115 - kept open while the lock is held
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self._file = handle
        return True


class DatabaseScheduler(schedulers.DatabaseScheduler):
    """django-celery-beat's scheduler, except that settings never overwrite the database
    and only the beat holding `BeatLock` sends anything."""

    def __init__(self, *args, **kwargs):
        self.beat_lock = BeatLock()
        self._standing_by = False
        super().__init__(*args, **kwargs)

    def setup_schedule(self):
        # Only the holder writes the default rows: two beats starting at once would
        # race to create the same names.
        if self._take_lock():
            self._install_defaults()

    def tick(self, *args, **kwargs):
        if self.beat_lock.held and not self.beat_lock.still_held():
            self._standing_by = False
        if not self.beat_lock.held:
            if not self._take_lock():
                return settings.BEAT_LOCK_RETRY_SECONDS
            self._install_defaults()
            # Read the schedule again: the previous holder moved its last-run times on.
            self._initial_read = True
            self._heap = None
        return super().tick(*args, **kwargs)

    def close(self):
        super().close()
        self.beat_lock.release()

    def _take_lock(self) -> bool:
        try:
            got = self.beat_lock.acquire()
        except Exception:
            logger.exception("beat: could not reach the database for the beat lock")
            got = False
        if got:
            logger.info("beat: holding the beat lock (pid %s); scheduling", os.getpid())
            self._standing_by = False
        elif not self._standing_by:
            logger.warning(
                "beat: another beat holds the beat lock; standing by (pid %s)", os.getpid()
            )
            self._standing_by = True
        return got

    def _install_defaults(self) -> None:
        # No celery.backend_cleanup entry either: results are never stored here.
        ensure_default_schedules(self.app.conf.beat_schedule)
