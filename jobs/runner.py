"""Running a queued job in a worker.

`job_start` enqueues `run_job(job_id=...)` through the outbox. The outbox runs its
messages inside a transaction, and a job may take minutes: its progress must be
visible while it runs, and a long transaction would hold locks (SQLite locks the
whole database). So `run_job` only arranges for `execute` to run once the outbox
transaction has committed; `execute` then claims the job (a conditional UPDATE, so
a message delivered twice runs the job once), and writes progress, the result and
the final status in short transactions of their own.

If the worker dies mid-job (killed, out of memory, machine restarted), the job's
heartbeat stops; beat's `jobs.tasks.requeue_stale_jobs` queues it again and another
worker runs it from the start (services.job_requeue_stale).

In tests, run queued work with
    with django_capture_on_commit_callbacks(execute=True):
        core.outbox.run_pending()
"""

import logging
import threading
import time
from functools import partial

from django.conf import settings
from django.db import connections, transaction
from django.utils.translation import gettext as _

from .registry import JobError, get_kind
from .services import job_claim, job_complete, job_fail, job_heartbeat, job_record_progress

logger = logging.getLogger("lianxin.jobs")


class Progress:
    """Reports a job's progress, writing to the database at most every `interval` s."""

    def __init__(self, job, *, interval: float = 1.0):
        self.job = job
        self.interval = interval
        self._written_at = 0.0

    def start(self, total: int) -> None:
        job_record_progress(job=self.job, done=0, total=total)
        self._written_at = time.monotonic()

    def update(self, done: int) -> None:
        now = time.monotonic()
        if now - self._written_at >= self.interval or done >= self.job.progress_total:
            job_record_progress(job=self.job, done=done)
            self._written_at = now
        else:
            self.job.progress_done = done


def run_job(job_id: int) -> None:
    """The outbox entry point: run the job after the outbox's transaction commits."""
    transaction.on_commit(partial(execute, job_id))


class Heartbeat:
    """Writes the running job's heartbeat every JOB_HEARTBEAT_SECONDS from a thread of
    its own, so a long step without progress still shows the worker is alive."""

    def __init__(self, job):
        self.job = job
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"job-{job.pk}-heartbeat")

    def _beat(self) -> None:
        try:
            while not self._stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                try:
                    job_heartbeat(job=self.job)
                except Exception:  # a missed beat is not fatal; JOB_STALE_SECONDS allows some
                    logger.warning("job %s: heartbeat not written", self.job.pk, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connection

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def execute(job_id: int) -> None:
    job = job_claim(job_id=job_id)
    if job is None:
        return
    try:
        with Heartbeat(job):
            output = get_kind(job.kind).function(job, Progress(job))
    except JobError as error:
        job_fail(job=job, message=str(error))
    except Exception:
        # Includes Celery's soft time limit: the user gets a plain message, the log
        # gets the traceback.
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        job_fail(job=job, message=_("任务执行出错，请稍后重试；如仍失败，请联系系统管理员。"))
    else:
        job_complete(job=job, output=output)
