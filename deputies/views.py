from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from audit.models import AuditRecord
from audit.services import audit_record, history_of
from core import phones
from core.files import private_file_response
from core.forms import add_service_errors as _add_errors
from core.services import phone_export_unmasked
from stations import import_flow
from stations.permissions import is_staff_writer, require_staff_writer
from stations.spreadsheets import Column, workbook_bytes, xlsx_response
from stations.views import export_region
from tenancy.access import access_object, can_write
from tenancy.scope import granted_ids, sees_only_own_record

from .filters import DeputyFilter
from .forms import DeputyForm, DeputyGroupForm, MembershipEndForm, MembershipForm
from .importing import DEPUTY_COLUMNS, check_deputy_sheet, level_names
from .models import Deputy, DeputyGroup, StationMembership
from .selectors import deputies_for, deputy_groups, deputy_memberships, groups_for
from .services import (
    DEPUTY_FIELDS,
    deputies_import,
    deputy_create,
    deputy_group_add_member,
    deputy_group_create,
    deputy_group_remove_member,
    deputy_group_update,
    deputy_update,
    station_membership_create,
    station_membership_end,
)

PAGE_SIZE = 30
FORM_FIELDS = list(DEPUTY_FIELDS)


def _filtered(request):
    filterset = DeputyFilter(
        request.GET or None, queryset=deputies_for(request.user), request=request
    )
    return filterset, filterset.qs


@login_required
def deputy_list(request):
    if sees_only_own_record(request.user):
        own = granted_ids(request.user, "deputy", for_write=False)
        if own:  # a deputy: their own record is their list
            return redirect("deputies:detail", deputy_pk=min(own))
        raise PermissionDenied
    filterset, deputies = _filtered(request)
    page = Paginator(deputies, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "deputies/deputy_list.html",
        {
            "filter": filterset,
            "page": page,
            "can_edit": is_staff_writer(request.user),
            "may_export_full": phones.may_export_full_phones(request.user),
            "reveal_reasons": phones.REVEAL_REASONS,
        },
    )


