"""Station activities (联络站活动) with their photos."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.services import history_of
from core import clock
from core.files import private_file_response
from core.forms import add_service_errors as _add_errors
from core.params import parse_id
from stations.models import Station
from tenancy.access import access_object, can_write

from ..forms import (
    ActivityForm,
)
from ..models import (
    ActivityKind,
    ActivityPhoto,
    StationActivity,
)
from ..permissions import can_edit_entry
from ..services import (
    activity_create,
    activity_update,
)
from ..services import activity_photo_delete as activity_photo_delete_service
from .registers import (
    LOG_PAGE_SIZE,
    require_register_reader,
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
    require_register_reader(request.user)
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
    if (station_pk := parse_id(request.GET.get("station"))) is not None:
        selected = stations.filter(pk=station_pk).first()
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
    station = stations.filter(pk=parse_id(picked)).first() if parse_id(picked) else None
    if station is None and len(choices := list(stations[:2])) == 1:
        station = choices[0]
    data = request.POST if request.method == "POST" else None
    quiet = data is not None and "refresh" in data
    initial = {"station": station, "date": clock.today()}
    form = ActivityForm(
        data, request.FILES or None, stations=stations, station=station, initial=initial
    )
    if quiet:
        quiet(form)
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
            "can_edit": can_write(request.user, activity)
            and can_edit_entry(request.user, activity),
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
    if not can_edit_entry(request.user, activity):
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
    return private_file_response(photo.image)


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
