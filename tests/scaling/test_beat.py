"""Exactly one beat schedules, even when two are started: real `celery beat` processes.

The two beats share this test's database (PostgreSQL: the test database itself, so
the lock is the advisory lock; SQLite: a file database in a temporary folder, so the
lock is the file lock) and a filesystem broker nobody consumes. A probe entry due
every second shows who sends: only the lock holder's log says it sent anything,
and when the holder is killed the other takes over.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)

PROBE = "Sending due task beat-probe"
ADD_PROBE = (
    "from django_celery_beat.models import IntervalSchedule, PeriodicTask;"
    "every, _ = IntervalSchedule.objects.get_or_create(every=1, period='seconds');"
    "PeriodicTask.objects.create(name='beat-probe', task='core.tasks.heartbeat', interval=every)"
)


def _database_url(tmp_path: Path) -> str:
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
        return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    return f"sqlite:///{tmp_path / 'beat.sqlite3'}"


def _manage(env, *args) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env, check=True)


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def test_two_beats_schedule_from_one_and_the_other_takes_over_when_it_dies(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DATABASE_URL=_database_url(tmp_path),
        LIANXIN_VAR_DIR=str(tmp_path),  # the filesystem broker and the SQLite lock file
        BEAT_LOCK_RETRY_SECONDS="1",
        LOG_LEVEL="INFO",
    )
    if connection.vendor != "postgresql":
        _manage(env, "migrate", "django_celery_beat", "-v0")
    _manage(env, "shell", "-c", ADD_PROBE)

    # Given two beats started at the same moment
    logs = [tmp_path / "beat-a.log", tmp_path / "beat-b.log"]
    beats = []
    try:
        for n, log in enumerate(logs):
            command = [sys.executable, "-m", "celery", "-A", "congress_portal", "beat"]
            command += ["--loglevel=INFO", f"--schedule={tmp_path / f'schedule-{n}'}"]
            command += ["--scheduler=supervision.beat:DatabaseScheduler"]
            with open(log, "wb") as out:
                beats.append(
                    subprocess.Popen(
                        command, cwd=settings.BASE_DIR, env=env, stdout=out, stderr=out
                    )
                )

        def text(n: int) -> str:
            return logs[n].read_text(errors="replace")

        # Then one holds the lock and the other stands by
        _wait_for(
            lambda: (
                sum("holding the beat lock" in text(n) for n in (0, 1)) == 1
                and sum("standing by" in text(n) for n in (0, 1)) == 1
            ),
            90,
            "one beat holding the lock and one standing by",
        )
        leader = 0 if "holding the beat lock" in text(0) else 1
        standby = 1 - leader
        # And only the holder sends, several times over
        _wait_for(lambda: text(leader).count(PROBE) >= 3, 30, "the holder sending the probe")
        assert text(standby).count(PROBE) == 0, text(standby)

        # When the holder dies without a word (no shutdown, no unlock)
        beats[leader].send_signal(signal.SIGKILL)
        beats[leader].wait(timeout=10)
        sent_by_leader = text(leader).count(PROBE)

        # Then the other takes the lock and sends from then on
        _wait_for(lambda: "holding the beat lock" in text(standby), 30, "the standby taking over")
        _wait_for(lambda: text(standby).count(PROBE) >= 2, 30, "the new holder sending")
        assert text(leader).count(PROBE) == sent_by_leader
    finally:
        for beat in beats:
            if beat.poll() is None:
                beat.terminate()
        for beat in beats:
            try:
                beat.wait(timeout=15)
            except subprocess.TimeoutExpired:
                beat.kill()
                beat.wait()
