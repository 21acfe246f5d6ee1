"""Staff and deputy pages of the livelihood-project cycle.

Thin: access check (`access_object`, 404 outside the user's slice), a form, a service,
a redirect. What a page offers is what the workflow tables allow.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from core.forms import add_service_errors
from core.masking import mask_phone
from deputies.models import Deputy
from public import placards, qr
from regions.models import Region
from stations.spreadsheets import read_sheet, workbook_bytes, xlsx_response
from suggestions.models import HandlingUnit, Suggestion
from supervision.tracking import deadlines_of
from tenancy.access import access_object

from . import documents, selectors, services
from . import permissions as can
from .forms import (
    ApprovalForm,
    ConfirmForm,
    CycleForm,
    DecideForm,
    ExplainForm,
    ImportForm,
    InspectionForm,
    PlanForm,
    ProgressForm,
    ProjectForm,
    ProposalForm,
    ResolveForm,
    RoundForm,
    SupervisorsForm,
)
from .models import Cycle, Meeting, Problem, Project, Proposal, Round
from .workflow import CYCLE, ROUND

PAGE_SIZE = 50


def _cycle(request, pk, *, for_write=False) -> Cycle:
    return access_object(
        Cycle.objects.select_related("region"), request.user, pk, for_write=for_write
    )


def _project(request, pk, *, for_write=False) -> Project:
    return access_object(
        Project.objects.select_related("cycle", "cycle__region", "lead_unit"),
        request.user,
        pk,
        for_write=for_write,
    )


def _round(request, pk, *, for_write=False) -> Round:
    return access_object(
        Round.objects.select_related("cycle", "cycle__region", "meeting"),
        request.user,
        pk,
        for_write=for_write,
    )


def _refused(request, error: ValidationError) -> None:
    messages.error(request, " ".join(error.messages))


def _units(cycle: Cycle):
    """Handling units of the cycle's region, the regions above it (the county's bureaus
    serve its townships) and below it."""
    parts = cycle.region_path.strip("/").split("/")
    above = ["/".join(parts[: i + 1]) + "/" for i in range(len(parts))]
    return HandlingUnit.objects.filter(
        Q(region_path__in=above) | Q(region_path__startswith=cycle.region_path)
    ).order_by("name")


def _back(cycle, anchor=""):
    response = redirect("livelihood:detail", cycle_pk=cycle.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


# --- Cycles ------------------------------------------------------------------------------


@login_required
@require_safe
def cycle_list(request):
    rows = selectors.cycles_for(request.user, q=request.GET.get("q", "").strip())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "livelihood/cycle_list.html",
        {"page": page, "can_run": can.may_run_cycles(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def cycle_new(request):
    if not can.may_run_cycles(request.user):
        raise PermissionDenied
    regions = Region.objects.visible_to(request.user, for_write=True).exclude(level="village")
    form = CycleForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            cycle = services.cycle_create(actor=request.user, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已创建，征集页面和二维码已经可以使用。"))
            return redirect("livelihood:detail", cycle_pk=cycle.pk)
    return render(request, "livelihood/form.html", {"form": form, "title": _("新建民生实事票决")})


@login_required
@require_http_methods(["GET", "POST"])
def cycle_edit(request, cycle_pk: int):
    cycle = _cycle(request, cycle_pk, for_write=True)
    if not CYCLE.can("edit", request.user, cycle):
        raise PermissionDenied
    form = CycleForm(request.POST or None, instance=cycle)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in form.fields}
        cycle.refresh_from_db()
        try:
            services.cycle_update(actor=request.user, cycle=cycle, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return _back(cycle)
    return render(
        request, "livelihood/form.html", {"form": form, "cycle": cycle, "title": _("修改设置")}
    )


@login_required
@require_safe
def cycle_detail(request, cycle_pk: int):
    cycle = _cycle(request, cycle_pk)
    actions = CYCLE.available(request.user, cycle)
    steps = [a for a in CYCLE.actions if a.targets and cycle.status in a.sources]
    manage = can.can_manage_cycle(request.user, cycle)
    step_refusals = (
        [(a, CYCLE.refusal(a.name, request.user, cycle)) for a in steps] if manage else []
    )
    proposals = Proposal.objects.filter(cycle=cycle)
    meeting = cycle.meetings.filter(
        purpose=Meeting.Purpose.RATING if cycle.status in ("review", "rated", "done") else "select"
    ).first()
    return render(
        request,
        "livelihood/cycle_detail.html",
        {
            "cycle": cycle,
            "actions": actions,
            "step_refusals": step_refusals,
            "manage": manage,
            "proposal_counts": {
                "total": proposals.count(),
                "pending": proposals.filter(decision="pending").count(),
                "candidate": proposals.filter(decision="candidate").count(),
                "merged": proposals.filter(decision="merged").count(),
                "rejected": proposals.filter(decision="rejected").count(),
            },
            "projects": selectors.projects_of(cycle),
            "approvals": cycle.approvals.all(),
            "approval_form": ApprovalForm() if "approve" in actions else None,
            "members": cycle.members.count(),
            "meeting": meeting,
            "present": meeting.attendances.count() if meeting else 0,
            "rounds": cycle.rounds.order_by("number"),
            "places_open": services.places_open(cycle),
            "tie": services.pending_tie(cycle),
            "turnout": selectors.turnout(cycle),
            "public_url": qr.public_url("public_livelihood:page", cycle.public_token),
            "statuses": Cycle.Status.choices,
        },
    )


@login_required
@require_POST
def cycle_advance(request, cycle_pk: int):
    cycle = _cycle(request, cycle_pk, for_write=True)
    try:
        services.cycle_advance(
            actor=request.user, cycle=cycle, action=request.POST.get("action", "")
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("已进入“%(s)s”阶段。") % {"s": Cycle.objects.get(pk=cycle.pk).get_status_display()},
        )
    return _back(cycle)


@login_required
@require_POST
def approval_new(request, cycle_pk: int):
    cycle = _cycle(request, cycle_pk, for_write=True)
    form = ApprovalForm(request.POST)
    if form.is_valid():
        try:
            services.approval_record(actor=request.user, cycle=cycle, **form.cleaned_data)
        except ValidationError as error:
            _refused(request, error)
    else:
        messages.error(request, _("请填写程序和日期。"))
    return _back(cycle, "approvals")


@login_required
@require_safe
def poster(request, cycle_pk: int):
    """The A5 poster with the QR code of the proposal page (placard machinery)."""
    cycle = _cycle(request, cycle_pk)
    url = qr.public_url("public_livelihood:page", cycle.public_token)
    content = placards.placards_pdf(
        [
            {
                "template": "livelihood/_poster.html",
                "cycle": cycle,
                "qr": placards.data_uri(qr.qr_bytes(url, "png"), "image/png"),
                "url": url,
            }
        ],
        title=cycle.title,
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(
        True, _("%(t)s-征集海报.pdf") % {"t": cycle.title}
    )
    return response


# --- Proposals -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def proposal_list(request, cycle_pk: int):
    cycle = _cycle(request, cycle_pk, for_write=request.method == "POST")
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_record(actor=request.user, cycle=cycle, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记。"))
            return redirect("livelihood:proposals", cycle_pk=cycle.pk)
    decision = request.GET.get("decision", "")
    rows = selectors.proposals_of(cycle, decision=decision, q=request.GET.get("q", "").strip())
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    may_propose = CYCLE.can("propose", request.user, cycle)
    return render(
        request,
        "livelihood/proposal_list.html",
        {
            "cycle": cycle,
            "page": page,
            "form": form if may_propose else None,
            "import_form": ImportForm() if may_propose else None,
            "may_screen": CYCLE.can("screen", request.user, cycle),
            "show_phone": can.can_manage_cycle(request.user, cycle),
            "decisions": Proposal.Decision.choices,
            "decision": decision,
            "mask_phone": mask_phone,
        },
    )


@login_required
@require_POST
def proposals_import(request, cycle_pk: int):
    cycle = _cycle(request, cycle_pk, for_write=True)
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("请选择 .xlsx 文件。"))
        return redirect("livelihood:proposals", cycle_pk=cycle.pk)
    sheet = read_sheet(form.cleaned_data["file"], services.IMPORT_COLUMNS)
    try:
        count = services.proposals_import(actor=request.user, cycle=cycle, sheet=sheet)
    except ValidationError as error:
        for message in error.messages[:50]:
            messages.error(request, message)
    except PermissionDenied:
        raise
    else:
        messages.success(request, _("已导入%(n)s件项目建议。") % {"n": count})
    return redirect("livelihood:proposals", cycle_pk=cycle.pk)


@login_required
@require_safe
def import_template(request, cycle_pk: int):
    _cycle(request, cycle_pk)
    columns = services.IMPORT_COLUMNS
    content = workbook_bytes(columns, [[c.example for c in columns]], title="项目建议")
    return xlsx_response(content, "民生实事项目建议导入模板.xlsx")


@login_required
@require_POST
def proposal_from_suggestion(request, cycle_pk: int):
    cycle = _cycle(request, cycle_pk, for_write=True)
    code = request.POST.get("tracking_code", "").strip().upper()
    suggestion = Suggestion.objects.visible_to(request.user).filter(tracking_code=code).first()
    if suggestion is None:
        messages.error(request, _("没有找到该查询码的意见建议。"))
    else:
        try:
            proposal = services.proposal_from_suggestion(
                actor=request.user, cycle=cycle, suggestion=suggestion
            )
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("已转为第%(n)s件项目建议。") % {"n": proposal.number})
    return redirect("livelihood:proposals", cycle_pk=cycle.pk)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_decide(request, livelihood_proposal_pk: int):
    proposal = access_object(
        Proposal.objects.select_related("cycle", "cycle__region"),
        request.user,
        livelihood_proposal_pk,
        for_write=True,
    )
    cycle = proposal.cycle
    if not CYCLE.can("screen", request.user, cycle):
        raise PermissionDenied
    form = DecideForm(request.POST or None, proposal=proposal)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.proposal_decide(
                actor=request.user,
                proposal=proposal,
                decision=data["decision"],
                reason=data["decision_reason"],
                criteria=form.criteria(),
                project=data.get("project"),
                merged_into=data.get("merged_into"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已记录初审结果。"))
            return redirect("livelihood:proposals", cycle_pk=cycle.pk)
    return render(
        request,
        "livelihood/proposal_decide.html",
        {"form": form, "proposal": proposal, "cycle": cycle},
    )


# --- Candidates ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def project_new(request, cycle_pk: int):
    cycle = _cycle(request, cycle_pk, for_write=True)
    if not CYCLE.can("screen", request.user, cycle):
        raise PermissionDenied
    form = ProjectForm(request.POST or None, units=_units(cycle))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        co_units = data.pop("co_units", [])
        try:
            services.project_create(actor=request.user, cycle=cycle, co_units=co_units, **data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已添加候选项目。"))
            return _back(cycle, "projects")
    return render(
        request, "livelihood/form.html", {"form": form, "cycle": cycle, "title": _("添加候选项目")}
    )


# --- Roster, sign-in, rounds ------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def members(request, cycle_pk: int):
    cycle = _cycle(request, cycle_pk, for_write=request.method == "POST")
    if request.method == "POST":
        try:
            if request.POST.get("from_register"):
                added = services.members_from_register(actor=request.user, cycle=cycle)
                messages.success(request, _("已从代表名册载入%(n)s人。") % {"n": added})
            elif remove := _int(request.POST.get("remove")):
                deputy = Deputy.objects.filter(pk=remove, livelihood_seats__cycle=cycle).first()
                if deputy:
                    services.member_remove(actor=request.user, cycle=cycle, deputy=deputy)
            elif add := _int(request.POST.get("add")):
                deputy = Deputy.objects.visible_to(request.user).filter(pk=add).first()
                if deputy is None:
                    messages.error(request, _("没有找到该代表。"))
                else:
                    services.member_add(actor=request.user, cycle=cycle, deputy=deputy)
        except ValidationError as error:
            _refused(request, error)
        return redirect("livelihood:members", cycle_pk=cycle.pk)
    seated = Deputy.objects.filter(livelihood_seats__cycle=cycle).order_by("name")
    may_edit = CYCLE.can("roster", request.user, cycle)
    return render(
        request,
        "livelihood/members.html",
        {
            "cycle": cycle,
            "seated": seated,
            "may_edit": may_edit,
            # Offered to whoever keeps the roster, who writes the cycle's region: its
            # deputies are theirs, so the region is the scoping (and no one else gets it).
            "addable": Deputy.objects.filter(
                region_path__startswith=cycle.region_path, status="active"
            )
            .exclude(livelihood_seats__cycle=cycle)
            .order_by("name")[:200]
            if may_edit
            else [],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def session(request, cycle_pk: int):
    """The sitting: open it, sign deputies in, open rounds."""
    cycle = _cycle(request, cycle_pk, for_write=request.method == "POST")
    may = CYCLE.can("hold_round", request.user, cycle)
    round_form = RoundForm(request.POST or None, cycle=cycle) if may else None
    if request.method == "POST":
        try:
            what = request.POST.get("what")
            if what == "open_meeting":
                services.meeting_open(actor=request.user, cycle=cycle)
            elif what == "sign":
                meeting = cycle.meetings.order_by("-pk").first()
                if meeting is None:
                    raise ValidationError(_("请先开始会议。"))
                ids = [int(x) for x in request.POST.getlist("deputies") if x.isdigit()]
                services.attendance_sign(actor=request.user, meeting=meeting, deputies=ids)
            elif what == "round" and round_form is not None and round_form.is_valid():
                data = round_form.cleaned_data
                round = services.round_open(
                    actor=request.user,
                    cycle=cycle,
                    method=data["method"],
                    projects=list(data["projects"]) or None,
                    places=data.get("places"),
                    minutes=data.get("minutes") or 30,
                )
                return redirect("livelihood:round", round_pk=round.pk)
            elif what == "round":
                raise ValidationError(_("请检查表决方式和时长。"))
            else:
                raise PermissionDenied
        except ValidationError as error:
            _refused(request, error)
        return redirect("livelihood:session", cycle_pk=cycle.pk)
    purpose = (
        Meeting.Purpose.RATING if cycle.status == Cycle.Status.REVIEW else Meeting.Purpose.SELECT
    )
    meeting = cycle.meetings.filter(purpose=purpose).first()
    signed = set(meeting.attendances.values_list("deputy_id", flat=True)) if meeting else set()
    seated = list(Deputy.objects.filter(livelihood_seats__cycle=cycle).order_by("name"))
    return render(
        request,
        "livelihood/session.html",
        {
            "cycle": cycle,
            "may": may,
            "meeting": meeting,
            "seated": seated,
            "signed": signed,
            "quorum": cycle.quorum_for(len(seated)),
            "round_form": round_form,
            "rounds": cycle.rounds.order_by("-number"),
            "tie": services.pending_tie(cycle),
            "places_open": services.places_open(cycle),
        },
    )


@login_required
@require_safe
def round_detail(request, round_pk: int):
    round = _round(request, round_pk)
    cycle = round.cycle
    actions = ROUND.available(request.user, round)
    tallies = list(round.tallies.select_related("project"))
    return render(
        request,
        "livelihood/round_detail.html",
        {
            "round": round,
            "cycle": cycle,
            "actions": actions,
            "tallies": tallies,
            "choices": ["yes", "no", "abstain"]
            if round.purpose == "select"
            else ["satisfied", "basic", "unsatisfied"],
            "confirm_form": ConfirmForm() if "confirm" in actions else None,
            "confirmations": round.confirmations.all(),
            "ballot_count": round.ballots.count(),
            "voter_count": round.voters.count(),
            "next_paper_number": round.ballots.count() + 1,
        },
    )


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_POST
def round_totals(request, round_pk: int):
    round = _round(request, round_pk, for_write=True)
    fields = (
        ["yes", "no", "abstain"]
        if round.purpose == "select"
        else ["satisfied", "basic", "unsatisfied"]
    )
    tallies = {
        pk: {f: _int(request.POST.get(f"t{pk}_{f}")) or 0 for f in fields}
        for pk in round.projects.values_list("pk", flat=True)
    }
    try:
        services.round_enter_totals(
            actor=request.user,
            round=round,
            issued=_int(request.POST.get("issued")),
            returned=_int(request.POST.get("returned")),
            invalid=_int(request.POST.get("invalid")) or 0,
            tallies=tallies,
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已录入，请计票人和监票人分别确认。"))
    return redirect("livelihood:round", round_pk=round.pk)


@login_required
@require_POST
def round_ballot(request, round_pk: int):
    round = _round(request, round_pk, for_write=True)
    marks = {
        str(pk): request.POST.get(f"b{pk}", "")
        for pk in round.projects.values_list("pk", flat=True)
    }
    try:
        if request.POST.get("issued"):
            services.round_set_issued(
                actor=request.user, round=round, issued=_int(request.POST.get("issued"))
            )
        if request.POST.get("paper_number"):
            valid = services.round_enter_ballot(
                actor=request.user,
                round=round,
                paper_number=_int(request.POST.get("paper_number")),
                marks=marks,
            )
            if valid:
                messages.success(request, _("已录入一张有效票。"))
            else:
                messages.warning(request, _("该选票赞成项目超过名额，已作为废票录入。"))
    except ValidationError as error:
        _refused(request, error)
    return redirect("livelihood:round", round_pk=round.pk)


@login_required
@require_POST
def round_close(request, round_pk: int):
    round = _round(request, round_pk, for_write=True)
    try:
        services.round_close(actor=request.user, round=round)
    except ValidationError as error:
        _refused(request, error)
    return redirect("livelihood:round", round_pk=round.pk)


@login_required
@require_POST
def round_confirm(request, round_pk: int):
    round = _round(request, round_pk, for_write=True)
    form = ConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择身份并填写姓名。"))
        return redirect("livelihood:round", round_pk=round.pk)
    try:
        round = services.round_confirm(actor=request.user, round=round, **form.cleaned_data)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已确认。"))
    return redirect("livelihood:round", round_pk=round.pk)


@login_required
@require_POST
def round_correct(request, round_pk: int):
    round = _round(request, round_pk, for_write=True)
    try:
        fix = services.round_open(
            actor=request.user,
            cycle=round.cycle,
            method="paper",
            corrects=round,
            note=request.POST.get("note", ""),
        )
    except ValidationError as error:
        _refused(request, error)
        return redirect("livelihood:round", round_pk=round.pk)
    return redirect("livelihood:round", round_pk=fix.pk)


# --- Deputies' phone pages --------------------------------------------------------------------


@login_required
@require_safe
def mine(request):
    """A deputy's page: rounds open for them and the projects they supervise."""
    # The rows are named by the deputy's own attendances and supervisions: no other
    # slice's round or project can be named by them.
    ids = can.deputy_ids_of(request.user)
    rounds = [
        r
        for r in Round.objects.filter(
            status=Round.Status.OPEN, meeting__attendances__deputy_id__in=ids
        )
        .select_related("cycle")
        .distinct()
        .order_by("-pk")
        if not services.has_voted(request.user, r)
    ]
    projects = (
        Project.objects.filter(supervisors__in=ids)
        .select_related("cycle")
        .distinct()
        .order_by("-cycle__year", "number")
    )
    return render(request, "livelihood/mine.html", {"rounds": rounds, "projects": projects})


