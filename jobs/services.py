"""Starting background jobs and recording what became of them.

`job_start` is what request code calls. The other services are the runner's: each
is one short transaction, so a page polling the job sees progress as it happens.
"""

import logging
from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F, Q
from django.http import Http404
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record
from core import clock
from core.outbox import enqueue
from regions.models import Region
from tenancy.scope import restrict

from .models import Job
from .registry import JobOutput, get_kind

SYSTEM_LABEL = "system"
logger = logging.getLogger("lianxin.jobs")


def job_start(*, actor, kind: str, region: Region, params: dict, title: str = "", over=None) -> Job:
    """Queue a job of a registered `kind` over `region`, owned by `actor`.

    `over` is the row the job works on (a station, a participation; `region` when not
    given): outside the actor's scope it is a 404, as a missing row would be, whatever
    the caller checked. The job function reads its data through the actor's scope
    again when it runs. The row and its outbox message commit together.
    """
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied
    job_kind = get_kind(kind)
    over = region if over is None else over
    if not restrict(type(over)._default_manager.filter(pk=over.pk), actor).exists():
        raise Http404
    with transaction.atomic():
        job = Job.objects.create(
            kind=kind,
            title=(title or str(job_kind.label))[:200],
            created_by=actor,
            region=region,
            params=params,
        )
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE,
            obj=job,
            changes={"kind": [None, kind], "params": [None, params]},
        )
        enqueue("jobs.runner.run_job", job_id=job.pk)
    return job


def job_claim(*, job_id: int) -> Job | None:
    """Mark a queued job running; None if it is not queued (already claimed or gone).

    Each claim counts one attempt; the run then writes only while the job's
    `attempts` is still its own (`_this_run`).
    """
    now = clock.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        updated_at=now,
        attempts=F("attempts") + 1,
    )
    if not claimed:
        return None
    return Job.objects.select_related("created_by", "region").get(pk=job_id)


def _this_run(job: Job):
    """The job's row while `job` (a worker's copy) is still its latest, running run."""
    return Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts)


def job_heartbeat(*, job: Job) -> bool:
    """The running worker is alive; False if this run is no longer the job's."""
    now = clock.now()
    return bool(_this_run(job).update(heartbeat_at=now, updated_at=now))


def job_record_progress(*, job: Job, done: int, total: int | None = None) -> None:
    now = clock.now()
    fields = {"progress_done": done, "heartbeat_at": now, "updated_at": now}
    if total is not None:
        fields["progress_total"] = total
    _this_run(job).update(**fields)
    job.progress_done = done
    if total is not None:
        job.progress_total = total


def job_complete(*, job: Job, output: JobOutput) -> bool:
    """Store the result file and mark the job done; False if this run was superseded."""
    with transaction.atomic():
        if not _this_run(job).select_for_update().exists():
            logger.warning("job %s: run %s superseded, result dropped", job.pk, job.attempts)
            return False
        # Stored under an ASCII name; the (often Chinese) file name is for the download.
        suffix = PurePosixPath(output.filename).suffix
        job.result.save(f"job-{job.pk}{suffix}", ContentFile(output.content), save=False)
        job.result_name = output.filename[:200]
        job.status = Job.Status.DONE
        job.finished_at = clock.now()
        job.progress_done = max(job.progress_done, job.progress_total)
        job.save(
            update_fields=[
                "result",
                "result_name",
                "status",
                "finished_at",
                "progress_done",
                "updated_at",
            ]
        )
        audit_record(
            actor=None,
            actor_label=SYSTEM_LABEL,
            action=AuditRecord.Action.STATE,
            obj=job,
            changes={"status": [Job.Status.RUNNING, Job.Status.DONE]},
        )
    return True


def job_fail(*, job: Job, message: str) -> bool:
    """Mark the job failed with a message the user can read (Chinese).

    False (nothing written) if `job`'s run is no longer the job's latest.
    """
    with transaction.atomic():
        current = (
            Job.objects.select_for_update()
            .filter(pk=job.pk, attempts=job.attempts)
            .exclude(status__in=[Job.Status.DONE, Job.Status.FAILED])
            .first()
        )
        if current is None:
            return False
        before = current.status
        job.status = Job.Status.FAILED
        job.error = message[:500]
        job.finished_at = clock.now()
        job.save(update_fields=["status", "error", "finished_at", "updated_at"])
        audit_record(
            actor=None,
            actor_label=SYSTEM_LABEL,
            action=AuditRecord.Action.STATE,
            obj=job,
            changes={"status": [before, Job.Status.FAILED]},
            note=message,
            succeeded=False,
        )
    return True


def job_requeue_stale() -> int:
    """Queue again every running job whose worker went silent; returns how many.

    Run by beat (`jobs.tasks.requeue_stale_jobs`), never by a page view. A job's
    worker writes a heartbeat every JOB_HEARTBEAT_SECONDS while it runs; silent for
    JOB_STALE_SECONDS, the worker is gone (killed, out of memory, machine restarted)
    and the job starts again from the beginning in another worker. After
    JOB_MAX_ATTEMPTS runs it fails with a message instead.
    """
    now = clock.now()
    silent_since = now - timedelta(seconds=settings.JOB_STALE_SECONDS)
    count = 0
    with transaction.atomic():
        stale = list(
            Job.objects.select_for_update(skip_locked=True)
            .filter(status=Job.Status.RUNNING)
            .filter(
                Q(heartbeat_at__lt=silent_since)
                | Q(heartbeat_at__isnull=True, updated_at__lt=silent_since)
            )
            .order_by("pk")[:100]
        )
        for job in stale:
            if job.attempts >= settings.JOB_MAX_ATTEMPTS:
                job_fail(job=job, message=_("任务执行中断，请重新发起。"))
                continue
            job.status = Job.Status.QUEUED
            job.progress_done = 0
            job.heartbeat_at = None
            job.save(update_fields=["status", "progress_done", "heartbeat_at", "updated_at"])
            audit_record(
                actor=None,
                actor_label=SYSTEM_LABEL,
                action=AuditRecord.Action.STATE,
                obj=job,
                changes={"status": [Job.Status.RUNNING, Job.Status.QUEUED]},
                note=_("执行任务的进程中断，已重新排队（第%(n)d次执行）") % {"n": job.attempts + 1},
            )
            enqueue("jobs.runner.run_job", job_id=job.pk)
            count += 1
    if count:
        logger.warning("jobs: %d job(s) lost their worker and were queued again", count)
    return count


def job_record_download(*, actor, job: Job) -> None:
    """Downloads are exports: who took which file, and when, goes in the audit trail."""
    audit_record(actor=actor, action=AuditRecord.Action.EXPORT, obj=job, note=job.result_name)


def job_results_prune(*, older_than: timedelta) -> int:
    """Delete the result files of jobs finished before `older_than` ago; returns how many."""
    cutoff = clock.now() - older_than
    pruned = 0
    expired = Job.objects.filter(status=Job.Status.DONE, finished_at__lt=cutoff).exclude(result="")
    for job in expired.iterator():
        job.result.delete(save=False)  # a file already gone is not an error
        job.save(update_fields=["result", "updated_at"])
        pruned += 1
    return pruned
