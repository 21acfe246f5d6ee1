"""Staff pages for suggestions: inbox, detail with the allowed actions, units, templates."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role, RoleAssignment
from core.files import private_file_response
from core.forms import add_service_errors as _add_errors
from core.masking import mask_phone
from tenancy.access import access_object
from tenancy.scope import scope_of

from . import selectors, services
from .filters import ConstituentFilter, HandlingUnitFilter, SuggestionFilter
from .forms import (
    AnswerForm,
    AssignForm,
    BulkAssignForm,
    ExtensionDecideForm,
    ExtensionRequestForm,
    FollowUpForm,
    HandlingUnitForm,
    MergeForm,
    NoteForm,
    RejectForm,
    ReplyForm,
    ReplyTemplateForm,
    ReturnForm,
    SLAProfileForm,
    StaffSuggestionForm,
)
from .models import (
    Assignment,
    Constituent,
    ExtensionRequest,
    HandlingUnit,
    ReplyAttachment,
    ReplyTemplate,
    SLAProfile,
    Suggestion,
    SuggestionPhoto,
)

PAGE_SIZE = 30


def _may_manage(user) -> bool:
    """Staff who may edit directories and settings somewhere (not leaders, not clerks)."""
    scope = scope_of(user)
    return scope.everything or bool(scope.write.region_paths)


def _may_register(user) -> bool:
    """Region staff, station officers and deputies record suggestions they received."""
    scope = scope_of(user)
    return _may_manage(user) or bool(scope.write.station_ids or scope.write.deputy_ids)


def _require_manager(user) -> None:
    if not _may_manage(user):
        raise PermissionDenied


# --- Inbox ---------------------------------------------------------------------------


@login_required
def inbox(request):
    units = selectors.units_of(request.user)
    if selectors.is_clerk_only(request.user) and len(units) == 1:
        return redirect("suggestions:unit_detail", unit_pk=units[0].pk)
    visible = selectors.inbox(request.user)
    filterset = SuggestionFilter(request.GET or None, queryset=visible, user=request.user)
    rows = filterset.qs if filterset.is_valid() else visible
    page = Paginator(rows.order_by("-submitted_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    can_assign = _may_manage(request.user)
    return render(
        request,
        "suggestions/inbox.html",
        {
            "filter": filterset,
            "page": page,
            "can_assign": can_assign,
            "can_create": _may_register(request.user),
            "bulk_form": BulkAssignForm(
                units=selectors.bulk_assignable_units(request.user),
                suggestions=Suggestion.objects.none(),
            )
            if can_assign
            else None,
            "units": units,
        },
    )


@login_required
@require_POST
def bulk_assign(request):
    _require_manager(request.user)
    form = BulkAssignForm(
        request.POST,
        units=selectors.bulk_assignable_units(request.user),
        suggestions=Suggestion.objects.visible_to(request.user, for_write=True),
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(_safe_next(request) or "suggestions:inbox")
    done, failed = services.suggestions_assign_bulk(
        actor=request.user,
        suggestions=list(form.cleaned_data["ids"]),
        lead_unit=form.cleaned_data["lead_unit"],
        note=form.cleaned_data["note"],
    )
    if done:
        messages.success(
            request,
            _("已将%(n)s件交办给%(unit)s。")
            % {"n": len(done), "unit": form.cleaned_data["lead_unit"].name},
        )
    for suggestion, why in failed:
        messages.error(request, f"{suggestion.display_code}：{why}")
    return redirect(_safe_next(request) or "suggestions:inbox")


def _safe_next(request) -> str:
    target = request.POST.get("next", "")
    return target if target.startswith("/suggestions/") and "//" not in target else ""


@login_required
def new(request):
    """Record a suggestion received at a reception, a visit, by phone or mail."""
    if not _may_register(request.user):
        raise PermissionDenied
    form = StaffSuggestionForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            suggestion, _created = services.suggestion_submit(
                actor=request.user,
                channel=data["channel"],
                category=data["category"],
                content=data["content"],
                place=data["place"],
                deputy=data.get("deputy"),
                station=data.get("station"),
                region=None if data.get("station") else data.get("region"),
                contact_name=data["contact_name"],
                contact_phone=data["contact_phone"],
                village=data["village"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, _("已登记，查询码 %(code)s。") % {"code": suggestion.display_code}
            )
            return redirect("suggestions:detail", suggestion_pk=suggestion.pk)
    return render(request, "suggestions/new.html", {"form": form})


# --- Detail and actions ----------------------------------------------------------------


def _detail_context(request, suggestion: Suggestion, bound: dict | None = None) -> dict:
    user = request.user
    bound = bound or {}
    assignments = list(
        Assignment.objects.visible_to(user)
        .filter(suggestion=suggestion)
        .select_related("unit")
        .order_by("pk")
    )
    actions = selectors.actions_for(user, suggestion, assignments)
    templates = selectors.reply_templates_for(user, suggestion)
    chosen = request.GET.get("template")
    initial_text = ""
    if chosen and chosen.isdigit():
        template = templates.filter(pk=chosen).first()
        initial_text = template.body if template else ""

    def form(name, factory):
        return bound.get(name) or factory()

    forms = {
        "accept": form("accept", NoteForm) if actions.accept else None,
        "reject": form("reject", RejectForm) if actions.reject else None,
        "answer": form("answer", AnswerForm) if actions.answer else None,
        "handle": form("handle", NoteForm) if actions.handle else None,
        "assign": form(
            "assign",
            lambda: AssignForm(units=selectors.assignable_units(user, suggestion)),
        )
        if actions.assign
        else None,
        "merge": form(
            "merge",
            lambda: MergeForm(candidates=Suggestion.objects.none()),
        )
        if actions.merge
        else None,
        "extend": form("extend", ExtensionRequestForm) if actions.extension_request else None,
        "decide": form("decide", ExtensionDecideForm) if actions.extension_decide else None,
        "reply": form(
            "reply",
            lambda: ReplyForm(
                templates=templates,
                initial={"template": chosen, "text": initial_text} if initial_text else None,
            ),
        )
        if actions.reply
        else None,
        "follow_up": form("follow_up", FollowUpForm) if actions.follow_up else None,
        "return": form("return", ReturnForm) if actions.send_back else None,
    }
    # A refused action whose form is no longer offered (the state moved on, a limit
    # passed) still shows why it was refused.
    offered = {
        "return": bool(actions.send_back),
        "decide": actions.extension_decide is not None,
    }
    orphan_errors = [
        error
        for name, bound_form in bound.items()
        if name != "revealed_phone"
        and not (forms.get(name) is bound_form and offered.get(name, True))
        for error in bound_form.errors.get("__all__", [])
    ]
    constituent = suggestion.constituent
    return {
        "orphan_errors": orphan_errors,
        "suggestion": suggestion,
        "events": selectors.timeline(suggestion),
        "assignments": assignments,
        "extensions": list(suggestion.extensions.all()),
        "photos": list(suggestion.photos.all()),
        "attachments": list(suggestion.reply_attachments.all()),
        "duplicates": list(suggestion.merged_duplicates.all()),
        "actions": actions,
        "forms": forms,
        "masked_phone": mask_phone(constituent.phone) if constituent else "",
        "revealed_phone": bound.get("revealed_phone", ""),
        "open_form": next((name for name in bound if name != "revealed_phone"), ""),
    }


def _get(request, suggestion_pk: int, *, for_write: bool = False) -> Suggestion:
    queryset = Suggestion.objects.select_related(
        "region", "deputy", "station", "constituent", "merged_into"
    )
    return access_object(queryset, request.user, suggestion_pk, for_write=for_write)


@login_required
def detail(request, suggestion_pk: int):
    suggestion = _get(request, suggestion_pk)
    context = _detail_context(request, suggestion)
    if request.headers.get("HX-Request") and request.GET.get("template"):
        return render(request, "suggestions/partials/reply_text.html", context)
    return render(request, "suggestions/detail.html", context)


def _run(request, suggestion, name: str, form, call, success: str):
    """Validate a bound action form, call the service, and answer like every action."""
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, success)
            return redirect("suggestions:detail", suggestion_pk=suggestion.pk)
    context = _detail_context(request, suggestion, bound={name: form})
    return render(request, "suggestions/detail.html", context, status=400)


@login_required
@require_POST
def act(request, suggestion_pk: int, action: str):
    """One POST endpoint per transition of the suggestion (URL names = action names)."""
    suggestion = _get(request, suggestion_pk, for_write=True)
    user = request.user
    post, files = request.POST, request.FILES
    if action == "accept":
        return _run(
            request,
            suggestion,
            action,
            NoteForm(post),
            lambda d: services.suggestion_accept(actor=user, suggestion=suggestion, note=d["note"]),
            _("已受理。"),
        )
    if action == "reject":
        return _run(
            request,
            suggestion,
            action,
            RejectForm(post),
            lambda d: services.suggestion_reject(
                actor=user, suggestion=suggestion, reason=d["reason"], note=d["note"]
            ),
            _("已作不予受理处理。"),
        )
    if action == "answer":
        return _run(
            request,
            suggestion,
            action,
            AnswerForm(post),
            lambda d: services.suggestion_answer_on_spot(
                actor=user, suggestion=suggestion, text=d["text"]
            ),
            _("已记录当场答复。"),
        )
    if action == "handle":
        return _run(
            request,
            suggestion,
            action,
            NoteForm(post),
            lambda d: services.suggestion_handle_locally(
                actor=user, suggestion=suggestion, note=d["note"]
            ),
            _("已转为自行办理。"),
        )
    if action == "assign":
        return _run(
            request,
            suggestion,
            action,
            AssignForm(post, units=selectors.assignable_units(user, suggestion)),
            lambda d: services.suggestion_assign(
                actor=user,
                suggestion=suggestion,
                lead_unit=d["lead_unit"],
                co_units=list(d["co_units"]),
                note=d["note"],
            ),
            _("已交办。"),
        )
    if action == "merge":
        form = MergeForm(
            post,
            candidates=Suggestion.objects.visible_to(user, for_write=True).exclude(
                pk=suggestion.pk
            ),
        )
        return _run(
            request,
            suggestion,
            action,
            form,
            lambda d: services.suggestion_merge(
                actor=user, duplicate=suggestion, survivor=form.survivor
            ),
            _("已合并。"),
        )
    if action == "extend":
        return _run(
            request,
            suggestion,
            action,
            ExtensionRequestForm(post),
            lambda d: services.extension_request(
                actor=user, suggestion=suggestion, days=d["days"], reason=d["reason"]
            ),
            _("延期申请已提交，等待审批。"),
        )
    if action == "reply":
        templates = selectors.reply_templates_for(user, suggestion)
        return _run(
            request,
            suggestion,
            action,
            ReplyForm(post, files, templates=templates),
            lambda d: services.suggestion_reply(
                actor=user, suggestion=suggestion, text=d["text"], attachments=d["attachments"]
            ),
            _("已答复。"),
        )
    if action == "follow_up":
        return _run(
            request,
            suggestion,
            action,
            FollowUpForm(post),
            lambda d: services.suggestion_follow_up(
                actor=user,
                suggestion=suggestion,
                satisfaction=d["satisfaction"],
                note=d["note"],
            ),
            _("已记录回访结果。"),
        )
    raise PermissionDenied


@login_required
@require_POST
def reveal(request, suggestion_pk: int):
    """Show the citizen's full phone number once; the look is audited."""
    suggestion = _get(request, suggestion_pk)
    try:
        phone = services.constituent_reveal_phone(actor=request.user, suggestion=suggestion)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("suggestions:detail", suggestion_pk=suggestion.pk)
    if request.headers.get("HX-Request"):
        return render(request, "suggestions/partials/phone.html", {"phone": phone})
    context = _detail_context(request, suggestion, bound={"revealed_phone": phone})
    return render(request, "suggestions/detail.html", context)


