"""Staff pages for suggestions: inbox, detail with the allowed actions, units, templates."""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.roles import is_unit_clerk_only
from accounts.selectors import unit_clerk_assignments
from core.files import private_file_response
from core.forms import add_service_errors as _add_errors
from core.params import parse_id
from core.phones import REVEAL_REASONS
from core.phones import shown as phone_shown
from tenancy.access import access_object

from . import permissions as can
from . import selectors, services
from .filters import ConstituentFilter, HandlingUnitFilter, inbox_rows
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


_may_manage = can.may_manage_directories


def _require_manager(user) -> None:
    if not _may_manage(user):
        raise PermissionDenied


# --- Inbox ---------------------------------------------------------------------------


@login_required
def inbox(request):
    units = selectors.units_of(request.user)
    if is_unit_clerk_only(request.user) and len(units) == 1:
        return redirect("suggestions:unit_detail", unit_pk=units[0].pk)
    filterset, rows = inbox_rows(request.user, request.GET)
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
            "can_create": can.may_register_suggestions(request.user),
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
    if not can.may_register_suggestions(request.user):
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


@dataclass(frozen=True)
class ActionPage:
    """The page side of one workflow action: its form, the service it calls, its message."""

    form: Callable  # (request, suggestion, bound request or None, templates, initial) -> Form
    call: Callable  # (actor, suggestion, cleaned data, form) -> object
    success: str


def _plain(form_class):
    return lambda request, suggestion, bound, templates, initial: form_class(
        bound.POST if bound else None
    )


def _assign_form(request, suggestion, bound, templates, initial):
    units = selectors.assignable_units(request.user, suggestion)
    return AssignForm(bound.POST if bound else None, units=units)


def _merge_form(request, suggestion, bound, templates, initial):
    if bound is None:
        return MergeForm(candidates=Suggestion.objects.none())
    candidates = Suggestion.objects.visible_to(request.user, for_write=True)
    return MergeForm(bound.POST, candidates=candidates.exclude(pk=suggestion.pk))


def _reply_form(request, suggestion, bound, templates, initial):
    if bound is None:
        return ReplyForm(templates=templates, initial=initial)
    return ReplyForm(bound.POST, bound.FILES, templates=templates)


# One row per action of `suggestions.workflow.SUGGESTION` that has a page form.
ACTION_PAGES = {
    "accept": ActionPage(
        _plain(NoteForm),
        lambda actor, s, d, f: services.suggestion_accept(
            actor=actor, suggestion=s, note=d["note"]
        ),
        gettext_lazy("已受理。"),
    ),
    "reject": ActionPage(
        _plain(RejectForm),
        lambda actor, s, d, f: services.suggestion_reject(
            actor=actor, suggestion=s, reason=d["reason"], note=d["note"]
        ),
        gettext_lazy("已作不予受理处理。"),
    ),
    "answer": ActionPage(
        _plain(AnswerForm),
        lambda actor, s, d, f: services.suggestion_answer_on_spot(
            actor=actor, suggestion=s, text=d["text"]
        ),
        gettext_lazy("已记录当场答复。"),
    ),
    "handle": ActionPage(
        _plain(NoteForm),
        lambda actor, s, d, f: services.suggestion_handle_locally(
            actor=actor, suggestion=s, note=d["note"]
        ),
        gettext_lazy("已转为自行办理。"),
    ),
    "assign": ActionPage(
        _assign_form,
        lambda actor, s, d, f: services.suggestion_assign(
            actor=actor,
            suggestion=s,
            lead_unit=d["lead_unit"],
            co_units=list(d["co_units"]),
            note=d["note"],
        ),
        gettext_lazy("已交办。"),
    ),
    "merge": ActionPage(
        _merge_form,
        lambda actor, s, d, f: services.suggestion_merge(
            actor=actor, duplicate=s, survivor=f.survivor
        ),
        gettext_lazy("已合并。"),
    ),
    "extend": ActionPage(
        _plain(ExtensionRequestForm),
        lambda actor, s, d, f: services.extension_request(
            actor=actor, suggestion=s, days=d["days"], reason=d["reason"]
        ),
        gettext_lazy("延期申请已提交，等待审批。"),
    ),
    "reply": ActionPage(
        _reply_form,
        lambda actor, s, d, f: services.suggestion_reply(
            actor=actor, suggestion=s, text=d["text"], attachments=d["attachments"]
        ),
        gettext_lazy("已答复。"),
    ),
    "follow_up": ActionPage(
        _plain(FollowUpForm),
        lambda actor, s, d, f: services.suggestion_follow_up(
            actor=actor, suggestion=s, satisfaction=d["satisfaction"], note=d["note"]
        ),
        gettext_lazy("已记录回访结果。"),
    ),
}


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
    if parse_id(chosen) is not None:
        template = templates.filter(pk=parse_id(chosen)).first()
        initial_text = template.body if template else ""
        initial_text = {"template": chosen, "text": initial_text} if initial_text else None

    offered = {name: getattr(actions, name) for name in ACTION_PAGES}
    forms = {
        name: bound.get(name) or page.form(request, suggestion, None, templates, initial_text)
        if offered[name]
        else None
        for name, page in ACTION_PAGES.items()
    }
    forms["decide"] = (
        bound.get("decide") or ExtensionDecideForm() if actions.extension_decide else None
    )
    forms["return"] = bound.get("return") or ReturnForm() if actions.send_back else None
    # A refused action whose form is no longer offered (the state moved on, a limit
    # passed) still shows why it was refused.
    offered["return"] = bool(actions.send_back)
    offered["decide"] = actions.extension_decide is not None
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
        "masked_phone": phone_shown(request.user, constituent.phone) if constituent else "",
        "reveal_reasons": REVEAL_REASONS,
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
    """One POST endpoint per action of the workflow table (URL names = action names)."""
    suggestion = _get(request, suggestion_pk, for_write=True)
    page = ACTION_PAGES.get(action)
    if page is None:
        raise PermissionDenied
    templates = selectors.reply_templates_for(request.user, suggestion)
    form = page.form(request, suggestion, request, templates, None)
    return _run(
        request,
        suggestion,
        action,
        form,
        lambda data: page.call(request.user, suggestion, data, form),
        page.success,
    )


@login_required
@require_POST
def reveal(request, suggestion_pk: int):
    """Show the citizen's full phone number once; the look is audited."""
    suggestion = _get(request, suggestion_pk)
    try:
        phone = services.constituent_reveal_phone(
            actor=request.user, suggestion=suggestion, reason=request.POST.get("reason", "")
        )
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
    if not can.can_manage_region(request.user, unit.region):
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
    state = request.GET.get("state", "")
    state = state if state in selectors.UNIT_QUEUE_STATES else ""
    rows = selectors.unit_queue(request.user, unit, done=done, state=state)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    clerks = unit_clerk_assignments(unit)
    return render(
        request,
        "suggestions/unit_detail.html",
        {
            "unit": unit,
            "page": page,
            "done": done,
            "state": state,
            "clerks": clerks,
            "can_manage": can.can_manage_region(request.user, unit.region),
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
                actor=request.user, constituent=constituent, reason=request.POST.get("reason", "")
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
            "masked_phone": phone_shown(request.user, constituent.phone),
            "reveal_reasons": REVEAL_REASONS,
            "revealed_phone": revealed,
            "may_reveal": can.can_reveal_constituent(request.user, constituent),
        },
    )