@login_required
@require_http_methods(["GET", "POST"])
def vote(request, round_pk: int):
    round = _round(request, round_pk, for_write=request.method == "POST")
    if request.method == "POST":
        marks = {
            str(pk): request.POST.get(f"p{pk}", "")
            for pk in round.projects.values_list("pk", flat=True)
        }
        try:
            services.ballot_cast(actor=request.user, round=round, marks=marks)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("投票成功。您的选择是保密的，任何人都无法查看。"))
            return redirect("livelihood:mine")
    return render(
        request,
        "livelihood/vote.html",
        {
            "round": round,
            "cycle": round.cycle,
            "projects": round.projects.order_by("number"),
            "refusal": ROUND.refusal("vote", request.user, round),
            "voted": services.has_voted(request.user, round),
            "choices": [("yes", _("赞成")), ("no", _("反对")), ("abstain", _("弃权"))]
            if round.purpose == "select"
            else [("satisfied", _("满意")), ("basic", _("基本满意")), ("unsatisfied", _("不满意"))],
        },
    )


# --- Results ----------------------------------------------------------------------------------


@login_required
@require_safe
def results_xlsx(request, cycle_pk: int):
    cycle = _cycle(request, cycle_pk)
    return xlsx_response(documents.tallies_xlsx(cycle), f"{cycle.title}-计票结果.xlsx")


