"""Home visits (走访选民): list, log, detail, correct."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import render
from django.utils.translation import gettext as _

from audit.services import history_of
from core import clock
from core.params import parse_id
from deputies.models import Deputy
from tenancy.access import access_object, can_write

from ..forms import (
    VisitForm,
    new_form_token,
)
from ..models import (
    Visit,
)
from ..permissions import can_edit_entry
from ..services import (
    own_deputy,
    visit_log,
    visit_update,
)
from .log import visible_suggestions
from .registers import (
    LOG_PAGE_SIZE,
    EntryFlow,
    already_saved,
    date_param,
    raised_rows,
    require_register_reader,
    saved,
)

# --- Visits and contact households --------------------------------------------------------


def _writable_deputies(user):
    return (
        Deputy.objects.visible_to(user, for_write=True)
        .filter(status=Deputy.Status.ACTIVE)
        .order_by("name", "pk")
    )


@login_required
def visit_list(request):
    require_register_reader(request.user)
    visits = (
        Visit.objects.visible_to(request.user)
        .select_related("deputy")
        .annotate(
            household_count=Count("households", distinct=True),
            suggestion_count=Count("suggestions", distinct=True),
        )
        .order_by("-date", "-pk")
    )
    query = request.GET.get("q", "").strip()
    if query:
        visits = visits.filter(deputy__name__contains=query)
    start, end = date_param(request.GET.get("start")), date_param(request.GET.get("end"))
    if start:
        visits = visits.filter(date__gte=start)
    if end:
        visits = visits.filter(date__lte=end)
    page = Paginator(visits, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "receptions/visit_list.html",
        {
            "page": page,
            "q": query,
            "start": start,
            "end": end,
            "can_log": _writable_deputies(request.user).exists(),
            "tab": "visits",
        },
    )


@login_required
def visit_new(request):
    """Log a home visit: the deputy, the households visited (or a place), suggestions raised."""
    deputies = _writable_deputies(request.user)
    if not deputies.exists():
        raise PermissionDenied
    if existing := already_saved(Visit, request):
        return saved(
            request, _("这次走访已经保存。"), "receptions:visit_detail", visit_pk=existing.pk
        )
    me = own_deputy(request.user)
    picked = request.POST.get("deputy") or request.GET.get("deputy") or ""
    deputy = deputies.filter(pk=parse_id(picked)).first() if parse_id(picked) else None
    if deputy is None and me is not None:
        deputy = deputies.filter(pk=me.pk).first()
    if deputy is None and len(choices := list(deputies[:2])) == 1:
        deputy = choices[0]
    flow = EntryFlow(request, refresh=lambda data: data.setlist("households", []))
    initial = {"deputy": deputy, "date": clock.today(), "form_token": new_form_token()}
    form = VisitForm(
        flow.data,
        deputies=deputies,
        deputy=deputy,
        fixed_deputy=me is not None and deputies.count() == 1,
        initial=initial,
    )
    rows = raised_rows(flow.data, deputies=None, show_deputy=False)

    def save(values, raised):
        visit, created = visit_log(
            actor=request.user,
            form_token=values["form_token"],
            deputy=values["deputy"],
            date=values["date"],
            households=values["households"],
            place=values["place"],
            notes=values["notes"],
            raised=raised,
        )
        message = _("走访已登记，%(n)s条意见建议已转入办理。") % {"n": visit.suggestions.count()}
        return saved(
            request, message if created else None, "receptions:visit_detail", visit_pk=visit.pk
        )

    return flow.submit(form, rows, save) or render(
        request,
        "receptions/visit_form.html",
        {
            "form": form,
            "raised": rows,
            "deputy": deputy,
            "quiet": flow.quiet,
            "added": flow.added,
            "visit": None,
            "tab": "visits",
        },
    )


@login_required
def visit_detail(request, visit_pk: int):
    visit = access_object(
        Visit.objects.select_related("deputy", "recorded_by"), request.user, visit_pk
    )
    suggestions = list(visit.suggestions.select_related("constituent", "deputy").order_by("pk"))
    return render(
        request,
        "receptions/visit_detail.html",
        {
            "visit": visit,
            "households": visit.households.select_related("constituent"),
            "suggestions": suggestions,
            "openable": visible_suggestions(request.user, suggestions),
            "can_edit": can_write(request.user, visit) and can_edit_entry(request.user, visit),
            "history": history_of(visit)[:50],
            "tab": "visits",
        },
    )


@login_required
def visit_edit(request, visit_pk: int):
    visit = access_object(
        Visit.objects.select_related("deputy"), request.user, visit_pk, for_write=True
    )
    if not can_edit_entry(request.user, visit):
        raise PermissionDenied
    flow = EntryFlow(request)
    initial = {
        "deputy": visit.deputy,
        "date": visit.date,
        "households": list(visit.households.all()),
        "place": visit.place,
        "notes": visit.notes,
        "form_token": visit.form_token,
    }
    form = VisitForm(
        flow.data,
        deputies=Deputy.objects.filter(pk=visit.deputy_id),
        deputy=visit.deputy,
        fixed_deputy=True,
        initial=initial,
    )

    def save(values, _raised):
        visit_update(
            actor=request.user,
            visit=visit,
            date=values["date"],
            households=values["households"],
            place=values["place"],
            notes=values["notes"],
        )
        return saved(request, _("走访登记已修改。"), "receptions:visit_detail", visit_pk=visit.pk)

    return flow.submit(form, None, save) or render(
        request,
        "receptions/visit_form.html",
        {"form": form, "raised": None, "deputy": visit.deputy, "visit": visit, "tab": "visits"},
    )
