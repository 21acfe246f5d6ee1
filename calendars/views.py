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
from tenancy.access import access_object

from .forms import OverrideForm, YearMarkForm
from .models import CalendarOverride
from .permissions import may_manage_calendar, may_write_region
from .selectors import (
    home_paths,
    missing_years_for,
    overrides_for_year,
    package_periods,
    year_marks,
    year_status,
)
from .services import (
    calendar_change_preview,
    calendar_override_delete,
    calendar_override_update,
    calendar_overrides_create,
    calendar_year_set_complete,
)
from .workdays import WorkingCalendar


def _require_manager(user) -> None:
    if not may_manage_calendar(user):
        raise PermissionDenied


def _year_param(request) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return clock.today().year
    return year if 2000 <= year <= 2100 else clock.today().year


def _list_url(year: int) -> str:
    return f"{reverse('calendars:holidays')}?year={year}"


@login_required
def holidays(request):
    _require_manager(request.user)
    year = _year_param(request)
    calendar = WorkingCalendar()
    path = (home_paths(request.user) or [""])[0]
    page = Paginator(overrides_for_year(request.user, year), 50).get_page(request.GET.get("page"))
    rows = [(row, may_write_region(request.user, row.region)) for row in page]
    status = year_status(year, path, calendar)
    return render(
        request,
        "calendars/holidays.html",
        {
            "year": year,
            "years": range(year - 2, year + 3),
            "status": status,
            "periods": package_periods(year),
            "page": page,
            "rows": rows,
            "marks": [
                (m, may_write_region(request.user, m.region))
                for m in year_marks(request.user, year)
            ],
            "missing_years": missing_years_for(request.user, calendar),
            "mark_form": YearMarkForm(actor=request.user, initial={"year": year, "complete": True}),
        },
    )


@login_required
def override_new(request):
    _require_manager(request.user)
    initial = {"date": request.GET.get("date")} if request.GET.get("date") else None
    form = OverrideForm(request.POST or None, actor=request.user, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data

        def write():
            return calendar_overrides_create(
                actor=request.user,
                start=data["date"],
                end=data["end"],
                kind=data["kind"],
                name=data["name"],
                region=data["region"],
            )

        try:
            if "preview" in request.POST:
                preview = calendar_change_preview(write)
            else:
                created = write()
                messages.success(request, _("已录入%(n)s天。") % {"n": len(created)})
                return redirect(_list_url(data["date"].year))
        except ValidationError as error:
            _add_errors(form, error)
    return render(
        request,
        "calendars/override_form.html",
        {"form": form, "override": None, "preview": preview},
    )


@login_required
def override_edit(request, override_pk: int):
    override = access_object(CalendarOverride, request.user, override_pk, for_write=True)
    _require_manager(request.user)
    initial = {f: getattr(override, f) for f in ("date", "kind", "name", "region")}
    form = OverrideForm(request.POST or None, actor=request.user, editing=True, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():

        def write():
            return calendar_override_update(
                actor=request.user, override=override, **form.cleaned_data
            )

        try:
            if "preview" in request.POST:
                preview = calendar_change_preview(write)
                override.refresh_from_db()
            else:
                write()
                messages.success(request, _("已保存。"))
                return redirect(_list_url(override.date.year))
        except ValidationError as error:
            _add_errors(form, error)
    # What deleting would move (on a copy: a delete forgets the instance's key).
    copy = CalendarOverride.objects.get(pk=override.pk)
    removal = calendar_change_preview(
        lambda: calendar_override_delete(actor=request.user, override=copy)
    )
    return render(
        request,
        "calendars/override_form.html",
        {"form": form, "override": override, "preview": preview, "removal": removal},
    )


@login_required
@require_POST
def override_delete(request, override_pk: int):
    override = access_object(CalendarOverride, request.user, override_pk, for_write=True)
    _require_manager(request.user)
    year = override.date.year
    calendar_override_delete(actor=request.user, override=override)
    messages.success(request, _("已删除。"))
    return redirect(_list_url(year))


@login_required
@require_POST
def year_mark(request):
    _require_manager(request.user)
    form = YearMarkForm(request.POST, actor=request.user)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        year = form.cleaned_data.get("year") or clock.today().year
        return redirect(_list_url(year))
    data = form.cleaned_data
    calendar_year_set_complete(
        actor=request.user, year=data["year"], region=data["region"], complete=data["complete"]
    )
    if data["complete"]:
        messages.success(
            request, _("已确认%(year)s年节假日数据录入完整。") % {"year": data["year"]}
        )
    else:
        messages.success(request, _("已撤销%(year)s年的完整确认。") % {"year": data["year"]})
    return redirect(_list_url(data["year"]))
