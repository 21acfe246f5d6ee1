"""The summary documents, built in a worker (see jobs.registry): WeasyPrint on a long
draft takes seconds, and a page never waits for it."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jobs.registry import JobError, JobOutput, job_kind

from .documents import summary_docx, summary_pdf
from .models import Participation

FORMATS = {"docx": summary_docx, "pdf": summary_pdf}


@job_kind("legislation_summary", label=gettext_lazy("立法意见汇总材料"))
def build_summary(job, progress) -> JobOutput:
    """params: {"participation_id": n, "format": "docx" | "pdf"}, as the creator sees it now."""
    fmt = job.params.get("format")
    participation = (
        Participation.objects.visible_to(job.created_by)
        .select_related("consultation", "station")
        .filter(pk=job.params.get("participation_id"))
        .first()
    )
    if participation is None:
        raise JobError(_("该联系点的征求意见不存在或不在您的管辖范围内。"))
    if fmt not in FORMATS:
        raise JobError(_("任务参数不完整，请重新发起。"))
    progress.start(1)
    content = FORMATS[fmt](participation)
    progress.update(1)
    filename = _("%(point)s-关于《%(title)s》的意见汇总.%(ext)s") % {
        "point": participation.station.name,
        "title": participation.consultation.title,
        "ext": fmt,
    }
    return JobOutput(filename=filename, content=content)