def _assignment(request, assignment_pk: int) -> Assignment:
    queryset = Assignment.objects.select_related("suggestion", "unit")
    return access_object(queryset, request.user, assignment_pk, for_write=True)


@login_required
@require_POST
def assignment_acknowledge(request, assignment_pk: int):
    assignment = _assignment(request, assignment_pk)
    try:
        services.assignment_acknowledge(actor=request.user, assignment=assignment)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已签收。"))
    return redirect("suggestions:detail", suggestion_pk=assignment.suggestion_id)


@login_required
@require_POST
def assignment_return(request, assignment_pk: int):
    assignment = _assignment(request, assignment_pk)
    suggestion = _get(request, assignment.suggestion_id)
    return _run(
        request,
        suggestion,
        "return",
        ReturnForm(request.POST),
        lambda d: services.assignment_return(
            actor=request.user, assignment=assignment, reason=d["reason"]
        ),
        _("已退回交办单位。"),
    )


@login_required
@require_POST
def extension_decide(request, extension_pk: int):
    extension = access_object(
        ExtensionRequest.objects.select_related("suggestion"),
        request.user,
        extension_pk,
        for_write=True,
    )
    suggestion = _get(request, extension.suggestion_id)
    return _run(
        request,
        suggestion,
        "decide",
        ExtensionDecideForm(request.POST),
        lambda d: services.extension_decide(
            actor=request.user,
            extension=extension,
            approve=d["decision"] == "approve",
            note=d["note"],
        ),
        _("已审批延期申请。"),
    )


