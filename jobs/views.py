from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from tenancy.access import access_object

from .models import Job
from .selectors import job_rows
from .services import job_record_download


@login_required
@require_safe
def job_list(request):
    jobs = job_rows(request.user, request.GET)
    page = Paginator(jobs, 20).get_page(request.GET.get("page"))
    recent = request.GET.get("recent") == "done"
    return render(request, "jobs/job_list.html", {"page": page, "recent": recent})


def _job_for(request, job_pk: int) -> Job:
    return access_object(Job, request.user, job_pk)


@login_required
@require_safe
def job_detail(request, job_pk: int):
    return render(request, "jobs/job_detail.html", {"job": _job_for(request, job_pk)})


@login_required
@require_safe
def job_progress(request, job_pk: int):
    """The progress panel alone: htmx polls it every 2 s until the job finishes."""
    return render(request, "jobs/_progress.html", {"job": _job_for(request, job_pk)})


@login_required
@require_safe
def job_download(request, job_pk: int):
    job = access_object(Job, request.user, job_pk)
    if job.status != Job.Status.DONE or not job.result:
        raise Http404
    try:
        handle = job.result.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    job_record_download(actor=request.user, job=job)
    return FileResponse(handle, as_attachment=True, filename=job.result_name or job.result.name)
