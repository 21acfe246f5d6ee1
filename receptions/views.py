import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.forms import BaseFormSet
from django.forms.utils import ErrorDict
from django.http import FileResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from audit.services import history_of
from core import clock
from core.forms import add_service_errors as _add_errors
from deputies.models import Deputy
from stations.models import Station
from tenancy.access import access_object, can_write
from tenancy.scope import scope_of

from .forms import (
    ActivityForm,
    ExceptionForm,
    HouseholdEditForm,
    HouseholdForm,
    RaisedSuggestionFormSet,
    ReceptionEditForm,
    ReceptionForm,
    RuleForm,
    VisitForm,
    new_form_token,
)
from .models import (
    ActivityKind,
    ActivityPhoto,
    ContactHousehold,
    Reception,
    ReceptionException,
    ReceptionRule,
    StationActivity,
    Visit,
)
from .selectors import duty_days_between, reception_days_between, upcoming_reception_days
from .services import (
    MAX_RAISED,
    activity_create,
    activity_update,
    household_add,
    household_update,
    loggable_stations,
    may_edit_log,
    own_deputy,
    reception_exception_delete,
    reception_exception_save,
    reception_log,
    reception_rule_create,
    reception_rule_set_active,
    reception_rule_update,
    reception_update,
    visit_log,
    visit_update,
)
from .services import activity_photo_delete as activity_photo_delete_service

SCHEDULE_ROLES = (
    Role.CITY_STAFF,
    Role.COUNTY_STAFF,
    Role.TOWNSHIP_STAFF,
    Role.SYSADMIN,
    Role.LEADER,
    Role.STATION_OFFICER,
    Role.DEPUTY,
)
DAYS_PER_PAGE = 100


def _month_param(request) -> datetime.date:
    try:
        year, month = (int(part) for part in request.GET.get("month", "").split("-"))
        return datetime.date(year, month, 1)
    except (TypeError, ValueError):
        return clock.today().replace(day=1)


def _shift_month(first: datetime.date, months: int) -> datetime.date:
    index = first.year * 12 + first.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@login_required
def schedule(request):
    """The month's reception days: of the stations the user sees, or a deputy's own duty."""
    if not scope_of(request.user).has_role(*SCHEDULE_ROLES):
        raise PermissionDenied
    first = _month_param(request)
    last = _shift_month(first, 1) - datetime.timedelta(days=1)
    stations = Station.objects.visible_to(request.user)
    selected = None
    if request.GET.get("station", "").isdigit():
        selected = stations.filter(pk=int(request.GET["station"])).first()
    deputy = Deputy.objects.filter(user=request.user).first()
    if selected is not None:
        days = reception_days_between(stations.filter(pk=selected.pk), first, last)
    elif stations.exists():
        days = reception_days_between(stations, first, last)
    elif deputy is not None:
        days = duty_days_between(deputy, first, last)
    else:
        days = []
    page = Paginator(days, DAYS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "receptions/schedule.html",
        {
            "page": page,
            "month": first,
            "previous_month": _shift_month(first, -1),
            "next_month": _shift_month(first, 1),
            "this_month": clock.today().replace(day=1),
            "stations": stations.only("pk", "name").order_by("name"),
            "selected": selected,
            "deputy": deputy,
            "can_manage": selected is not None and can_write(request.user, selected),
        },
    )


@login_required
def station_rules(request, station_pk: int):
    station = access_object(Station, request.user, station_pk)
    rules = station.reception_rules.prefetch_related("deputies").order_by("-active", "pk")
    today = clock.today()
    exceptions = (
        ReceptionException.objects.filter(rule__station=station, date__gte=today)
        .select_related("rule")
        .prefetch_related("deputies")
    )
    return render(
        request,
        "receptions/station_rules.html",
        {
            "station": station,
            "rules": rules,
            "exceptions": exceptions,
            "upcoming": upcoming_reception_days(station, limit=8, today=today),
            "can_manage": can_write(request.user, station),
        },
    )


def _rule_data(form) -> dict:
    return {name: form.cleaned_data[name] for name in form.fields}


@login_required
def rule_new(request, station_pk: int):
    station = access_object(Station, request.user, station_pk, for_write=True)
    initial = {"kind": ReceptionRule.Kind.MONTHLY, "valid_from": clock.today()}
    form = RuleForm(request.POST or None, actor=request.user, station=station, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            reception_rule_create(actor=request.user, station=station, **_rule_data(form))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("接待规则已添加。"))
            return redirect("receptions:station_rules", station_pk=station.pk)
    return render(
        request, "receptions/rule_form.html", {"form": form, "station": station, "rule": None}
    )


