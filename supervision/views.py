"""督办 pages: the supervision queue, letters, supervising by hand, the schedules page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from suggestions.models import Suggestion
from tenancy.access import access_object

from . import permissions, selectors, services
from .forms import EscalateForm, QueueFilterForm
from .letters import supervision_letter_pdf
from .models import Supervision

PAGE_SIZE = 30


def _require_region_role(user) -> None:
    """Congress staff and leaders; units, stations and deputies have no supervision pages."""
    if not permissions.can_read_supervision_queue(user):
        raise PermissionDenied


@login_required
def queue(request):
    _require_region_role(request.user)
    form = QueueFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    rows = selectors.queue(
        request.user,
        state=filters.get("state") or selectors.OPEN,
        key_only=bool(filters.get("key")),
        level=filters.get("level") or "",
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for record in page:
        record.can_mark = permissions.can_mark_key_supervision(request.user, record)
        record.overdue_days = selectors.overdue_days(record)
    return render(request, "supervision/queue.html", {"page": page, "form": form})


@login_required
def letter(request, supervision_pk: int):
    """The 提醒督办函 as a PDF, rendered from the record each time (congress staff only:
    the tenancy rule grants these records to region roles alone)."""
    supervision = access_object(
        Supervision.objects.select_related(
            "region", "unit", "suggestion__region", "suggestion__station"
        ),
        request.user,
        supervision_pk,
    )
    response = HttpResponse(supervision_letter_pdf(supervision), content_type="application/pdf")
    code = supervision.suggestion.tracking_code if supervision.suggestion_id else "deadline"
    filename = f"supervision-{code}-{supervision.pk}.pdf"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@login_required
@require_POST
def mark_key(request, supervision_pk: int):
    supervision = access_object(
        Supervision.objects.select_related("region", "suggestion", "suggestion__region", "unit"),
        request.user,
        supervision_pk,
        for_write=True,
    )
    key = request.POST.get("key") == "1"
    supervision = services.supervision_mark_key(
        actor=request.user, supervision=supervision, key=key
    )
    if request.headers.get("HX-Request"):
        supervision.can_mark = True
        supervision.overdue_days = selectors.overdue_days(supervision)
        return render(request, "supervision/_row.html", {"record": supervision})
    messages.success(request, _("已列为重点督办。") if key else _("已取消重点督办。"))
    return redirect("supervision:queue")


@login_required
def escalate(request, suggestion_pk: int):
    """Supervise one suggestion by hand at the user's own level (人工督办)."""
    suggestion = access_object(
        Suggestion.objects.select_related("region"), request.user, suggestion_pk, for_write=True
    )
    if not permissions.can_escalate_suggestion(request.user, suggestion):
        raise PermissionDenied
    form = EscalateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.supervision_escalate(
                actor=request.user,
                suggestion=suggestion,
                note=form.cleaned_data["note"],
                key=form.cleaned_data["key"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None if not hasattr(error, "error_dict") else "note", message)
        else:
            messages.success(request, _("已督办，可在督办台账中打印提醒督办函。"))
            return redirect("suggestions:detail", suggestion_pk=suggestion.pk)
    return render(
        request,
        "supervision/escalate.html",
        {"suggestion": suggestion, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def schedules(request):
    """后台任务计划: periodic tasks, when each last ran, and the heartbeats (read only)."""
    if not permissions.can_see_schedules(request.user):
        raise PermissionDenied
    return render(
        request,
        "supervision/schedules.html",
        {
            "tasks": selectors.schedules(),
            "heartbeats": selectors.heartbeats(),
            "backlog": selectors.outbox_backlog(),
            "can_edit": request.user.is_superuser,
        },
    )