@login_required
def photo(request, photo_pk: int):
    """A citizen's photo, only for those who may see the suggestion (never a public URL)."""
    item = access_object(SuggestionPhoto, request.user, photo_pk)
    return private_file_response(item.image)


@login_required
def attachment(request, attachment_pk: int):
    item = access_object(ReplyAttachment, request.user, attachment_pk)
    return private_file_response(item.file, filename=item.name, as_attachment=True)


# --- Handling units ------------------------------------------------------------------


@login_required
def unit_list(request):
    units = HandlingUnit.objects.visible_to(request.user).select_related("region")
    filterset = HandlingUnitFilter(request.GET or None, queryset=units)
    rows = filterset.qs if filterset.is_valid() else units
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "suggestions/unit_list.html",
        {"page": page, "filter": filterset, "can_manage": _may_manage(request.user)},
    )


@login_required
def unit_new(request):
    _require_manager(request.user)
    form = HandlingUnitForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.handling_unit_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已添加承办单位。"))
            return redirect("suggestions:unit_detail", unit_pk=unit.pk)
    return render(request, "suggestions/form_page.html", {"form": form, "title": _("添加承办单位")})


@login_required
def unit_edit(request, unit_pk: int):
    unit = access_object(HandlingUnit, request.user, unit_pk, for_write=True)
    if not services.may_manage_region(request.user, unit.region):
        raise PermissionDenied
    form = HandlingUnitForm(request.POST or None, instance=unit, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.handling_unit_update(
                actor=request.user, unit=HandlingUnit.objects.get(pk=unit.pk), **values
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("suggestions:unit_detail", unit_pk=unit.pk)
    return render(request, "suggestions/form_page.html", {"form": form, "title": _("编辑承办单位")})


@login_required
def unit_detail(request, unit_pk: int):
    """The unit's queue: its assignments with deadlines, overdue first."""
    unit = access_object(HandlingUnit.objects.select_related("region"), request.user, unit_pk)
    done = request.GET.get("done") == "1"
    page = Paginator(selectors.unit_queue(request.user, unit, done=done), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    clerks = RoleAssignment.objects.filter(role=Role.UNIT_CLERK, unit=unit).select_related("user")
    return render(
        request,
        "suggestions/unit_detail.html",
        {
            "unit": unit,
            "page": page,
            "done": done,
            "clerks": clerks,
            "can_manage": services.may_manage_region(request.user, unit.region),
        },
    )


# --- Reply templates and deadline rules ------------------------------------------------


@login_required
def template_list(request):
    templates = ReplyTemplate.objects.visible_to(request.user).select_related("region")
    page = Paginator(templates, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "suggestions/template_list.html",
        {"page": page, "can_manage": _may_manage(request.user)},
    )


@login_required
def template_edit(request, template_pk: int | None = None):
    template = None
    if template_pk is not None:
        template = access_object(ReplyTemplate, request.user, template_pk, for_write=True)
    _require_manager(request.user)
    form = ReplyTemplateForm(request.POST or None, instance=template, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.reply_template_save(
                actor=request.user,
                template=ReplyTemplate.objects.get(pk=template.pk) if template else None,
                **values,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已保存答复模板。"))
            return redirect("suggestions:template_list")
    title = _("编辑答复模板") if template else _("新建答复模板")
    return render(request, "suggestions/form_page.html", {"form": form, "title": title})


@login_required
def sla_list(request):
    profiles = SLAProfile.objects.visible_to(request.user).select_related("region")
    return render(
        request,
        "suggestions/sla_list.html",
        {"profiles": profiles, "can_manage": _may_manage(request.user)},
    )


@login_required
def sla_edit(request, sla_pk: int | None = None):
    profile = None
    if sla_pk is not None:
        profile = access_object(SLAProfile, request.user, sla_pk, for_write=True)
    _require_manager(request.user)
    form = SLAProfileForm(request.POST or None, instance=profile, user=request.user)
    if request.method == "POST" and form.is_valid():
        values = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.sla_profile_save(
                actor=request.user,
                profile=SLAProfile.objects.get(pk=profile.pk) if profile else None,
                **values,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已保存办理期限规则。"))
            return redirect("suggestions:sla_list")
    title = _("编辑办理期限规则") if profile else _("新建办理期限规则")
    return render(request, "suggestions/form_page.html", {"form": form, "title": title})


# --- Constituents ------------------------------------------------------------------------


@login_required
def constituent_list(request):
    rows = selectors.constituents(request.user)
    filterset = ConstituentFilter(request.GET or None, queryset=rows)
    rows = filterset.qs if filterset.is_valid() else rows
    page = Paginator(rows.order_by("name", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "suggestions/constituent_list.html", {"page": page, "filter": filterset})


@login_required
def constituent_detail(request, constituent_pk: int):
    constituent = access_object(
        Constituent.objects.select_related("region"), request.user, constituent_pk
    )
    suggestions = selectors.inbox(request.user).filter(constituent=constituent)
    revealed = ""
    if request.method == "POST":
        try:
            revealed = services.constituent_reveal_phone(
                actor=request.user, constituent=constituent
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("suggestions:constituent_detail", constituent_pk=constituent.pk)
        if request.headers.get("HX-Request"):
            return render(request, "suggestions/partials/phone.html", {"phone": revealed})
    return render(
        request,
        "suggestions/constituent_detail.html",
        {
            "constituent": constituent,
            "suggestions": suggestions,
            "masked_phone": mask_phone(constituent.phone),
            "revealed_phone": revealed,
            "may_reveal": services.may_reveal_constituent(request.user, constituent),
        },
    )
