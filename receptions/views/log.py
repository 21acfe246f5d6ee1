"""The reception register (接待群众登记簿): list, log from a phone, detail, correct."""

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import render
from django.utils.translation import gettext as _

from audit.services import history_of
from core import clock
from core.params import parse_id
from deputies.models import Deputy
from regions.models import Region
from stations.models import Station
from tenancy.access import access_object, can_write

from ..forms import (
    ReceptionEditForm,
    ReceptionForm,
    new_form_token,
)
from ..models import (
    Reception,
)
from ..permissions import can_edit_entry
from ..selectors import reception_days_between
from ..services import (
    loggable_stations,
    own_deputy,
    reception_log,
    reception_update,
)
from .registers import (
    LOG_PAGE_SIZE,
    EntryFlow,
    already_saved,
    date_param,
    raised_rows,
    require_register_reader,
    saved,
)


def _on_duty(station: Station | None, day: datetime.date) -> list[int]:
    if station is None:
        return []
    days = reception_days_between(Station.objects.filter(pk=station.pk), day, day)
    return sorted({deputy.pk for each in days for deputy in each.deputies})


def visible_suggestions(user, suggestions) -> set[int]:
    """The raised suggestions the viewer may open (the others show without a link)."""
    from suggestions.models import Suggestion

    ids = [s.pk for s in suggestions]
    return set(Suggestion.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))


@login_required
def log_list(request):
    """The reception register: the entries the user may see, newest first."""
    require_register_reader(request.user)
    stations = Station.objects.visible_to(request.user).only("pk", "name").order_by("name")
    receptions = (
        Reception.objects.visible_to(request.user)
        .select_related("station")
        .prefetch_related(Prefetch("deputies", queryset=Deputy.objects.only("pk", "name")))
        .annotate(suggestion_count=Count("suggestions"))
        .order_by("-date", "-pk")
    )
    selected = None
    if (station_pk := parse_id(request.GET.get("station"))) is not None:
        selected = stations.filter(pk=station_pk).first()
        if selected is not None:
            receptions = receptions.filter(station=selected)
    region = None
    if request.GET.get("region", "").isdigit():
        # The dashboard's drill-down link: a region by its code, within what one may see.
        region = Region.objects.visible_to(request.user).filter(code=request.GET["region"]).first()
        receptions = (
            receptions.filter(region_path__startswith=region.path) if region else receptions.none()
        )
    start, end = date_param(request.GET.get("start")), date_param(request.GET.get("end"))
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
            "region": region,
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
    if existing := already_saved(Reception, request):
        return saved(
            request, _("这次接待已经保存。"), "receptions:log_detail", reception_pk=existing.pk
        )
    picked = request.POST.get("station") or request.GET.get("station") or ""
    station = stations.filter(pk=parse_id(picked)).first() if parse_id(picked) else None
    if station is None and len(choices := list(stations[:2])) == 1:
        station = choices[0]
    me = own_deputy(request.user)
    today = clock.today()
    # "补登" links from the missed-duty page bring the day to log.
    day = date_param(request.GET.get("date"))
    day = day if day is not None and day <= today else today
    on_duty = sorted({*_on_duty(station, day), *([me.pk] if me else [])})
    flow = EntryFlow(
        request, refresh=lambda data: data.setlist("deputies", [str(pk) for pk in on_duty])
    )
    initial = {
        "station": station,
        "date": day,
        "people_count": 1,
        "deputies": on_duty,
        "form_token": new_form_token(),
    }
    form = ReceptionForm(flow.data, stations=stations, station=station, initial=initial)
    rows = raised_rows(flow.data, deputies=form.fields["deputies"].queryset, show_deputy=me is None)

    def save(values, raised):
        reception, created = reception_log(
            actor=request.user,
            form_token=values["form_token"],
            station=values["station"],
            date=values["date"],
            deputies=values["deputies"],
            people_count=values["people_count"],
            notes=values["notes"],
            raised=raised,
        )
        message = _("接待已登记，%(n)s条意见建议已转入办理。") % {
            "n": reception.suggestions.count()
        }
        return saved(
            request,
            message if created else None,
            "receptions:log_detail",
            reception_pk=reception.pk,
        )

    return flow.submit(form, rows, save) or render(
        request,
        "receptions/log_form.html",
        {
            "form": form,
            "raised": rows,
            "station": station,
            "quiet": flow.quiet,
            "added": flow.added,
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
            "openable": visible_suggestions(request.user, suggestions),
            "can_edit": can_write(request.user, reception)
            and can_edit_entry(request.user, reception),
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
    if not can_edit_entry(request.user, reception):
        raise PermissionDenied
    current = list(reception.deputies.all())
    me = own_deputy(request.user)
    flow = EntryFlow(request)
    initial = {
        "station": reception.station,
        "date": reception.date,
        "people_count": reception.people_count,
        "notes": reception.notes,
        "deputies": [d.pk for d in current],
        "form_token": new_form_token(),
    }
    form = ReceptionEditForm(
        flow.data,
        stations=Station.objects.filter(pk=reception.station_id),
        station=reception.station,
        keep=current,
        initial=initial,
    )
    rows = raised_rows(
        flow.data,
        deputies=form.fields["deputies"].queryset,
        show_deputy=me is None,
        start_empty=True,  # corrections rarely add suggestions
    )

    def save(values, raised):
        reception_update(
            actor=request.user,
            reception=reception,
            date=values["date"],
            deputies=values["deputies"],
            people_count=values["people_count"],
            notes=values["notes"],
            raised=raised,
            edit_token=values["form_token"],
        )
        return saved(
            request, _("接待登记已修改。"), "receptions:log_detail", reception_pk=reception.pk
        )

    return flow.submit(form, rows, save) or render(
        request,
        "receptions/log_form.html",
        {
            "form": form,
            "raised": rows,
            "station": reception.station,
            "quiet": flow.quiet,
            "added": flow.quiet,
            "reception": reception,
            "tab": "log",
        },
    )