@login_required
@require_safe
def notice_pdf(request, cycle_pk: int):
    cycle = _cycle(request, cycle_pk)
    return documents.notice_response(cycle)


# --- Projects ------------------------------------------------------------------------------


@login_required
@require_safe
def project_detail(request, project_pk: int):
    project = _project(request, project_pk)
    cycle = project.cycle
    actions = CYCLE.available(request.user, cycle)
    manage = can.can_manage_cycle(request.user, cycle)
    adopted = project.status == Project.Status.ADOPTED
    return render(
        request,
        "livelihood/project_detail.html",
        {
            "project": project,
            "cycle": cycle,
            "milestones": project.milestones.select_related("unit"),
            "reports": project.reports.all()[:20],
            "inspections": project.inspections.prefetch_related("deputies", "problems"),
            "problems": project.problems.all(),
            "supervisors": project.supervisors.order_by("name"),
            "deadlines": deadlines_of(project),
            "plan_form": PlanForm(units=_units(cycle)) if adopted and "plan" in actions else None,
            "progress_form": ProgressForm(project=project)
            if adopted and "supervise" in actions
            else None,
            "inspection_form": InspectionForm(cycle=cycle)
            if adopted
            and can.can_inspect_project(request.user, project)
            and cycle.status in ("plans", "progress", "review")
            else None,
            "supervisors_form": SupervisorsForm(
                cycle=cycle, initial={"deputies": project.supervisors.all()}
            )
            if adopted and "supervise" in actions
            else None,
            "explain_form": ExplainForm()
            if project.needs_rectification and "rectify" in actions
            else None,
            "resolve_form": ResolveForm() if manage else None,
            # Shown to whoever manages the project, who writes its body: the body's
            # later cycles are theirs.
            "carry_targets": Cycle.objects.filter(
                region_id=cycle.region_id,
                year__gt=cycle.year,
                status__in=[Cycle.Status.COLLECTING, Cycle.Status.SCREENING],
            )
            if project.needs_rectification and manage
            else [],
            "public_url": qr.public_url("public_livelihood:project", project.public_token),
        },
    )


