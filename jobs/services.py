"""Starting background jobs and recording what became of them.

`job_start` is what request code calls. The other services are the runner's: each
is one short transaction, so a page polling the job sees progress as it happens.
"""

from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record
from core import clock
from core.outbox import enqueue
from regions.models import Region

from .models import Job
from .registry import JobOutput, get_kind

SYSTEM_LABEL = "system"


def job_start(*, actor, kind: str, region: Region, params: dict, title: str = "") -> Job:
    """Queue a job of a registered `kind` over `region`, owned by `actor`.

    The caller has checked `region` and `params` against the actor's scope (scoped
    form choices); the job function reads its data through the actor's scope again
    when it runs. The row and its outbox message commit together.
    """
    if actor is None or not actor.is_authenticated:
        raise PermissionDenied
    job_kind = get_kind(kind)
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
    """Mark a queued job running; None if it is not queued (already claimed or gone)."""
    now = clock.now()
    claimed = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED).update(
        status=Job.Status.RUNNING, started_at=now, updated_at=now
    )
    if not claimed:
        return None
    return Job.objects.select_related("created_by", "region").get(pk=job_id)


def job_record_progress(*, job: Job, done: int, total: int | None = None) -> None:
    fields = {"progress_done": done, "updated_at": clock.now()}
    if total is not None:
        fields["progress_total"] = total
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(**fields)
    job.progress_done = done
    if total is not None:
        job.progress_total = total


def job_complete(*, job: Job, output: JobOutput) -> None:
    """Store the result file and mark the job done."""
    with transaction.atomic():
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


def job_fail(*, job: Job, message: str) -> None:
    """Mark the job failed with a message the user can read (Chinese)."""
    with transaction.atomic():
        before = job.status
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


def job_fail_if_stale(*, job: Job) -> bool:
    """Fail a running job whose worker went silent (killed, machine restarted).

    A worker reports progress at least every chunk and is killed at the Celery time
    limit, so a job silent for longer than that will never finish.
    """
    if job.status != Job.Status.RUNNING:
        return False
    silent_since = clock.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + 60)
    if job.updated_at >= silent_since:
        return False
    job_fail(job=job, message=_("任务执行中断，请重新发起。"))
    return True


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