@login_required
def rule_edit(request, rule_pk: int):
    rule = access_object(
        ReceptionRule.objects.select_related("station"), request.user, rule_pk, for_write=True
    )
    current = list(rule.deputies.all())
    initial = {name: getattr(rule, name) for name in RuleForm.base_fields if name != "deputies"}
    initial["deputies"] = current
    form = RuleForm(
        request.POST or None,
        actor=request.user,
        station=rule.station,
        keep=current,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        try:
            reception_rule_update(actor=request.user, rule=rule, **_rule_data(form))
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("接待规则已保存。"))
            return redirect("receptions:station_rules", station_pk=rule.station_id)
    return render(
        request,
        "receptions/rule_form.html",
        {"form": form, "station": rule.station, "rule": rule},
    )


@login_required
@require_POST
def rule_toggle_active(request, rule_pk: int):
    rule = access_object(
        ReceptionRule.objects.select_related("station"), request.user, rule_pk, for_write=True
    )
    reception_rule_set_active(actor=request.user, rule=rule, active=not rule.active)
    messages.success(request, _("接待规则已启用。") if rule.active else _("接待规则已停用。"))
    return redirect("receptions:station_rules", station_pk=rule.station_id)


@login_required
def exception_new(request, rule_pk: int):
    rule = access_object(
        ReceptionRule.objects.select_related("station"), request.user, rule_pk, for_write=True
    )
    initial = {"date": request.GET.get("date")} if request.GET.get("date") else None
    form = ExceptionForm(
        request.POST or None, actor=request.user, station=rule.station, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            reception_exception_save(actor=request.user, rule=rule, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已保存当日调整。"))
            return redirect("receptions:station_rules", station_pk=rule.station_id)
    return render(request, "receptions/exception_form.html", {"form": form, "rule": rule})


@login_required
@require_POST
def exception_delete(request, exception_pk: int):
    exception = access_object(
        ReceptionException.objects.select_related("station"),
        request.user,
        exception_pk,
        for_write=True,
    )
    reception_exception_delete(actor=request.user, exception=exception)
    messages.success(request, _("已撤销当日调整。"))
    return redirect(
        reverse("receptions:station_rules", kwargs={"station_pk": exception.station_id})
    )


# --- The registers: reception log, visits, contact households, station activities ---

LOG_ROLES = (
    Role.CITY_STAFF,
    Role.COUNTY_STAFF,
    Role.TOWNSHIP_STAFF,
    Role.SYSADMIN,
    Role.LEADER,
    Role.STATION_OFFICER,
    Role.DEPUTY,
)
LOG_PAGE_SIZE = 30


def _require_log_role(user) -> None:
    if not scope_of(user).has_role(*LOG_ROLES):
        raise PermissionDenied


def _quiet(*forms) -> None:
    """Re-show bound forms without validating them (after "add a row" or a station change).

    Setting an empty error dict is how a bound form is told it has been checked;
    the typed values still show, and no field is marked as wrong.
    """
    for form in forms:
        if isinstance(form, BaseFormSet):
            form._errors, form._non_form_errors = [], form.error_class()
            _quiet(*form.forms)
        else:
            form._errors = ErrorDict()


def _with_extra_row(data: QueryDict, prefix: str) -> QueryDict:
    data = data.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, "1"))
    except ValueError:
        total = 1
    data[key] = str(min(max(total, 0) + 1, MAX_RAISED))
    return data


def _date_param(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value or "")
    except ValueError:
        return None


def _already_logged(model, request):
    """The entry a retried POST already made (same form token), if the user sees it."""
    token = request.POST.get("form_token", "")
    if not token:
        return None
    return model.objects.visible_to(request.user).filter(form_token=token).first()


def _raised_formset(data, *, deputies, show_deputy: bool):
    return RaisedSuggestionFormSet(
        data, prefix="raised", form_kwargs={"deputies": deputies, "show_deputy": show_deputy}
    )


def _on_duty(station: Station | None, day: datetime.date) -> list[int]:
    if station is None:
        return []
    days = reception_days_between(Station.objects.filter(pk=station.pk), day, day)
    return sorted({deputy.pk for each in days for deputy in each.deputies})


