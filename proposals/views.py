"""Pages of the deputies' formal suggestions (代表建议).

Thin: access check (`access_object`, 404 outside the user's slice), a form, a service,
a redirect. What a page offers is what the workflow table allows (`WORKFLOW.available`).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core import clock
from core.forms import add_service_errors
from deputies.models import Deputy
from jobs.services import job_start
from regions.models import Region
from suggestions.models import HandlingUnit, Suggestion
from tenancy.access import access_object
from tenancy.scope import root_paths

from . import forms, selectors, services
from . import permissions as can
from .models import (
    AssignmentMeeting,
    Attachment,
    Proposal,
    ProposalAssignment,
    ProposalSettings,
)
from .workflow import WORKFLOW

PAGE_SIZE = 30


def _proposal(request, pk, *, for_write=False) -> Proposal:
    return access_object(
        Proposal.objects.select_related("author", "region", "supervisor"),
        request.user,
        pk,
        for_write=for_write,
    )


def _back(proposal):
    return redirect("proposals:detail", proposal_pk=proposal.pk)


def _allowed(request, name, proposal, **context):
    if not WORKFLOW.can(name, request.user, proposal, **context):
        refusal = WORKFLOW.refusal(name, request.user, proposal, **context)
        if isinstance(refusal, PermissionDenied):
            raise refusal
        messages.error(request, " ".join(refusal.messages))
        return False
    return True


def _action_page(request, proposal, form, *, title, intro="", multipart=False):
    return render(
        request,
        "proposals/action_form.html",
        {
            "proposal": proposal,
            "form": form,
            "title": title,
            "intro": intro,
            "multipart": multipart,
        },
    )


# --- List, new, detail ------------------------------------------------------------------------


@login_required
@require_safe
def proposal_list(request):
    rows = selectors.filter_list(
        selectors.proposals_for(request.user), request.GET, user=request.user
    )
    page = Paginator(rows.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "proposals/list.html",
        {
            "page": page,
            "statuses": Proposal.Status.choices,
            "params": request.GET,
            "can_raise": can.may_raise_proposals(request.user),
            "is_office": can.may_keep_office_anywhere(request.user),
        },
    )


def _cosigner_choices(author):
    try:
        body = services.common.body_of(author)
    except ValidationError:
        return Deputy.objects.none()
    return (
        Deputy.objects.filter(
            level=author.level, status=Deputy.Status.ACTIVE, region_path__startswith=body.path
        )
        .exclude(pk=author.pk)
        .order_by("name")
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_new(request):
    author = can.acting_deputy(request.user)
    if author is None:
        raise PermissionDenied
    initial = {}
    choices = selectors.source_choices(request.user)
    origin = request.GET.get("from_suggestion")
    if origin and origin.isdigit():
        suggestion = access_object(Suggestion.objects.all(), request.user, int(origin))
        if not can.can_raise_from_suggestion(request.user, suggestion):
            raise PermissionDenied
        initial = {"problem": suggestion.content, "sources": [f"suggestion:{suggestion.pk}"]}
        if not any(c.kind == "suggestion" and c.pk == suggestion.pk for c in choices):
            choices = [
                *selectors.source_choices(request.user, keys={("suggestion", suggestion.pk)}),
                *choices,
            ]
    form = forms.ProposalForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        cosigner_choices=_cosigner_choices(author),
        source_choices=choices,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("attachment")
        try:
            proposal = services.proposal_create(
                actor=request.user,
                values=data,
                cosigner_ids=[d.pk for d in data["cosigners"]],
                sources=form.source_pairs(),
                files=[upload] if upload else [],
                token=data.get("token") or None,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("草稿已保存。确认无误后请提交；有联名代表的，先征集联名。"))
            return _back(proposal)
    return render(request, "proposals/form.html", {"form": form, "author": author})


@login_required
@require_http_methods(["GET", "POST"])
def proposal_paper(request):
    """The office enters a proposal handed in on paper (会议期间 mostly)."""
    if not can.may_keep_office_anywhere(request.user):
        raise PermissionDenied
    authors = (
        Deputy.objects.visible_to(request.user)
        .filter(
            status=Deputy.Status.ACTIVE,
            level__in=[Deputy.Level.CITY, Deputy.Level.COUNTY, Deputy.Level.TOWNSHIP],
        )
        .order_by("name")
    )
    form = forms.PaperProposalForm(
        request.POST or None, initial={"session": "during"}, authors=authors
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            proposal = services.proposal_record_paper(
                actor=request.user,
                author=data["author"],
                values=data,
                cosigner_ids=[d.pk for d in data["cosigners"]],
                token=data.get("token") or None,
            )
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, PermissionDenied):
                form.add_error("author", _("该代表不属于您所在人大。"))
            else:
                add_service_errors(form, error)
        else:
            messages.success(request, _("纸质建议已录入并提交，请登记交办。"))
            return _back(proposal)
    return render(request, "proposals/form.html", {"form": form, "paper": True})


@login_required
@require_http_methods(["GET", "POST"])
def proposal_edit(request, proposal_pk: int):
    proposal = _proposal(request, proposal_pk, for_write=True)
    if not WORKFLOW.can("edit", request.user, proposal):
        raise PermissionDenied
    initial = {
        **{k: getattr(proposal, k) for k in ("title", "problem", "causes", "solution")},
        "category": proposal.category,
        "session": proposal.session,
        "cosigners": [c.deputy_id for c in proposal.cosignatures.all()],
        "sources": [f"{s.kind}:{s.object_id}" for s in proposal.sources.all()],
    }
    keys = {(s.kind, s.object_id) for s in proposal.sources.all()}
    choices = selectors.source_choices(request.user)
    have = {(c.kind, c.pk) for c in choices}
    choices += selectors.source_choices(request.user, keys=keys - have) if keys - have else []
    form = forms.ProposalForm(
        request.POST or None,
        initial=initial,
        cosigner_choices=_cosigner_choices(proposal.author),
        source_choices=choices,
        with_file=False,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.proposal_update(
                actor=request.user,
                proposal=proposal,
                values=data,
                cosigner_ids=[d.pk for d in data["cosigners"]],
                sources=form.source_pairs(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return _back(proposal)
    return render(request, "proposals/form.html", {"form": form, "proposal": proposal})


@login_required
@require_safe
def proposal_detail(request, proposal_pk: int):
    proposal = _proposal(request, proposal_pk)
    context = selectors.detail(request.user, proposal)
    context["my_assignments"] = [
        a
        for a in context["assignments"]
        if WORKFLOW.can("return", request.user, proposal, assignment=a)
        or WORKFLOW.can("co_view", request.user, proposal, assignment=a)
    ]
    context["reply_refusal"] = (
        WORKFLOW.refusal("reply", request.user, proposal)
        if can.can_handle_proposal(request.user, proposal)
        and proposal.status in Proposal.HANDLING_STATUSES
        else None
    )
    return render(request, "proposals/detail.html", context)


@login_required
@require_safe
def attachment_download(request, file_pk: int):
    row = access_object(Attachment.objects.all(), request.user, file_pk)
    if not row.file:
        raise Http404
    return FileResponse(row.file.open("rb"), as_attachment=True, filename=row.name)


@login_required
@require_http_methods(["GET", "POST"])
def attachment_add(request, proposal_pk: int):
    proposal = _proposal(request, proposal_pk, for_write=True)
    if not WORKFLOW.can("edit", request.user, proposal):
        raise PermissionDenied
    form = forms.UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.attachment_add(
                actor=request.user, proposal=proposal, upload=form.cleaned_data["file"]
            )
        except ValidationError as error:
            add_service_errors(form, error, default_field="file")
        else:
            return _back(proposal)
    return _action_page(request, proposal, form, title=_("添加附件"), multipart=True)


# --- One-button steps -------------------------------------------------------------------------

SIMPLE_STEPS = {
    "invite": (services.proposal_invite, _("已邀请联名代表确认。")),
    "submit": (services.proposal_submit, _("已提交，人大常委会工作机构将登记交办。")),
    "register": (services.proposal_register, _("已登记立案。")),
}


@login_required
@require_POST
def proposal_step(request, proposal_pk: int, step: str):
    proposal = _proposal(request, proposal_pk, for_write=True)
    if step in ("cosign", "decline") or step in SIMPLE_STEPS:
        action = step
    else:
        raise Http404
    if not _allowed(request, action, proposal):
        return _back(proposal)
    try:
        if action in ("cosign", "decline"):
            services.cosign_answer(
                actor=request.user, proposal=proposal, confirm=action == "cosign"
            )
            messages.success(
                request, _("已确认联名。") if action == "cosign" else _("已谢绝联名。")
            )
        else:
            function, done = SIMPLE_STEPS[action]
            function(actor=request.user, proposal=proposal)
            messages.success(request, done)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return _back(proposal)


# --- Steps with a form ------------------------------------------------------------------------


def _form_step(request, proposal, action, form, run, *, title, intro="", done, multipart=False):
    """GET shows the form; POST runs the service (`run(cleaned_data)`) and goes back."""
    if not WORKFLOW.can(action, request.user, proposal):
        refusal = WORKFLOW.refusal(action, request.user, proposal)
        if isinstance(refusal, PermissionDenied):
            raise refusal
        messages.error(request, " ".join(refusal.messages))
        return _back(proposal)
    if request.method == "POST" and form.is_valid():
        try:
            run(form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return _back(proposal)
    return _action_page(request, proposal, form, title=title, intro=intro, multipart=multipart)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_refuse(request, proposal_pk: int):
    proposal = _proposal(request, proposal_pk, for_write=True)
    form = forms.RefuseForm(request.POST or None)
    return _form_step(
        request,
        proposal,
        "refuse",
        form,
        lambda d: services.proposal_refuse(
            actor=request.user, proposal=proposal, reason=d["reason"], note=d["note"]
        ),
        title=_("不予立案"),
        done=_("已不予立案，并告知代表。"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_merge(request, proposal_pk: int):
    proposal = _proposal(request, proposal_pk, for_write=True)
    # Scoped once: the candidates are the public proposals of the region whose proposal
    # access_object has just granted for write (a second visible_to added nothing).
    candidates = (
        Proposal.objects.filter(region=proposal.region)
        .exclude(pk=proposal.pk)
        .exclude(status__in=[*Proposal.PRIVATE_STATUSES, "refused", "merged"])
    )
    form = forms.MergeForm(request.POST or None, candidates=candidates)
    return _form_step(
        request,
        proposal,
        "merge",
        form,
        lambda d: services.proposal_merge(actor=request.user, proposal=proposal, into=d["into"]),
        title=_("并案"),
        done=_("已并案。"),
    )


def _units_for(user, proposal):
    return HandlingUnit.objects.visible_to(user).filter(is_active=True).order_by("name")


@login_required
@require_http_methods(["GET", "POST"])
def proposal_assign(request, proposal_pk: int):
    proposal = _proposal(request, proposal_pk, for_write=True)
    form = forms.AssignForm(
        request.POST or None,
        units=_units_for(request.user, proposal),
        # Scoped once: the meetings of the region access_object has just granted for write.
        meetings=AssignmentMeeting.objects.filter(region=proposal.region),
    )
    return _form_step(
        request,
        proposal,
        "assign",
        form,
        lambda d: services.proposal_assign(
            actor=request.user,
            proposal=proposal,
            lead_unit=d["lead_unit"],
            co_units=list(d["co_units"]),
            hard_case=d["hard_case"],
            meeting=d["meeting"],
        ),
        title=_("交办"),
        intro=_("答复期限自交办之日（或交办会日期）起算：一般3个月，重大复杂6个月。"),
        done=_("已交办，承办单位将收到通知。"),
    )


def _assignment(request, pk) -> ProposalAssignment:
    return access_object(
        ProposalAssignment.objects.select_related("proposal", "proposal__region", "unit"),
        request.user,
        pk,
        for_write=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_return(request, proposal_assignment_pk: int):
    assignment = _assignment(request, proposal_assignment_pk)
    proposal = assignment.proposal
    if not _allowed(request, "return", proposal, assignment=assignment):
        return _back(proposal)
    form = forms.ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_return(
                actor=request.user, assignment=assignment, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已退回交办机关。"))
            if Proposal.objects.visible_to(request.user).filter(pk=proposal.pk).exists():
                return _back(proposal)
            return redirect("proposals:list")
    return _action_page(
        request,
        proposal,
        form,
        title=_("退回（交办不当）"),
        intro=_("请在退回期限（%(day)s）内写明理由退回。") % {"day": assignment.return_due},
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_co_view(request, proposal_assignment_pk: int):
    assignment = _assignment(request, proposal_assignment_pk)
    proposal = assignment.proposal
    if not _allowed(request, "co_view", proposal, assignment=assignment):
        return _back(proposal)
    form = forms.TextForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.co_view_submit(
                actor=request.user, assignment=assignment, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("协办意见已提交主办单位。"))
            return _back(proposal)
    return _action_page(request, proposal, form, title=_("提交协办意见"))


@login_required
@require_http_methods(["GET", "POST"])
def proposal_plan(request, proposal_pk: int):
    proposal = _proposal(request, proposal_pk, for_write=True)
    initial = {
        "scheme": proposal.plan_scheme,
        "measures": proposal.plan_measures,
        "goal": proposal.plan_goal,
        "due": proposal.plan_due,
    }
    form = forms.PlanForm(request.POST or None, initial=initial)
    return _form_step(
        request,
        proposal,
        "plan",
        form,
        lambda d: services.plan_save(actor=request.user, proposal=proposal, **d),
        title=_("办理方案（四落实）"),
        done=_("办理方案已保存。"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_contact(request, proposal_pk: int):
    proposal = _proposal(request, proposal_pk, for_write=True)
    form = forms.ContactForm(request.POST or None, initial={"held_on": clock.today()})
    return _form_step(
        request,
        proposal,
        "contact",
        form,
        lambda d: services.contact_record(actor=request.user, proposal=proposal, **d),
        title=_("登记见面沟通（三见面）"),
        intro=_("办理前、办理中、答复时各与代表见面沟通一次。"),
        done=_("已登记。"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_extend(request, proposal_pk: int):
    proposal = _proposal(request, proposal_pk, for_write=True)
    form = forms.ExtensionForm(request.POST or None)
    return _form_step(
        request,
        proposal,
        "extend",
        form,
        lambda d: services.extension_request(actor=request.user, proposal=proposal, **d),
        title=_("申请延期"),
        intro=_("每件建议只能在答复期限届满前申请一次延期。"),
        done=_("延期申请已提交。"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_decide_extension(request, proposal_pk: int):
    proposal = _proposal(request, proposal_pk, for_write=True)
    form = forms.DecideExtensionForm(request.POST or None)
    return _form_step(
        request,
        proposal,
        "decide_extension",
        form,
        lambda d: services.extension_decide(
            actor=request.user, proposal=proposal, approve=d["approve"], note=d["note"]
        ),
        title=_("审批延期"),
        done=_("已审批。"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_reply(request, proposal_pk: int):
    proposal = _proposal(request, proposal_pk, for_write=True)
    form = forms.ReplyForm(request.POST or None, request.FILES or None)
    return _form_step(
        request,
        proposal,
        "reply",
        form,
        lambda d: services.proposal_reply(actor=request.user, proposal=proposal, **d),
        title=_("答复代表"),
        intro=_("答复函同时送领衔代表和每位联名代表。"),
        done=_("已答复，等待代表评价。"),
        multipart=True,
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_rate(request, proposal_pk: int):
    proposal = _proposal(request, proposal_pk, for_write=True)
    form = forms.RateForm(request.POST or None)
    return _form_step(
        request,
        proposal,
        "rate",
        form,
        lambda d: services.proposal_rate(actor=request.user, proposal=proposal, **d),
        title=_("评价办理情况"),
        done=_("感谢评价。"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_report_promise(request, proposal_pk: int):
    proposal = _proposal(request, proposal_pk, for_write=True)
    form = forms.TextForm(request.POST or None)
    return _form_step(
        request,
        proposal,
        "report_promise",
        form,
        lambda d: services.promise_report(actor=request.user, proposal=proposal, text=d["text"]),
        title=_("承诺事项回头看"),
        done=_("已报告。"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_supervise(request, proposal_pk: int):
    proposal = _proposal(request, proposal_pk, for_write=True)
    form = forms.SuperviseForm(
        request.POST or None,
        initial={"key": proposal.key_supervision, "supervisor": proposal.supervisor_id},
        candidates=can.supervisor_candidates(proposal.region),
    )
    return _form_step(
        request,
        proposal,
        "supervise",
        form,
        lambda d: services.proposal_supervise(
            actor=request.user, proposal=proposal, key=d["key"], supervisor=d["supervisor"]
        ),
        title=_("重点督办"),
        done=_("已保存。"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def proposal_publication(request, proposal_pk: int):
    proposal = _proposal(request, proposal_pk, for_write=True)
    form = forms.PublicationForm(
        request.POST or None,
        initial={"withheld": proposal.withheld, "reason": proposal.withhold_reason},
    )
    return _form_step(
        request,
        proposal,
        "publication",
        form,
        lambda d: services.proposal_publication(
            actor=request.user, proposal=proposal, withheld=d["withheld"], reason=d["reason"]
        ),
        title=_("公开设置"),
        intro=_("办理结果默认向社会公开（不含群众个人信息）；确需不公开的，写明理由。"),
        done=_("已保存。"),
    )


# --- Assignment meetings ----------------------------------------------------------------------


def _office_region(request):
    """The region the office works for: ?region=<code> within the user's slice, else their own."""
    code = request.GET.get("region") or request.POST.get("region")
    regions = Region.objects.visible_to(request.user)
    region = regions.filter(code=code).first() if code else None
    if region is None:
        region = regions.filter(level__in=("city", "county", "township")).order_by("path").first()
    if region is None or not can.can_keep_office_of(request.user, region):
        raise PermissionDenied
    return region


