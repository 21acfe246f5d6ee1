"""Staff pages for printable placards (挂牌亮码): one PDF, or a batch as a job."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from deputies.models import Deputy
from jobs.models import Job
from jobs.services import job_start
from stations.models import Station
from tenancy.access import access_object

from .forms import PlacardBatchForm
from .placards import deputy_placard_pdf, station_placard_pdf


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@require_safe
def deputy_placard(request, deputy_pk: int):
    deputy = access_object(Deputy.objects.select_related("region"), request.user, deputy_pk)
    filename = _("%(name)s-亮码牌.pdf") % {"name": deputy.name}
    return _pdf_response(deputy_placard_pdf(deputy), filename)


@login_required
@require_safe
def station_placard(request, station_pk: int):
    station = access_object(Station.objects.select_related("region"), request.user, station_pk)
    filename = _("%(name)s-亮码牌.pdf") % {"name": station.name}
    return _pdf_response(station_placard_pdf(station), filename)


@login_required
@require_http_methods(["GET", "POST"])
def placard_batch(request):
    # ?station=<pk> or ?region=<pk> preselects, for links from a station or region page.
    initial = {"source": "region" if "region" in request.GET else "station", **request.GET.dict()}
    form = PlacardBatchForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["source"] == PlacardBatchForm.SOURCE_STATION:
            place, params = data["station"], {"station_id": data["station"].pk}
            region = place.region
        else:
            place = region = data["region"]
            params = {"region_id": region.pk}
        job = job_start(
            actor=request.user,
            kind="placards",
            region=region,
            over=place,
            params=params,
            title=_("%(place)s 亮码牌（%(count)d 人）") % {"place": place, "count": data["count"]},
        )
        return redirect("jobs:detail", job_pk=job.pk)
    recent = Job.objects.visible_to(request.user).filter(kind="placards")[:5]
    return render(request, "public/placard_batch.html", {"form": form, "recent": recent})