def _visible_suggestions(user, suggestions) -> set[int]:
    from suggestions.models import Suggestion

    ids = [s.pk for s in suggestions]
    return set(Suggestion.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


@login_required
def log_list(request):
    """The reception register: the entries the user may see, newest first."""
    _require_log_role(request.user)
    stations = Station.objects.visible_to(request.user).only("pk", "name").order_by("name")
    receptions = (
        Reception.objects.visible_to(request.user)
        .select_related("station")
        .prefetch_related(Prefetch("deputies", queryset=Deputy.objects.only("pk", "name")))
        .annotate(suggestion_count=Count("suggestions"))
        .order_by("-date", "-pk")
    )
    selected = None
    if request.GET.get("station", "").isdigit():
        selected = stations.filter(pk=int(request.GET["station"])).first()
        if selected is not None:
            receptions = receptions.filter(station=selected)
    start, end = _date_param(request.GET.get("start")), _date_param(request.GET.get("end"))
    if start:
        receptions = receptions.filter(date__gte=start)
    if end:
        receptions = receptions.filter(date__lte=end)
    page = Paginator(receptions, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "receptions/log_list.html",
        {
            "page": page,
            "stations": stations,
            "selected": selected,
            "start": start,
            "end": end,
            "can_log": loggable_stations(request.user).exists(),
            "tab": "log",
        },
    )


@login_required
def log_new(request):
    """Log a reception from a phone: header, deputies present, each suggestion a row."""
    stations = loggable_stations(request.user)
    if not stations.exists():
        raise PermissionDenied
    if request.method == "POST" and (existing := _already_logged(Reception, request)):
        messages.info(request, _("这次接待已经保存。"))
        return redirect("receptions:log_detail", reception_pk=existing.pk)
    picked = request.POST.get("station") or request.GET.get("station") or ""
    station = stations.filter(pk=int(picked)).first() if picked.isdigit() else None
    if station is None and len(choices := list(stations[:2])) == 1:
        station = choices[0]
    me = own_deputy(request.user)
    today = clock.today()
    # "补登" links from the missed-duty page bring the day to log.
    day = _date_param(request.GET.get("date"))
    day = day if day is not None and day <= today else today
    on_duty = sorted({*_on_duty(station, day), *([me.pk] if me else [])})
    data, quiet = None, False
    if request.method == "POST":
        data = request.POST
        if "add_suggestion" in data:
            data, quiet = _with_extra_row(data, "raised"), True
        elif "refresh" in data:
            data, quiet = data.copy(), True
            data.setlist("deputies", [str(pk) for pk in on_duty])
    initial = {
        "station": station,
        "date": day,
        "people_count": 1,
        "deputies": on_duty,
        "form_token": new_form_token(),
    }
    form = ReceptionForm(data, stations=stations, station=station, initial=initial)
    raised = _raised_formset(
        data, deputies=form.fields["deputies"].queryset, show_deputy=me is None
    )
    if quiet:
        _quiet(form, raised)
    elif data is not None and form.is_valid() and raised.is_valid():
        values = form.cleaned_data
        try:
            reception, created = reception_log(
                actor=request.user,
                form_token=values["form_token"],
                station=values["station"],
                date=values["date"],
                deputies=values["deputies"],
                people_count=values["people_count"],
                notes=values["notes"],
                raised=raised.raised(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if created:
                messages.success(
                    request,
                    _("接待已登记，%(n)s条意见建议已转入办理。")
                    % {"n": reception.suggestions.count()},
                )
            return redirect("receptions:log_detail", reception_pk=reception.pk)
    return render(
        request,
        "receptions/log_form.html",
        {
            "form": form,
            "raised": raised,
            "station": station,
            "quiet": quiet,
            "added": "add_suggestion" in request.POST,
            "reception": None,
            "tab": "log",
        },
    )


@login_required
def log_detail(request, reception_pk: int):
    reception = access_object(
        Reception.objects.select_related("station", "recorded_by", "rule"),
        request.user,
        reception_pk,
    )
    suggestions = list(reception.suggestions.select_related("constituent", "deputy").order_by("pk"))
    return render(
        request,
        "receptions/log_detail.html",
        {
            "reception": reception,
            "deputies": reception.deputies.order_by("name"),
            "suggestions": suggestions,
            "openable": _visible_suggestions(request.user, suggestions),
            "can_edit": can_write(request.user, reception)
            and may_edit_log(request.user, reception),
            "history": history_of(reception)[:50],
            "tab": "log",
        },
    )


@login_required
def log_edit(request, reception_pk: int):
    reception = access_object(
        Reception.objects.select_related("station", "station__region"),
        request.user,
        reception_pk,
        for_write=True,
    )
    if not may_edit_log(request.user, reception):
        raise PermissionDenied
    current = list(reception.deputies.all())
    me = own_deputy(request.user)
    data = request.POST if request.method == "POST" else None
    quiet = False
    if data is not None and "add_suggestion" in data:
        data, quiet = _with_extra_row(data, "raised"), True
    initial = {
        "station": reception.station,
        "date": reception.date,
        "people_count": reception.people_count,
        "notes": reception.notes,
        "deputies": [d.pk for d in current],
        "form_token": new_form_token(),
    }
    form = ReceptionEditForm(
        data,
        stations=Station.objects.filter(pk=reception.station_id),
        station=reception.station,
        keep=current,
        initial=initial,
    )
    raised = RaisedSuggestionFormSet(
        data,
        prefix="raised",
        initial=None,
        form_kwargs={"deputies": form.fields["deputies"].queryset, "show_deputy": me is None},
    )
    if data is None:
        # Corrections rarely add suggestions: start with no empty row.
        raised.extra = 0
    if quiet:
        _quiet(form, raised)
    elif data is not None and form.is_valid() and raised.is_valid():
        values = form.cleaned_data
        try:
            reception_update(
                actor=request.user,
                reception=reception,
                date=values["date"],
                deputies=values["deputies"],
                people_count=values["people_count"],
                notes=values["notes"],
                raised=raised.raised(),
                edit_token=values["form_token"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("接待登记已修改。"))
            return redirect("receptions:log_detail", reception_pk=reception.pk)
    return render(
        request,
        "receptions/log_form.html",
        {
            "form": form,
            "raised": raised,
            "station": reception.station,
            "quiet": quiet,
            "added": quiet,
            "reception": reception,
            "tab": "log",
        },
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
    _require_log_role(request.user)
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
    start, end = _date_param(request.GET.get("start")), _date_param(request.GET.get("end"))
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
    if request.method == "POST" and (existing := _already_logged(Visit, request)):
        messages.info(request, _("这次走访已经保存。"))
        return redirect("receptions:visit_detail", visit_pk=existing.pk)
    me = own_deputy(request.user)
    picked = request.POST.get("deputy") or request.GET.get("deputy") or ""
    deputy = deputies.filter(pk=int(picked)).first() if picked.isdigit() else None
    if deputy is None and me is not None:
        deputy = deputies.filter(pk=me.pk).first()
    if deputy is None and len(choices := list(deputies[:2])) == 1:
        deputy = choices[0]
    data, quiet = None, False
    if request.method == "POST":
        data = request.POST
        if "add_suggestion" in data:
            data, quiet = _with_extra_row(data, "raised"), True
        elif "refresh" in data:
            data, quiet = data.copy(), True
            data.setlist("households", [])
    initial = {"deputy": deputy, "date": clock.today(), "form_token": new_form_token()}
    form = VisitForm(
        data,
        deputies=deputies,
        deputy=deputy,
        fixed_deputy=me is not None and deputies.count() == 1,
        initial=initial,
    )
    raised = _raised_formset(data, deputies=None, show_deputy=False)
    if quiet:
        _quiet(form, raised)
    elif data is not None and form.is_valid() and raised.is_valid():
        values = form.cleaned_data
        try:
            visit, created = visit_log(
                actor=request.user,
                form_token=values["form_token"],
                deputy=values["deputy"],
                date=values["date"],
                households=values["households"],
                place=values["place"],
                notes=values["notes"],
                raised=raised.raised(),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            if created:
                messages.success(
                    request,
                    _("走访已登记，%(n)s条意见建议已转入办理。") % {"n": visit.suggestions.count()},
                )
            return redirect("receptions:visit_detail", visit_pk=visit.pk)
    return render(
        request,
        "receptions/visit_form.html",
        {
            "form": form,
            "raised": raised,
            "deputy": deputy,
            "quiet": quiet,
            "added": "add_suggestion" in request.POST,
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
            "openable": _visible_suggestions(request.user, suggestions),
            "can_edit": can_write(request.user, visit) and may_edit_log(request.user, visit),
            "history": history_of(visit)[:50],
            "tab": "visits",
        },
    )


@login_required
def visit_edit(request, visit_pk: int):
    visit = access_object(
        Visit.objects.select_related("deputy"), request.user, visit_pk, for_write=True
    )
    if not may_edit_log(request.user, visit):
        raise PermissionDenied
    initial = {
        "deputy": visit.deputy,
        "date": visit.date,
        "households": list(visit.households.all()),
        "place": visit.place,
        "notes": visit.notes,
        "form_token": visit.form_token,
    }
    form = VisitForm(
        request.POST or None,
        deputies=Deputy.objects.filter(pk=visit.deputy_id),
        deputy=visit.deputy,
        fixed_deputy=True,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        values = form.cleaned_data
        try:
            visit_update(
                actor=request.user,
                visit=visit,
                date=values["date"],
                households=values["households"],
                place=values["place"],
                notes=values["notes"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("走访登记已修改。"))
            return redirect("receptions:visit_detail", visit_pk=visit.pk)
    return render(
        request,
        "receptions/visit_form.html",
        {"form": form, "raised": None, "deputy": visit.deputy, "visit": visit, "tab": "visits"},
    )


@login_required
def household_list(request):
    """Fixed contact households the user may see; a deputy goes to their own list."""
    _require_log_role(request.user)
    me = own_deputy(request.user)
    scope = scope_of(request.user)
    if me is not None and not (scope.read.region_paths or scope.read.station_ids):
        return redirect("receptions:deputy_households", deputy_pk=me.pk)
    households = (
        ContactHousehold.objects.visible_to(request.user)
        .select_related("deputy", "constituent")
        .annotate(visit_count=Count("visits"))
        .order_by("deputy__name", "deputy_id", "-active", "pk")
    )
    query = request.GET.get("q", "").strip()
    if query:
        households = households.filter(deputy__name__contains=query)
    page = Paginator(households, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "receptions/household_list.html",
        {
            "page": page,
            "q": query,
            "deputy": None,
            "full_phones": False,
            "tab": "households",
        },
    )


@login_required
def deputy_households(request, deputy_pk: int):
    deputy = access_object(Deputy, request.user, deputy_pk)
    households = (
        ContactHousehold.objects.visible_to(request.user)
        .filter(deputy=deputy)
        .select_related("deputy", "constituent")
        .annotate(visit_count=Count("visits"))
        .order_by("-active", "pk")
    )
    page = Paginator(households, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "receptions/household_list.html",
        {
            "page": page,
            "deputy": deputy,
            "active_count": households.filter(active=True).count(),
            "can_add": can_write(request.user, deputy),
            "full_phones": can_write(request.user, deputy),
            "tab": "households",
        },
    )


@login_required
def household_new(request, deputy_pk: int):
    deputy = access_object(Deputy, request.user, deputy_pk, for_write=True)
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            household_add(actor=request.user, deputy=deputy, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已添加固定联系户。"))
            if "again" in request.POST:
                return redirect("receptions:household_new", deputy_pk=deputy.pk)
            return redirect("receptions:deputy_households", deputy_pk=deputy.pk)
    return render(
        request,
        "receptions/household_form.html",
        {"form": form, "deputy": deputy, "household": None, "tab": "households"},
    )


@login_required
def household_edit(request, household_pk: int):
    household = access_object(
        ContactHousehold.objects.select_related("deputy", "constituent"),
        request.user,
        household_pk,
        for_write=True,
    )
    initial = {"address": household.address, "note": household.note, "active": household.active}
    form = HouseholdEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        household_update(actor=request.user, household=household, **form.cleaned_data)
        messages.success(request, _("联系户已保存。"))
        return redirect("receptions:deputy_households", deputy_pk=household.deputy_id)
    return render(
        request,
        "receptions/household_form.html",
        {
            "form": form,
            "deputy": household.deputy,
            "household": household,
            "history": history_of(household)[:20],
            "tab": "households",
        },
    )


# --- Station activities --------------------------------------------------------------------


def _writable_stations(user):
    return (
        Station.objects.visible_to(user, for_write=True)
        .filter(status=Station.Status.ACTIVE)
        .order_by("region_path", "name")
    )


@login_required
def activity_list(request):
    _require_log_role(request.user)
    stations = Station.objects.visible_to(request.user).only("pk", "name").order_by("name")
    activities = (
        StationActivity.objects.visible_to(request.user)
        .select_related("station")
        .annotate(
            deputy_count=Count("deputies", distinct=True),
            photo_count=Count("photos", distinct=True),
        )
        .order_by("-date", "-pk")
    )
    selected = None
    if request.GET.get("station", "").isdigit():
        selected = stations.filter(pk=int(request.GET["station"])).first()
        if selected is not None:
            activities = activities.filter(station=selected)
    kind = request.GET.get("kind", "")
    if kind in ActivityKind.values:
        activities = activities.filter(kind=kind)
    page = Paginator(activities, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "receptions/activity_list.html",
        {
            "page": page,
            "stations": stations,
            "selected": selected,
            "kinds": ActivityKind.choices,
            "kind": kind,
            "can_add": _writable_stations(request.user).exists(),
            "tab": "activities",
        },
    )


@login_required
def activity_new(request):
    stations = _writable_stations(request.user)
    if not stations.exists():
        raise PermissionDenied
    picked = request.POST.get("station") or request.GET.get("station") or ""
    station = stations.filter(pk=int(picked)).first() if picked.isdigit() else None
    if station is None and len(choices := list(stations[:2])) == 1:
        station = choices[0]
    data = request.POST if request.method == "POST" else None
    quiet = data is not None and "refresh" in data
    initial = {"station": station, "date": clock.today()}
    form = ActivityForm(
        data, request.FILES or None, stations=stations, station=station, initial=initial
    )
    if quiet:
        _quiet(form)
    elif data is not None and form.is_valid():
        try:
            activity = activity_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("活动已登记。"))
            return redirect("receptions:activity_detail", activity_pk=activity.pk)
    return render(
        request,
        "receptions/activity_form.html",
        {"form": form, "station": station, "quiet": quiet, "activity": None, "tab": "activities"},
    )


@login_required
def activity_detail(request, activity_pk: int):
    activity = access_object(
        StationActivity.objects.select_related("station", "recorded_by"),
        request.user,
        activity_pk,
    )
    return render(
        request,
        "receptions/activity_detail.html",
        {
            "activity": activity,
            "deputies": activity.deputies.order_by("name"),
            "photos": list(activity.photos.all()),
            "can_edit": can_write(request.user, activity) and may_edit_log(request.user, activity),
            "history": history_of(activity)[:50],
            "tab": "activities",
        },
    )


@login_required
def activity_edit(request, activity_pk: int):
    activity = access_object(
        StationActivity.objects.select_related("station"),
        request.user,
        activity_pk,
        for_write=True,
    )
    if not may_edit_log(request.user, activity):
        raise PermissionDenied
    current = list(activity.deputies.all())
    initial = {
        "station": activity.station,
        "kind": activity.kind,
        "title": activity.title,
        "date": activity.date,
        "deputies": [d.pk for d in current],
        "other_attendees": activity.other_attendees,
        "notes": activity.notes,
    }
    form = ActivityForm(
        request.POST or None,
        request.FILES or None,
        stations=Station.objects.filter(pk=activity.station_id),
        station=activity.station,
        keep=current,
        fixed_station=True,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "station"}
        try:
            activity_update(actor=request.user, activity=activity, **values)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("活动已保存。"))
            return redirect("receptions:activity_detail", activity_pk=activity.pk)
    return render(
        request,
        "receptions/activity_form.html",
        {
            "form": form,
            "station": activity.station,
            "activity": activity,
            "photos": list(activity.photos.all()),
            "tab": "activities",
        },
    )


@login_required
def activity_photo(request, activity_photo_pk: int):
    """An activity photo, only for those who may see the activity (never a public URL)."""
    photo = access_object(ActivityPhoto, request.user, activity_photo_pk)
    response = FileResponse(photo.image.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=600"
    return response


@login_required
@require_POST
def activity_photo_delete(request, activity_photo_pk: int):
    photo = access_object(
        ActivityPhoto.objects.select_related("activity"),
        request.user,
        activity_photo_pk,
        for_write=True,
    )
    activity_photo_delete_service(actor=request.user, photo=photo)
    messages.success(request, _("照片已删除。"))
    return redirect("receptions:activity_edit", activity_pk=photo.activity_id)