@login_required
@require_http_methods(["GET", "POST"])
def meeting_list(request):
    if not can.may_keep_office_anywhere(request.user):
        raise PermissionDenied
    region = _office_region(request)
    form = forms.MeetingForm(request.POST or None, initial={"held_on": clock.today()})
    if request.method == "POST" and form.is_valid():
        try:
            meeting = services.meeting_create(
                actor=request.user, region=region, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("proposals:meeting", proposal_meeting_pk=meeting.pk)
    meetings = AssignmentMeeting.objects.visible_to(request.user).select_related("region")[:50]
    return render(
        request,
        "proposals/meetings.html",
        {"form": form, "meetings": meetings, "region": region},
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_detail(request, proposal_meeting_pk: int):
    meeting = access_object(
        AssignmentMeeting.objects.select_related("region"), request.user, proposal_meeting_pk
    )
    waiting = list(
        selectors.proposals_for(request.user).filter(
            region=meeting.region, status=Proposal.Status.REGISTERED
        )
    )
    units = list(_units_for(request.user, None))
    if request.method == "POST":
        if not can.can_keep_office_of(request.user, meeting.region):
            raise PermissionDenied
        by_pk = {u.pk: u for u in units}
        items = []
        for proposal in waiting:
            lead = request.POST.get(f"lead_{proposal.pk}")
            if lead and lead.isdigit() and int(lead) in by_pk:
                cos = [
                    by_pk[int(c)]
                    for c in request.POST.getlist(f"co_{proposal.pk}")
                    if c.isdigit() and int(c) in by_pk and int(c) != int(lead)
                ]
                items.append(
                    {
                        "proposal": proposal,
                        "lead_unit": by_pk[int(lead)],
                        "co_units": cos,
                        "hard_case": request.POST.get(f"hard_{proposal.pk}") == "1",
                    }
                )
        try:
            done = services.proposals_assign_batch(actor=request.user, meeting=meeting, items=items)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已在交办会上交办%(n)s件建议。") % {"n": len(done)})
            return redirect("proposals:meeting", proposal_meeting_pk=meeting.pk)
    # The meeting's own assignments, all of its region, which access_object has just
    # granted: the meeting is the scoping.
    assigned = ProposalAssignment.objects.filter(meeting=meeting).select_related("proposal", "unit")
    return render(
        request,
        "proposals/meeting.html",
        {"meeting": meeting, "waiting": waiting, "units": units, "assigned": assigned},
    )


# --- Figures, ledger, supervision, settings ---------------------------------------------------


def _year(request) -> int:
    value = request.GET.get("year") or request.POST.get("year") or ""
    return int(value) if value.isdigit() and 2000 <= int(value) <= 2100 else clock.today().year


@login_required
@require_safe
def figures_page(request):
    code = request.GET.get("region")
    region = None
    if code:
        region = access_object(Region.objects.all(), request.user, code, field="code")
    year = _year(request)
    group = "unit" if request.GET.get("by") == "unit" else "body"
    return render(
        request,
        "proposals/figures.html",
        {
            "region": region,
            "year": year,
            "group": group,
            "total": selectors.figures(request.user, year=year, region=region)[None],
            "rows": selectors.figures_rows(request.user, year=year, region=region, group_by=group),
            "years": range(clock.today().year, clock.today().year - 5, -1),
        },
    )


@login_required
@require_POST
def ledger_start(request):
    year = _year(request)
    code = request.POST.get("region") or ""
    if code:
        region = access_object(Region.objects.all(), request.user, code, field="code")
    else:
        # The body the user works for: the top of their own slice (the whole tree for
        # a superuser), never "the first region" of whatever a query returns.
        roots = root_paths(request.user)
        regions = Region.objects.all() if roots is None else Region.objects.filter(path__in=roots)
        region = regions.order_by("path").first()
    if region is None:
        raise PermissionDenied
    job = job_start(
        actor=request.user,
        kind="proposals_ledger",
        region=region,
        params={"year": year, "region": region.code},
        title=_("%(year)s年代表建议办理台账") % {"year": year},
    )
    return redirect("jobs:detail", job_pk=job.pk)


@login_required
@require_safe
def supervised(request):
    rows = selectors.supervised_by(request.user).order_by("due_date", "pk")
    return render(request, "proposals/supervised.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request, region_code: str):
    region = access_object(Region.objects.all(), request.user, region_code, field="code")
    if not can.can_keep_office_of(request.user, region):
        raise PermissionDenied
    current = ProposalSettings.for_region(region)
    initial = {k: getattr(current, k) for k in ProposalSettings.DEFAULTS}
    form = forms.SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.settings_save(actor=request.user, region=region, values=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("proposals:settings", region_code=region.code)
    return render(
        request,
        "proposals/settings.html",
        {"form": form, "region": region, "inherited": current.region_id != region.pk},
    )
