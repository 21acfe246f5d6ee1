from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render

from core import clock
from core.services import phone_export_unmasked
from dashboards.periods import parse_period
from jobs.models import Job
from jobs.services import job_start

from .forms import LedgerForm
from .ledgers import LedgerKind
from .permissions import can_order_ledgers


@login_required
def index(request):
    """Pick a ledger, a region in scope and a period; the workbook is built as a job."""
    if not can_order_ledgers(request.user):
        raise PermissionDenied
    form = LedgerForm(request.POST or None, user=request.user, initial={"ledger": "receptions"})
    if request.method == "POST" and form.is_valid():
        region = form.cleaned_data["region"]
        kind = LedgerKind(form.cleaned_data["ledger"])
        params = form.period_params()
        period = parse_period(params, today=clock.today())
        full = bool(form.cleaned_data.get("full_phones"))
        if full:
            params["full_phones"] = True
            params["phone_reason"] = form.cleaned_data["phone_reason"]
        with transaction.atomic():
            if full:
                phone_export_unmasked(
                    actor=request.user,
                    what=str(kind.label),
                    reason=params["phone_reason"],
                    obj=region,
                )
            job = job_start(
                actor=request.user,
                kind="ledger",
                region=region,
                params={"ledger": kind.value, "region_id": region.pk, **params},
                title=f"{region.name} {kind.label}（{period.label}）",
            )
        return redirect("jobs:detail", job_pk=job.pk)
    recent = Job.objects.visible_to(request.user).filter(kind="ledger").order_by("-created_at")[:8]
    return render(request, "ledgers/index.html", {"form": form, "recent": recent})
