"""The public pages of a cycle (no login), reached from its QR code and poster.

Plain HTML for old phones and WeChat's browser: the cycle's phase, the proposal form
while it collects, each proposal's screening outcome and reason, the results with the
printable notice, each project's progress. A proposal is written to the database
before anything else (nothing waits on the broker), idempotent by the form's token
(a double tap or a retried POST shows the first receipt), rate-limited per address
and per phone number with the suggestions' limiter. No page shows a proposer's name
or phone number.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from core.forms import add_service_errors
from core.net import client_ip
from public import qr
from suggestions import ratelimit
from suggestions.images import sanitize_image

from . import documents, services
from .forms import PublicProposalForm
from .models import Cycle, Project, Proposal
from .workflow import collecting_refusal

SUBMIT_PER_IP = getattr(settings, "LIVELIHOOD_PROPOSAL_PER_IP", (20, 3600))
SUBMIT_PER_PHONE = getattr(settings, "LIVELIHOOD_PROPOSAL_PER_PHONE", (10, 24 * 3600))
PUBLISHED = {
    Cycle.Status.PUBLISHED,
    Cycle.Status.PLANS,
    Cycle.Status.PROGRESS,
    Cycle.Status.REVIEW,
    Cycle.Status.RATED,
    Cycle.Status.DONE,
}
SCREENED = PUBLISHED | {Cycle.Status.CANDIDATES, Cycle.Status.VOTING}


def _unavailable(request):
    return render(request, "livelihood/public/unavailable.html", status=404)


def _cycle(token: str) -> Cycle | None:
    return Cycle.objects.select_related("region").filter(public_token=token).first()


@require_safe
def cycle_page(request, cycle_token: str):
    cycle = _cycle(cycle_token)
    if cycle is None:
        return _unavailable(request)
    screened = cycle.status in SCREENED
    proposals = Proposal.objects.filter(cycle=cycle).select_related("project", "merged_into")
    page = Paginator(proposals.order_by("number"), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "livelihood/public/page.html",
        {
            "cycle": cycle,
            "refusal": collecting_refusal(cycle),
            "screened": screened,
            "published": cycle.status in PUBLISHED,
            "page": page,
            "count": proposals.count(),
            "projects": cycle.projects.filter(status="adopted").order_by("rank")
            if cycle.status in PUBLISHED
            else [],
        },
    )


def _receipt(proposal: Proposal):
    return redirect("public_livelihood:receipt", receipt_token=proposal.receipt_token)


@require_http_methods(["GET", "HEAD", "POST"])
def propose(request, cycle_token: str):
    cycle = _cycle(cycle_token)
    if cycle is None:
        return _unavailable(request)
    context = {"cycle": cycle, "refusal": collecting_refusal(cycle)}
    if request.method != "POST":
        return render(
            request, "livelihood/public/propose.html", {**context, "form": PublicProposalForm()}
        )
    existing = services.proposal_by_token(request.POST.get("submission_token", ""))
    if existing is not None:  # a double tap or a retried POST: the same receipt
        return _receipt(existing)
    form = PublicProposalForm(request.POST, request.FILES)
    ip = client_ip(request)
    status = 400
    if ratelimit.exceeded("livelihood-ip", ip, limit=SUBMIT_PER_IP[0], window=SUBMIT_PER_IP[1]):
        form.is_valid()
        form.add_error(None, _("提交过于频繁，请稍后再试。您填写的内容已保留。"))
        status = 429
    elif form.is_bot:
        form.add_error(None, _("提交未成功，请检查后重新提交。"))
    elif form.is_valid():
        data = form.cleaned_data
        phone = data.get("contact_phone", "")
        refused = ratelimit.submission_refusal(
            "livelihood", ip=ip, phone=phone, per_ip=SUBMIT_PER_IP, per_phone=SUBMIT_PER_PHONE
        )
        if refused == "address":
            form.add_error(None, _("提交过于频繁，请稍后再试。您填写的内容已保留。"))
            status = 429
        elif refused == "phone":
            form.add_error("contact_phone", _("该手机号今天提交的次数已达上限，请明天再试。"))
            status = 429
        else:
            try:
                photo = data.get("photo")
                if photo:  # a clean copy: no EXIF, no GPS
                    photo = sanitize_image(photo)
                proposal, _created = services.proposal_submit(
                    actor=None,
                    cycle=cycle,
                    title=data["title"],
                    content=data["content"],
                    reason=data.get("reason", ""),
                    photo=photo,
                    contact_name=data.get("contact_name", ""),
                    contact_phone=phone,
                    submission_token=data["submission_token"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return _receipt(proposal)
    return render(
        request, "livelihood/public/propose.html", {**context, "form": form}, status=status
    )


@require_safe
def receipt(request, receipt_token: str):
    proposal = (
        Proposal.objects.select_related("cycle", "project", "merged_into")
        .filter(receipt_token=receipt_token)
        .first()
    )
    if proposal is None:
        return _unavailable(request)
    return render(
        request,
        "livelihood/public/receipt.html",
        {
            "proposal": proposal,
            "cycle": proposal.cycle,
            "screened": proposal.cycle.status in SCREENED,
        },
    )


@require_safe
def cycle_qr(request, cycle_token: str):
    cycle = _cycle(cycle_token)
    if cycle is None:
        raise Http404
    url = qr.public_url("public_livelihood:page", cycle.public_token)
    response = HttpResponse(qr.qr_bytes(url, "png"), content_type=qr.CONTENT_TYPES["png"])
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_safe
def results(request, cycle_token: str):
    cycle = _cycle(cycle_token)
    if cycle is None or cycle.status not in PUBLISHED:
        return _unavailable(request)
    return render(request, "livelihood/public/results.html", documents.notice_context(cycle))


@require_safe
def notice(request, cycle_token: str):
    cycle = _cycle(cycle_token)
    if cycle is None or cycle.status not in PUBLISHED:
        return _unavailable(request)
    return documents.notice_response(cycle)


@require_safe
def project_page(request, project_token: str):
    project = (
        Project.objects.select_related("cycle", "lead_unit")
        .filter(public_token=project_token, status=Project.Status.ADOPTED)
        .first()
    )
    if project is None or project.cycle.status not in PUBLISHED:
        return _unavailable(request)
    return render(
        request,
        "livelihood/public/project.html",
        {
            "project": project,
            "cycle": project.cycle,
            "milestones": project.milestones.all(),
            "reports": project.reports.all()[:20],
            "inspections": project.inspections.all()[:20],
        },
    )
