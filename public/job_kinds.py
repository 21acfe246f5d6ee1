"""Batch placards: one multi-page PDF, built in a worker (see jobs.registry)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import clock
from deputies.models import Deputy
from jobs.registry import JobError, JobOutput, job_kind
from regions.models import Region
from stations.models import Station

from .placards import deputy_placard, placards_pdf
from .selectors import deputies_of_station, deputies_under


@job_kind("placards", label=gettext_lazy("批量亮码牌"))
def build_placards(job, progress) -> JobOutput:
    """params: {"station_id": n} or {"region_id": n}; deputies as the creator sees them now."""
    actor = job.created_by
    visible = Deputy.objects.visible_to(actor).select_related("region")
    if station_id := job.params.get("station_id"):
        station = Station.objects.visible_to(actor).filter(pk=station_id).first()
        if station is None:
            raise JobError(_("所选联络站不存在或不在您的管辖范围内。"))
        deputies, place = deputies_of_station(station, visible), station.name
    elif region_id := job.params.get("region_id"):
        region = Region.objects.visible_to(actor).filter(pk=region_id).first()
        if region is None:
            raise JobError(_("所选行政区划不在您的管辖范围内。"))
        deputies, place = deputies_under(region, visible), region.name
    else:
        raise JobError(_("任务参数不完整，请重新发起。"))
    deputies = list(deputies)
    if not deputies:
        raise JobError(_("所选范围内没有在任代表。"))
    progress.start(len(deputies))
    content = placards_pdf(
        (deputy_placard(deputy) for deputy in deputies),
        title=_("%(place)s 人大代表亮码牌") % {"place": place},
        on_progress=progress.update,
    )
    filename = _("%(place)s-亮码牌-%(date)s.pdf") % {
        "place": place,
        "date": clock.today().strftime("%Y%m%d"),
    }
    return JobOutput(filename=filename, content=content)
