from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import AuditRecord
from audit.services import audit_record, history_of
from core.files import private_file_response
from core.forms import add_service_errors as _add_errors
from core.params import parse_id
from regions.models import Region
from tenancy.access import access_object, can_write
from tenancy.scope import root_paths, sees_only_own_record

from . import import_flow
from .filters import StationFilter
from .forms import (
    StandardItemForm,
    StationForm,
    StationRateForm,
    StationStatusForm,
    WithdrawForm,
)
from .importing import STATION_COLUMNS, check_station_sheet, kind_names
from .models import StandardItem, Station, StationAssessment, StationAssessmentPhoto
from .permissions import is_staff_writer, require_staff_writer
from .selectors import (
    standard_checklist,
    standard_source,
    station_assessments,
    station_current_members,
    station_officers,
    station_points,
    stations_for,
)
from .services import (
    assessment_withdraw,
    standard_item_add,
    standard_item_set_active,
    standard_items_customise,
    standard_items_seed_defaults,
    station_create,
    station_rate,
    station_set_status,
    station_update,
    stations_import,
)
from .spreadsheets import Column, workbook_bytes, xlsx_response

PAGE_SIZE = 25


def _require_station_reader(user) -> None:
    if sees_only_own_record(user):
        raise PermissionDenied


def _filtered(request):
    filterset = StationFilter(
        request.GET or None, queryset=stations_for(request.user), request=request
    )
    return filterset, filterset.qs


@login_required
def station_list(request):
    _require_station_reader(request.user)
    filterset, stations = _filtered(request)
    page = Paginator(stations, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "stations/station_list.html",
        {
            "filter": filterset,
            "page": page,
            "can_edit": is_staff_writer(request.user),
        },
    )


@login_required
def station_new(request):
    require_staff_writer(request.user)
    initial = {}
    if (parent := parse_id(request.GET.get("parent"))) is not None:
        initial = {"parent": parent, "kind": Station.Kind.VILLAGE_POINT}
    form = StationForm(request.POST or None, actor=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            station = station_create(
                actor=request.user, **{f: form.cleaned_data[f] for f in StationForm.Meta.fields}
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("联络站点“%(name)s”已创建。") % {"name": station.name})
            return redirect("stations:detail", station_pk=station.pk)
    return render(request, "stations/station_form.html", {"form": form})


@login_required
def station_detail(request, station_pk: int):
    station = access_object(stations_for(request.user), request.user, station_pk)
    writable = is_staff_writer(request.user) and can_write(request.user, station)
    return render(
        request,
        "stations/station_detail.html",
        {
            "station": station,
            "officers": station_officers(station),
            "points": station_points(station),
            "members": station_current_members(station),
            "assessments": station_assessments(station)[:3],
            "can_edit": writable,
            # A station's number is published (public page, placard): shown as it is.
            "phone": station.phone,
            "history": history_of(station)[:50],
        },
    )


@login_required
def station_edit(request, station_pk: int):
    station = access_object(Station, request.user, station_pk, for_write=True)
    require_staff_writer(request.user)
    form = StationForm(request.POST or None, instance=station, actor=request.user)
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in StationForm.Meta.fields}
        station.refresh_from_db()  # the form wrote into the instance; compare with the stored row
        try:
            station_update(actor=request.user, station=station, **changes)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("stations:detail", station_pk=station.pk)
    return render(request, "stations/station_form.html", {"form": form, "station": station})


@login_required
@require_POST
def station_status(request, station_pk: int):
    station = access_object(Station, request.user, station_pk, for_write=True)
    require_staff_writer(request.user)
    form = StationStatusForm(request.POST)
    if form.is_valid():
        station_set_status(actor=request.user, station=station, status=form.cleaned_data["status"])
        if station.status == Station.Status.SUSPENDED:
            messages.success(request, _("联络站点已暂停。"))
        else:
            messages.success(request, _("联络站点已恢复运行。"))
    return redirect("stations:detail", station_pk=station.pk)