@login_required
def deputy_new(request):
    require_staff_writer(request.user)
    form = DeputyForm(request.POST or None, request.FILES or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            deputy = deputy_create(
                actor=request.user,
                photo=data["photo"] or None,
                **{f: data[f] for f in FORM_FIELDS},
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("代表“%(name)s”已登记。") % {"name": deputy.name})
            return redirect("deputies:detail", deputy_pk=deputy.pk)
    return render(request, "deputies/deputy_form.html", {"form": form})


@login_required
def deputy_detail(request, deputy_pk: int):
    deputy = access_object(Deputy.objects.select_related("region", "user"), request.user, deputy_pk)
    writable = is_staff_writer(request.user) and can_write(request.user, deputy)
    memberships = list(deputy_memberships(deputy))
    groups = list(deputy_groups(deputy))
    context = {
        "deputy": deputy,
        "current": [m for m in memberships if m.is_current],
        "past": [m for m in memberships if not m.is_current],
        "groups": groups,
        "can_edit": writable,
        "history": history_of(deputy)[:50],
    }
    if writable:
        context["membership_form"] = MembershipForm(actor=request.user)
        context["joinable_groups"] = (
            DeputyGroup.objects.visible_to(request.user, for_write=True)
            .exclude(pk__in=[g.pk for g in groups])
            .order_by("name")
        )
    return render(request, "deputies/deputy_detail.html", context)


@login_required
def deputy_edit(request, deputy_pk: int):
    deputy = access_object(Deputy, request.user, deputy_pk, for_write=True)
    require_staff_writer(request.user)
    form = DeputyForm(
        request.POST or None, request.FILES or None, instance=deputy, actor=request.user
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        deputy.refresh_from_db()  # the form wrote into the instance; compare with the stored row
        photo = data["photo"]
        try:
            deputy_update(
                actor=request.user,
                deputy=deputy,
                photo=False
                if photo is False
                else (photo if isinstance(photo, UploadedFile) else None),
                **{f: data[f] for f in FORM_FIELDS},
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("deputies:detail", deputy_pk=deputy.pk)
    return render(request, "deputies/deputy_form.html", {"form": form, "deputy": deputy})


@login_required
def membership_new(request, deputy_pk: int):
    deputy = access_object(Deputy, request.user, deputy_pk, for_write=request.method == "POST")
    require_staff_writer(request.user)
    form = MembershipForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            membership = station_membership_create(
                actor=request.user,
                deputy=deputy,
                station=form.cleaned_data["station"],
                start_date=form.cleaned_data["start_date"],
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request, _("已编入%(station)s。") % {"station": membership.station.name}
            )
            return redirect("deputies:detail", deputy_pk=deputy.pk)
    return render(request, "deputies/membership_form.html", {"deputy": deputy, "form": form})


@login_required
def membership_end(request, membership_pk: int):
    membership = access_object(
        StationMembership.objects.select_related("deputy", "station", "station__region"),
        request.user,
        membership_pk,
        for_write=request.method == "POST",
    )
    require_staff_writer(request.user)
    form = MembershipEndForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            station_membership_end(
                actor=request.user, membership=membership, end_date=form.cleaned_data["end_date"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已结束该代表在本站的编组。"))
            return redirect("deputies:detail", deputy_pk=membership.deputy_id)
    return render(request, "deputies/membership_end.html", {"membership": membership, "form": form})


@login_required
@require_POST
def deputy_join_group(request, deputy_pk: int):
    deputy = access_object(Deputy, request.user, deputy_pk, for_write=True)
    require_staff_writer(request.user)
    group = access_object(DeputyGroup, request.user, request.POST.get("group"), for_write=True)
    try:
        deputy_group_add_member(actor=request.user, group=group, deputy=deputy)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已加入%(group)s。") % {"group": group.name})
    return redirect("deputies:detail", deputy_pk=deputy.pk)


# --- Groups ---------------------------------------------------------------------------


@login_required
def group_list(request):
    if sees_only_own_record(request.user):
        raise PermissionDenied
    groups = (
        groups_for(request.user)
        .annotate(member_count=Count("members", distinct=True))
        .order_by("region_path", "name")
    )
    page = Paginator(groups, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "deputies/group_list.html",
        {"page": page, "can_edit": is_staff_writer(request.user)},
    )


@login_required
def group_new(request):
    require_staff_writer(request.user)
    form = DeputyGroupForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            group = deputy_group_create(
                actor=request.user, **{f: form.cleaned_data[f] for f in DeputyGroupForm.Meta.fields}
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("代表小组已创建。"))
            return redirect("deputies:group_detail", group_pk=group.pk)
    return render(request, "deputies/group_form.html", {"form": form})


@login_required
def group_detail(request, group_pk: int):
    group = access_object(groups_for(request.user), request.user, group_pk)
    members = group.members.select_related("region").order_by("name")
    return render(
        request,
        "deputies/group_detail.html",
        {
            "group": group,
            "members": members,
            "can_edit": is_staff_writer(request.user) and can_write(request.user, group),
            "history": history_of(group)[:50],
        },
    )


@login_required
def group_edit(request, group_pk: int):
    group = access_object(DeputyGroup, request.user, group_pk, for_write=True)
    require_staff_writer(request.user)
    form = DeputyGroupForm(request.POST or None, instance=group, actor=request.user)
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in DeputyGroupForm.Meta.fields}
        group.refresh_from_db()
        try:
            deputy_group_update(actor=request.user, group=group, **changes)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已保存。"))
            return redirect("deputies:group_detail", group_pk=group.pk)
    return render(request, "deputies/group_form.html", {"form": form, "group": group})


@login_required
@require_POST
def group_members(request, group_pk: int):
    """Add or remove one member; the form posting here says where to go back to."""
    group = access_object(DeputyGroup, request.user, group_pk, for_write=True)
    require_staff_writer(request.user)
    deputy = access_object(Deputy, request.user, request.POST.get("deputy"), for_write=True)
    try:
        if request.POST.get("action") == "remove":
            deputy_group_remove_member(actor=request.user, group=group, deputy=deputy)
            messages.success(request, _("已将%(name)s移出小组。") % {"name": deputy.name})
        else:
            deputy_group_add_member(actor=request.user, group=group, deputy=deputy)
            messages.success(request, _("已将%(name)s加入小组。") % {"name": deputy.name})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("deputies:group_detail", group_pk=group.pk)


# --- Spreadsheets -----------------------------------------------------------------

IMPORT_SPEC = import_flow.ImportSpec(
    key="deputies",
    title=_("批量导入人大代表"),
    columns=DEPUTY_COLUMNS,
    check=check_deputy_sheet,
    run=deputies_import,
    list_url=reverse_lazy("deputies:list"),
    upload_url=reverse_lazy("deputies:import"),
    confirm_url=reverse_lazy("deputies:import_confirm"),
    template_url=reverse_lazy("deputies:import_template"),
)


@login_required
def deputy_import(request):
    return import_flow.upload(request, IMPORT_SPEC)


@login_required
def deputy_import_confirm(request):
    return import_flow.confirm(request, IMPORT_SPEC)


@login_required
def deputy_import_template(request):
    require_staff_writer(request.user)
    notes = [
        ("姓名", "必填。"),
        ("性别", "填“男”或“女”，可空。"),
        ("代表层级", f"必填。可填：{level_names()}；也可简写为“全国”“省”“市”“县”“乡镇”。"),
        (
            "区划代码",
            "必填。代表所属（管理）的县区、乡镇街道或村社区的区划代码，须在您的管辖范围内。",
        ),
        ("手机号", "11位手机号，可空。姓名和手机号都相同的视为重复。"),
        ("所属联络站", "编组进站：填写联络站或联络点的名称，可空。"),
        ("进站日期", "编组进站的日期，如 2024-01-05；空则为导入当天。"),
    ]
    content = workbook_bytes(
        DEPUTY_COLUMNS, [[c.example for c in DEPUTY_COLUMNS]], title="人大代表", notes=notes
    )
    return xlsx_response(content, "人大代表导入模板.xlsx")


EXPORT_COLUMNS = [
    Column("姓名", width=10),
    Column("性别", width=6),
    Column("代表层级", width=16),
    Column("所属区划", width=14),
    Column("区划代码", width=14),
    Column("选区", width=18),
    Column("工作单位", width=22),
    Column("职务", width=14),
    Column("手机号", width=14),
    Column("专业领域", width=12),
    Column("党派", width=10),
    Column("届别", width=10),
    Column("状态", width=10),
    Column("所在联络站", width=30),
]


@login_required
def deputy_export(request):
    if sees_only_own_record(request.user):
        raise PermissionDenied
    filterset, deputies = _filtered(request)
    full = False
    if request.method == "POST":  # full numbers: a separate choice with a reason, audited
        try:
            phone_export_unmasked(
                actor=request.user,
                what=_("人大代表"),
                reason=request.POST.get("phone_reason", ""),
                obj=export_region(request.user, filterset),
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(f"{reverse_lazy('deputies:list')}?{request.GET.urlencode()}")
        full = True
    rows = [
        [
            d.name,
            d.get_gender_display(),
            d.get_level_display(),
            d.region.name,
            d.region.code,
            d.constituency,
            d.work_unit,
            d.position,
            d.phone if full else phones.shown(request.user, d.phone, public=d.phone_public),
            d.professional_field,
            d.party,
            d.term,
            d.get_status_display(),
            "、".join(m.station.name for m in d.current_memberships),
        ]
        for d in deputies
    ]
    audit_record(
        actor=request.user,
        action=AuditRecord.Action.EXPORT,
        obj=export_region(request.user, filterset),
        changes={"rows": [None, len(rows)], "filters": [None, request.GET.urlencode()]},
        note=_("导出人大代表%(n)d条") % {"n": len(rows)},
    )
    return xlsx_response(workbook_bytes(EXPORT_COLUMNS, rows, title="人大代表"), "人大代表.xlsx")


@login_required
def deputy_photo(request, deputy_pk: int):
    """The original photo, for staff who can see the deputy (the public page uses a thumbnail)."""
    deputy = access_object(Deputy, request.user, deputy_pk)
    return private_file_response(deputy.photo)
