"""A job whose worker is killed mid-job is restarted by the periodic sweep and
completes (issue 12, point 3): real `celery worker` processes on Redis.

The workers share this test's database, so it runs on PostgreSQL
(DATABASE_URL=postgres://...); Redis at REDIS_URL, under this test's own key prefix.
"""

import os
import signal
import subprocess
import sys
import time

import pytest
from django.db import connection

from jobs.models import Job
from jobs.services import job_start
from tests.jobs import slow_kind  # noqa: F401  (registers "test_slow" here too)

pytestmark = pytest.mark.django_db(transaction=True)


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _wait_for(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_job_whose_worker_is_killed_is_restarted_and_completes(broker, world, settings, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("worker processes share the test database: run on PostgreSQL")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(
        DATABASE_URL=_database_url(),
        REDIS_URL=broker.url,
        CELERY_BROKER_KEY_PREFIX=broker.prefix,
        MEDIA_ROOT=settings.MEDIA_ROOT,
        LIANXIN_VAR_DIR=str(tmp_path),
        JOB_HEARTBEAT_SECONDS="1",
        JOB_STALE_SECONDS="4",
        JOB_SWEEP_SECONDS="2",
        BEAT_LOCK_RETRY_SECONDS="1",
    )
    logs = []

    def start_worker(name: str) -> subprocess.Popen:
        log = tmp_path / f"{name}.log"
        logs.append(log)
        command = [sys.executable, "-m", "celery", "-A", "congress_portal", "worker", "--beat"]
        command += ["--pool=solo", "--loglevel=INFO", "-Q", "default,jobs", f"-n{name}@%h"]
        command += ["--include=tests.jobs.slow_kind", f"--schedule={tmp_path / name}"]
        command += ["--scheduler=supervision.beat:DatabaseScheduler"]
        with open(log, "wb") as out:
            return subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=env,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )

    def status():
        return Job.objects.values_list("status", "progress_done").get(pk=job.pk)

    workers = []
    try:
        # Given a job of 24 steps (about 6 s) running in a worker
        workers.append(start_worker("first"))
        job = job_start(
            actor=world.county_officer,
            kind="test_slow",
            region=world.county,
            params={"steps": 24, "pause": 0.25},
        )
        _wait_for(lambda: status()[1] >= 4, 90, "the job to start and report progress")

        # When the worker dies mid-job (SIGKILL to it and its children: no shutdown)
        os.killpg(workers[0].pid, signal.SIGKILL)
        workers[0].wait(timeout=10)
        assert status()[0] == Job.Status.RUNNING
        killed_at = status()[1]
        assert 0 < killed_at < 24

        # And another worker (with its beat) is up; nobody opens the job's page
        workers.append(start_worker("second"))

        # Then the periodic sweep finds the job's heartbeat stopped, queues it again,
        # and it runs to the end
        _wait_for(lambda: status()[0] == Job.Status.DONE, 120, "the job to complete")
    except AssertionError:
        for log in logs:
            print(log.name, log.read_text(errors="replace")[-3000:])
        raise
    finally:
        for worker in workers:
            if worker.poll() is None:
                os.killpg(worker.pid, signal.SIGTERM)
        for worker in workers:
            try:
                worker.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait()

    job.refresh_from_db()
    assert job.result_name == "慢速.txt" and job.progress_done == 24
    assert job.result.read() == b"steps=24"
    assert job.attempts == 2