@login_required
def station_rate_view(request, station_pk: int):
    station = access_object(Station, request.user, station_pk, for_write=True)
    require_staff_writer(request.user)
    checklist = standard_items_seed_defaults(region=station.region)
    form = StationRateForm(request.POST or None, request.FILES or None, checklist=checklist)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            station_rate(
                actor=request.user,
                station=station,
                assessed_on=data["assessed_on"],
                stars=data["stars"],
                notes=data["notes"],
                items_met=data["items_met"],
                photos=data["photos"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("星级评定已保存。"))
            return redirect("stations:assessments", station_pk=station.pk)
    return render(
        request,
        "stations/station_rate.html",
        {"station": station, "form": form, "source": standard_source(station.region)},
    )


@login_required
def assessment_list(request, station_pk: int):
    station = access_object(Station, request.user, station_pk)
    return render(
        request,
        "stations/assessment_list.html",
        {
            "station": station,
            "assessments": station_assessments(station),
            "can_edit": is_staff_writer(request.user) and can_write(request.user, station),
        },
    )


@login_required
def assessment_withdraw_view(request, assessment_pk: int):
    assessment = access_object(
        StationAssessment.objects.select_related("station"),
        request.user,
        assessment_pk,
        for_write=request.method == "POST",
    )
    form = WithdrawForm(request.POST or None)
    if request.method == "POST":
        require_staff_writer(request.user)
        if form.is_valid():
            try:
                assessment_withdraw(
                    actor=request.user, assessment=assessment, reason=form.cleaned_data["reason"]
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("该次评定已撤销。"))
                return redirect("stations:assessments", station_pk=assessment.station_id)
    return render(
        request, "stations/assessment_withdraw.html", {"assessment": assessment, "form": form}
    )


# --- Standards (checklist per region) --------------------------------------------


@login_required
def standards_home(request):
    roots = root_paths(request.user)
    if roots is None:
        root = Region.objects.filter(parent__isnull=True).order_by("code").first()
    elif roots:
        root = Region.objects.filter(path=roots[0]).first()
    else:
        raise PermissionDenied
    if root is None:
        raise PermissionDenied
    return redirect("stations:standards", region_code=root.code)


@login_required
def standards(request, region_code: str):
    region = access_object(
        Region, request.user, region_code, field="code", for_write=request.method == "POST"
    )
    form = StandardItemForm()
    if request.method == "POST":
        require_staff_writer(request.user)
        action = request.POST.get("action")
        if action == "customise":
            standard_items_customise(actor=request.user, region=region)
            messages.success(request, _("已为本区划单独设置标准，可在下方增减。"))
            return redirect("stations:standards", region_code=region.code)
        if action == "toggle":
            item = access_object(
                StandardItem.objects.filter(region=region),
                request.user,
                request.POST.get("item"),
                for_write=True,
            )
            standard_item_set_active(actor=request.user, item=item, active=not item.active)
            return redirect("stations:standards", region_code=region.code)
        form = StandardItemForm(request.POST)
        if form.is_valid():
            standard_item_add(
                actor=request.user,
                region=region,
                text=form.cleaned_data["text"],
                order=form.cleaned_data["order"],
            )
            messages.success(request, _("已添加。"))
            return redirect("stations:standards", region_code=region.code)
    standard_items_seed_defaults(region=region)
    source = standard_source(region)
    own = source is not None and source.pk == region.pk
    return render(
        request,
        "stations/standards.html",
        {
            "region": region,
            "source": source,
            "own": own,
            "items": standard_checklist(region, include_inactive=own),
            "form": form,
            "can_edit": is_staff_writer(request.user) and can_write(request.user, region),
        },
    )


# --- Spreadsheets -----------------------------------------------------------------

IMPORT_SPEC = import_flow.ImportSpec(
    key="stations",
    title=_("批量导入联络站点"),
    columns=STATION_COLUMNS,
    check=check_station_sheet,
    run=stations_import,
    list_url=reverse_lazy("stations:list"),
    upload_url=reverse_lazy("stations:import"),
    confirm_url=reverse_lazy("stations:import_confirm"),
    template_url=reverse_lazy("stations:import_template"),
)


@login_required
def station_import(request):
    return import_flow.upload(request, IMPORT_SPEC)


@login_required
def station_import_confirm(request):
    return import_flow.confirm(request, IMPORT_SPEC)


@login_required
def station_import_template(request):
    require_staff_writer(request.user)
    notes = [
        ("名称", "必填。联络站或联络点的全称。"),
        ("类型", f"必填。可填：{kind_names()}；也可简写为“联络站”“联络点”。"),
        ("区划代码", "必填。12位统计用区划代码（乡镇街道9位），须在您的管辖范围内。"),
        ("所属联络站", "联络点填写所属联络站的名称（可以是本表中的联络站）；联络站留空。"),
        ("联系电话", "11位手机号或带区号的固定电话，如 0358-5622345。"),
        ("纬度/经度", "可选，小数形式。"),
    ]
    content = workbook_bytes(
        STATION_COLUMNS, [[c.example for c in STATION_COLUMNS]], title="联络站点", notes=notes
    )
    return xlsx_response(content, "联络站点导入模板.xlsx")


EXPORT_COLUMNS = [
    Column("名称", width=28),
    Column("类型", width=22),
    Column("所属联络站", width=24),
    Column("所属区划", width=14),
    Column("区划代码", width=14),
    Column("地址", width=30),
    Column("开放时间", width=28),
    Column("联系电话", width=16),
    Column("站长", width=10),
    Column("星级", width=8),
    Column("状态", width=8),
    Column("代表人数", width=10),
    Column("联络点数", width=10),
]


def export_region(user, filterset) -> Region | None:
    """The region an export is filed under in the audit trail: the filter's, else the user's."""
    if filterset.is_bound and filterset.is_valid() and filterset.form.cleaned_data.get("region"):
        return filterset.form.cleaned_data["region"]
    paths = root_paths(user) or ()
    return Region.objects.filter(path=paths[0]).first() if paths else None


@login_required
def station_export(request):
    _require_station_reader(request.user)
    filterset, stations = _filtered(request)
    rows = [
        [
            s.name,
            s.get_kind_display(),
            s.parent.name if s.parent else "",
            s.region.name,
            s.region.code,
            s.address,
            s.opening_hours,
            s.phone,  # published on the station's public page and placard
            s.head_name,
            s.stars or "",
            s.get_status_display(),
            s.deputy_count,
            s.point_count,
        ]
        for s in stations.iterator(chunk_size=2000)
    ]
    audit_record(
        actor=request.user,
        action=AuditRecord.Action.EXPORT,
        obj=export_region(request.user, filterset),
        changes={"rows": [None, len(rows)], "filters": [None, request.GET.urlencode()]},
        note=_("导出联络站点%(n)d条") % {"n": len(rows)},
    )
    return xlsx_response(workbook_bytes(EXPORT_COLUMNS, rows, title="联络站点"), "联络站点.xlsx")


@login_required
def assessment_photo(request, assessment_photo_pk: int):
    """An evidence photo, for whoever can see the assessed station."""
    photo = access_object(StationAssessmentPhoto, request.user, assessment_photo_pk)
    return private_file_response(photo.image)