def _project_form_post(request, project_pk, form_class, call, **form_kwargs):
    project = _project(request, project_pk, for_write=True)
    kwargs = {key: value(project) for key, value in form_kwargs.items()}
    form = form_class(request.POST, request.FILES, **kwargs)
    if form.is_valid():
        try:
            call(project, form)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("已保存。"))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("livelihood:project", project_pk=project.pk)


@login_required
@require_POST
def project_plan(request, project_pk: int):
    return _project_form_post(
        request,
        project_pk,
        PlanForm,
        lambda p, f: services.plan_save(
            actor=request.user, project=p, tasks=f.cleaned_data["tasks"], milestones=f.milestones()
        ),
        units=lambda p: _units(p.cycle),
    )


@login_required
@require_POST
def project_progress(request, project_pk: int):
    def call(project, form):
        data = form.cleaned_data
        photo = data.get("photo")
        if photo:
            from suggestions.images import sanitize_image

            photo = sanitize_image(photo)
        services.progress_report(
            actor=request.user,
            project=project,
            percent_done=data["percent_done"],
            spent=data["spent"],
            note=data["note"],
            milestone=data.get("milestone"),
            photo=photo,
        )

    return _project_form_post(request, project_pk, ProgressForm, call, project=lambda p: p)


@login_required
@require_POST
def project_inspection(request, project_pk: int):
    def call(project, form):
        data = form.cleaned_data
        problems = []
        if data.get("problem"):
            problems.append({"description": data["problem"], "due_on": data.get("problem_due_on")})
        services.inspection_log(
            actor=request.user,
            project=project,
            kind=data["kind"],
            held_on=data["held_on"],
            findings=data["findings"],
            deputies=list(data["deputies"]),
            problems=problems,
        )

    return _project_form_post(request, project_pk, InspectionForm, call, cycle=lambda p: p.cycle)


