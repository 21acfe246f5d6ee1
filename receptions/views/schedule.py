"""The reception schedule (接待日程): rules per station, exceptions, the month view."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import clock
from core.forms import add_service_errors as _add_errors
from stations.models import Station
from tenancy.access import access_object, can_write

from ..forms import (
    ExceptionForm,
    RuleForm,
)
from ..models import (
    ReceptionException,
    ReceptionRule,
)
from ..permissions import can_read_schedule
from ..selectors import schedule_days, upcoming_reception_days
from ..services import (
    reception_exception_delete,
    reception_exception_save,
    reception_rule_create,
    reception_rule_set_active,
    reception_rule_update,
)

DAYS_PER_PAGE = 100


def _shift_month(first: datetime.date, months: int) -> datetime.date:
    index = first.year * 12 + first.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


@login_required
def schedule(request):
    """The month's reception days: of the stations the user sees, or a deputy's own duty."""
    if not can_read_schedule(request.user):
        raise PermissionDenied
    stations = Station.objects.visible_to(request.user)
    days, first, last, is_range, selected, deputy = schedule_days(
        request.user, stations, request.GET, today=clock.today()
    )
    first_of_month = first.replace(day=1) if is_range else first
    page = Paginator(days, DAYS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "receptions/schedule.html",
        {
            "page": page,
            "month": first_of_month,
            "range": (first, last) if is_range else None,
            "previous_month": _shift_month(first_of_month, -1),
            "next_month": _shift_month(first_of_month, 1),
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