@login_required
@require_POST
def project_supervisors(request, project_pk: int):
    return _project_form_post(
        request,
        project_pk,
        SupervisorsForm,
        lambda p, f: services.supervisors_set(
            actor=request.user, project=p, deputies=list(f.cleaned_data["deputies"])
        ),
        cycle=lambda p: p.cycle,
    )


@login_required
@require_POST
def project_explain(request, project_pk: int):
    return _project_form_post(
        request,
        project_pk,
        ExplainForm,
        lambda p, f: services.project_explain(actor=request.user, project=p, **f.cleaned_data),
    )


@login_required
@require_POST
def problem_resolve(request, problem_pk: int):
    problem = access_object(
        Problem.objects.select_related("cycle", "project"), request.user, problem_pk, for_write=True
    )
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            services.problem_resolve(
                actor=request.user, problem=problem, resolution=form.cleaned_data["resolution"]
            )
        except ValidationError as error:
            _refused(request, error)
    else:
        messages.error(request, _("请填写解决情况。"))
    return redirect("livelihood:project", project_pk=problem.project_id)


@login_required
@require_POST
def project_carry(request, project_pk: int):
    """Carry a 不满意 or unfinished project into a later cycle of the same body."""
    project = _project(request, project_pk, for_write=True)
    # A later cycle of the same body (services.project_carry), which the user writes
    # since they write the project: that body is the scoping.
    target = Cycle.objects.filter(
        pk=_int(request.POST.get("to_cycle")), region_id=project.cycle.region_id
    ).first()
    if target is None:
        messages.error(request, _("请选择结转到的年度。"))
    else:
        try:
            services.project_carry(actor=request.user, project=project, to_cycle=target)
        except ValidationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("已结转为%(t)s的项目建议。") % {"t": target.title})
    return redirect("livelihood:project", project_pk=project.pk)
