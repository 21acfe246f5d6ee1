"""Staff, deputy and unit pages of appointments, report-backs, groups, contacts and duties.

Thin: access check (`access_object`, 404 outside the user's slice), a form, a service,
a redirect. What a page offers is what the workflow tables allow.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.models import User
from core import clock
from core.forms import add_service_errors
from core.masking import mask_phone
from deputies.models import Deputy, DeputyGroup
from duties.models import DutyKind
from receptions.services import RaisedSuggestion
from regions.models import Region
from stations.models import Station
from supervision.tracking import deadlines_of
from tenancy.access import access_object

from . import permissions as can
from . import selectors, services
from .forms import (
    BindForm,
    CapacityForm,
    ContactForm,
    DutyEventForm,
    GroupActivityForm,
    HoldBookingForm,
    LeaderVisitForm,
    MeetingRequestForm,
    ProposeForm,
    RateForm,
    ReasonForm,
    ReportHoldForm,
    ReportScheduleForm,
    ScheduleForm,
    TallyForm,
)
from .models import (
    Booking,
    BookingSlot,
    DutyEvent,
    LeaderVisit,
    LiaisonBinding,
    LiaisonContact,
    MeetingRequest,
    ReportBack,
)
from .workflow import BOOKING, MEETING, REPORT_BACK


def _booking(request, pk, *, for_write=False) -> Booking:
    return access_object(
        Booking.objects.select_related("deputy", "station", "slot", "reception"),
        request.user,
        pk,
        for_write=for_write,
    )


def _meeting(request, pk, *, for_write=False) -> MeetingRequest:
    return access_object(
        MeetingRequest.objects.select_related("unit", "region"),
        request.user,
        pk,
        for_write=for_write,
    )


def _report(request, pk, *, for_write=False) -> ReportBack:
    return access_object(
        ReportBack.objects.select_related("deputy", "station", "duty_report"),
        request.user,
        pk,
        for_write=for_write,
    )


@login_required
@require_safe
def booking_detail(request, booking_pk: int):
    booking = _booking(request, booking_pk)
    phone = booking.phone if can.can_see_booking_phone(request.user, booking) else None
    return render(
        request,
        "appointments/booking_detail.html",
        {
            "booking": booking,
            "phone": phone or mask_phone(booking.phone),
            "actions": BOOKING.available(request.user, booking),
            "propose_form": ProposeForm(),
            "reason_form": ReasonForm(),
            "hold_form": HoldBookingForm(initial={"raise_concern": True}),
            "capacity_form": CapacityForm(initial={"capacity": booking.slot.capacity})
            if booking.slot
            else None,
            "may_set_capacity": bool(booking.slot)
            and can.can_set_slot_capacity(request.user, booking.slot),
        },
    )


@login_required
@require_safe
def meeting_detail(request, meeting_pk: int):
    meeting = _meeting(request, meeting_pk)
    return render(
        request,
        "appointments/meeting_detail.html",
        {
            "meeting": meeting,
            "deputies": list(meeting.deputies.all()),
            "ratings": list(meeting.ratings.select_related("deputy")),
            "deadlines": deadlines_of(meeting),
            "actions": MEETING.available(request.user, meeting),
            "schedule_form": ScheduleForm(),
            "rate_form": RateForm(),
        },
    )


@login_required
@require_safe
def report_detail(request, report_pk: int):
    report = _report(request, report_pk)
    return render(
        request,
        "appointments/report_detail.html",
        {
            "report": report,
            "suggestions": list(report.suggestions.all()),
            "actions": REPORT_BACK.available(request.user, report),
            "hold_form": ReportHoldForm(),
            "tally_form": TallyForm(),
        },
    )


@login_required
@require_safe
def group_detail(request, group_pk: int):
    group = access_object(
        DeputyGroup.objects.select_related("station", "region"), request.user, group_pk
    )
    return render(
        request,
        "appointments/group_detail.html",
        {
            "group": group,
            "members": list(group.members.all()),
            "rows": selectors.group_activities(group),
            "can_add": can.can_keep_group(request.user, group),
        },
    )


@login_required
@require_safe
def duty_event_detail(request, event_pk: int):
    event = access_object(DutyEvent.objects.select_related("region"), request.user, event_pk)
    return render(
        request,
        "appointments/duty_event_detail.html",
        {
            "event": event,
            "deputies": list(event.deputies.all()),
            "kind_label": dict(DutyKind.choices).get(event.kind, event.kind),
        },
    )


# --- Lists, forms and actions ----------------------------------------------------------------

PAGE_SIZE = 30


def _refused(request, error) -> None:
    messages.error(request, " ".join(getattr(error, "messages", [str(error)])))


def _page(request, rows):
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if len(line.strip()) >= 2][:20]


@login_required
@require_safe
def index(request):
    user = request.user
    return render(
        request,
        "appointments/index.html",
        {
            "bookings": Booking.objects.visible_to(user)
            .filter(status=Booking.Status.REQUESTED)
            .count(),
            "meetings": MeetingRequest.objects.visible_to(user)
            .exclude(status__in=[MeetingRequest.Status.CLOSED, MeetingRequest.Status.DECLINED])
            .count(),
            "reports": ReportBack.objects.visible_to(user)
            .filter(status=ReportBack.Status.SCHEDULED)
            .count(),
            "is_staff": can.may_staff_write(user),
        },
    )


@login_required
@require_safe
def booking_list(request):
    rows = selectors.booking_rows(
        Booking.objects.visible_to(request.user).select_related("deputy", "station"), request.GET
    )
    status = request.GET.get("status", "")
    page = _page(request, rows.order_by("-created_at", "-pk"))
    for booking in page:
        booking.shown_phone = (
            booking.phone
            if can.can_see_booking_phone(request.user, booking)
            else mask_phone(booking.phone)
        )
    return render(
        request,
        "appointments/booking_list.html",
        {"page": page, "status": status, "statuses": Booking.Status.choices},
    )


@login_required
@require_POST
def booking_act(request, booking_pk: int):
    booking = _booking(request, booking_pk, for_write=True)
    action = request.POST.get("action", "")
    try:
        if action == "confirm":
            services.booking_confirm(actor=request.user, booking=booking)
        elif action == "propose":
            form = ProposeForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("请填写改约日期。"))
            services.booking_propose(actor=request.user, booking=booking, **form.cleaned_data)
        elif action == "decline":
            services.booking_decline(
                actor=request.user, booking=booking, reason=request.POST.get("reason", "")
            )
        elif action == "hold":
            form = HoldBookingForm(request.POST)
            form.is_valid()
            services.booking_hold(
                actor=request.user,
                booking=booking,
                notes=form.cleaned_data.get("notes", ""),
                raise_concern=bool(form.cleaned_data.get("raise_concern")),
            )
        elif action == "miss":
            services.booking_miss(actor=request.user, booking=booking)
        else:
            raise ValidationError(_("未知操作。"))
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已保存，群众会收到短信通知。"))
    return redirect("appointments:booking_detail", booking_pk=booking.pk)


@login_required
@require_POST
def slot_capacity(request, slot_pk: int):
    slot = access_object(BookingSlot.objects.all(), request.user, slot_pk, for_write=True)
    form = CapacityForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("可约人数应为1至200。"))
        services.slot_set_capacity(
            actor=request.user, slot=slot, capacity=form.cleaned_data["capacity"]
        )
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已修改可约人数。"))
    back = request.POST.get("back", "")
    if back.isdigit():
        return redirect("appointments:booking_detail", booking_pk=int(back))
    return redirect("appointments:bookings")


@login_required
@require_safe
def meeting_list(request):
    rows = (
        MeetingRequest.objects.visible_to(request.user)
        .select_related("unit")
        .prefetch_related("deputies")
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "appointments/meeting_list.html",
        {"page": _page(request, rows), "can_request": can.may_request_meeting(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def meeting_new(request):
    from suggestions.models import HandlingUnit

    if not can.may_request_meeting(request.user):
        raise PermissionDenied
    deputies = Deputy.objects.visible_to(request.user).filter(status=Deputy.Status.ACTIVE)
    units = selectors.meeting_units(HandlingUnit.objects.filter(is_active=True), deputies)
    form = MeetingRequestForm(request.POST or None, units=units, deputies=deputies)
    if request.method == "POST" and form.is_valid():
        try:
            meeting, _created = services.meeting_request_create(
                actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已提出约见，人大常委会办公室审核后转交。"))
            return redirect("appointments:meeting_detail", meeting_pk=meeting.pk)
    return render(
        request, "appointments/form.html", {"form": form, "title": _("约见国家机关负责人")}
    )


@login_required
@require_POST
def meeting_act(request, meeting_pk: int):
    meeting = _meeting(request, meeting_pk, for_write=True)
    action = request.POST.get("action", "")
    try:
        if action == "forward":
            services.meeting_forward(actor=request.user, request=meeting)
        elif action == "decline":
            services.meeting_decline(
                actor=request.user, request=meeting, reason=request.POST.get("reason", "")
            )
        elif action == "schedule":
            form = ScheduleForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("请填写约见时间、地点和参加的负责人。"))
            services.meeting_schedule(actor=request.user, request=meeting, **form.cleaned_data)
        elif action == "hold":
            services.meeting_hold(
                actor=request.user, request=meeting, minutes=request.POST.get("minutes", "")
            )
        elif action == "answer":
            services.meeting_answer(
                actor=request.user, request=meeting, answer=request.POST.get("answer", "")
            )
        elif action == "rate":
            services.meeting_rate(
                actor=request.user,
                request=meeting,
                rating=request.POST.get("rating", ""),
                comment=request.POST.get("comment", ""),
            )
        else:
            raise ValidationError(_("未知操作。"))
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已保存。"))
    return redirect("appointments:meeting_detail", meeting_pk=meeting.pk)


@login_required
@require_safe
def report_list(request):
    rows = (
        ReportBack.objects.visible_to(request.user)
        .select_related("deputy", "station")
        .order_by("-starts_at", "-pk")
    )
    missing = selectors.not_reported(Deputy.objects.visible_to(request.user))
    return render(
        request,
        "appointments/report_list.html",
        {
            "page": _page(request, rows),
            "missing": missing[:200],
            "missing_count": missing.count(),
            "term_start": selectors.term_start(),
            "can_schedule": can.may_schedule_report_backs(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request):
    if not can.may_schedule_report_backs(request.user):
        raise PermissionDenied
    stations = Station.objects.visible_to(request.user, for_write=True).filter(
        status=Station.Status.ACTIVE
    )
    deputies = Deputy.objects.visible_to(request.user).filter(status=Deputy.Status.ACTIVE)
    form = ReportScheduleForm(request.POST or None, deputies=deputies, stations=stations)
    if request.method == "POST" and form.is_valid():
        try:
            report, _created = services.report_back_schedule(
                actor=request.user, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已安排述职。"))
            return redirect("appointments:report_detail", report_pk=report.pk)
    return render(request, "appointments/form.html", {"form": form, "title": _("安排代表述职")})


@login_required
@require_POST
def report_act(request, report_pk: int):
    report = _report(request, report_pk, for_write=True)
    action = request.POST.get("action", "")
    try:
        if action == "hold":
            form = ReportHoldForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("请填写参加人数和述职报告。"))
            questions = [
                RaisedSuggestion(category="other", content=line)
                for line in _lines(form.cleaned_data["questions"])
            ]
            services.report_back_hold(
                actor=request.user,
                report=report,
                audience=form.cleaned_data["audience"],
                report_text=form.cleaned_data["report_text"],
                questions=questions,
            )
        elif action == "tally":
            form = TallyForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("请填写各项票数（不小于0的整数）。"))
            services.report_back_tally(actor=request.user, report=report, **form.cleaned_data)
        elif action == "open_poll":
            services.report_back_open_poll(actor=request.user, report=report)
        elif action == "close_poll":
            services.report_back_close_poll(actor=request.user, report=report)
        elif action == "cancel":
            services.report_back_cancel(actor=request.user, report=report)
        else:
            raise ValidationError(_("未知操作。"))
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("已保存。"))
    return redirect("appointments:report_detail", report_pk=report.pk)


@login_required
@require_safe
def group_list(request):
    today = clock.today()
    year, quarter = selectors.quarter_of(today)
    try:
        year = int(request.GET.get("year", year))
        quarter = int(request.GET.get("quarter", quarter))
    except ValueError:
        pass
    if quarter not in (1, 2, 3, 4) or not 2000 <= year <= today.year + 1:
        year, quarter = selectors.quarter_of(today)
    rows = selectors.groups_with_quarter(
        DeputyGroup.objects.visible_to(request.user), year, quarter
    )
    return render(
        request,
        "appointments/group_list.html",
        {"rows": rows, "year": year, "quarter": quarter, "quarters": (1, 2, 3, 4)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def group_activity_new(request, group_pk: int):
    group = access_object(
        DeputyGroup.objects.select_related("station"), request.user, group_pk, for_write=True
    )
    if not can.can_keep_group(request.user, group):
        raise PermissionDenied
    form = GroupActivityForm(request.POST or None, members=group.members.all())
    if request.method == "POST" and form.is_valid():
        try:
            services.group_activity_create(actor=request.user, group=group, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记小组活动。"))
            return redirect("appointments:group_detail", group_pk=group.pk)
    return render(
        request,
        "appointments/form.html",
        {"form": form, "title": _("登记%(group)s活动") % {"group": group.name}},
    )


@login_required
@require_http_methods(["GET", "POST"])
def liaison_summary(request):
    today = clock.today()
    year, quarter = selectors.quarter_of(today)
    try:
        year = int(request.GET.get("year", year))
        quarter = int(request.GET.get("quarter", quarter))
    except ValueError:
        pass
    if quarter not in (1, 2, 3, 4) or not 2000 <= year <= today.year + 1:
        year, quarter = selectors.quarter_of(today)
    bind_form = None
    if can.may_staff_write(request.user):
        home = Deputy.objects.visible_to(request.user, for_write=True).filter(
            status=Deputy.Status.ACTIVE
        )
        roots = Region.objects.filter(pk__in=home.values("region_id")).values_list(
            "path", flat=True
        )
        members = can.committee_members(min(roots, key=len)) if roots else User.objects.none()
        bind_form = BindForm(request.POST or None, members=members, deputies=home)
        if request.method == "POST" and bind_form.is_valid():
            try:
                services.liaison_bind(actor=request.user, **bind_form.cleaned_data)
            except ValidationError as error:
                add_service_errors(bind_form, error)
            else:
                messages.success(request, _("已安排联系代表。"))
                return redirect("appointments:liaison")
    elif request.method == "POST":
        raise PermissionDenied
    bindings = LiaisonBinding.objects.visible_to(request.user)
    return render(
        request,
        "appointments/liaison.html",
        {
            "summary": selectors.liaison_summary(bindings, year, quarter),
            "year": year,
            "quarter": quarter,
            "quarters": (1, 2, 3, 4),
            "bind_form": bind_form,
            "contacts": selectors.recent_contacts(LiaisonContact.objects.visible_to(request.user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def liaison_contact(request, binding_pk: int):
    binding = access_object(
        LiaisonBinding.objects.select_related("member", "deputy"),
        request.user,
        binding_pk,
        for_write=request.method == "POST",
    )
    form = ContactForm(request.POST or None)
    if request.method == "POST":
        if not can.can_record_contact(request.user, binding):
            raise PermissionDenied
        if form.is_valid():
            try:
                services.liaison_contact_record(
                    actor=request.user, binding=binding, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已登记联系记录。"))
                return redirect("appointments:liaison")
    return render(
        request,
        "appointments/liaison_contact.html",
        {
            "binding": binding,
            "form": form,
            "contacts": list(binding.contacts.order_by("-date", "-pk")[:50]),
            "can_record": can.can_record_contact(request.user, binding),
        },
    )


@login_required
@require_POST
def liaison_unbind(request, binding_pk: int):
    binding = access_object(LiaisonBinding.objects.all(), request.user, binding_pk, for_write=True)
    services.liaison_unbind(actor=request.user, binding=binding)
    messages.success(request, _("已解除联系。"))
    return redirect("appointments:liaison")


@login_required
@require_safe
def leader_visit_list(request):
    rows = (
        LeaderVisit.objects.visible_to(request.user)
        .select_related("station", "leader")
        .annotate(matters=Count("suggestions"))
        .order_by("-date", "-pk")
    )
    return render(
        request,
        "appointments/leader_visit_list.html",
        {
            "page": _page(request, rows),
            "figures": selectors.leader_visit_figures(LeaderVisit.objects.visible_to(request.user)),
            "can_record": can.may_record_at_stations(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def leader_visit_new(request):
    if not can.may_record_at_stations(request.user):
        raise PermissionDenied
    stations = Station.objects.visible_to(request.user, for_write=True).filter(
        status=Station.Status.ACTIVE
    )
    station_id = request.POST.get("station") or request.GET.get("station")
    chosen = stations.filter(pk=station_id).first() if str(station_id or "").isdigit() else None
    chosen = chosen or stations.order_by("region_path").first()
    leaders = can.committee_members(chosen.region_path) if chosen else User.objects.none()
    form = LeaderVisitForm(request.POST or None, stations=stations, leaders=leaders)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        raised = [
            RaisedSuggestion(category="other", content=line) for line in _lines(data["matters"])
        ]
        try:
            services.leader_visit_record(
                actor=request.user,
                station=data["station"],
                leader=data["leader"],
                date=data["date"],
                people_count=data["people_count"],
                notes=data["notes"],
                raised=raised,
                form_token=data["form_token"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记领导干部进站。"))
            return redirect("appointments:leader_visits")
    return render(request, "appointments/form.html", {"form": form, "title": _("登记领导干部进站")})


def _event_kinds():
    labels = dict(DutyKind.choices)
    return [(kind, labels[kind]) for kind in DutyEvent.KINDS]


@login_required
@require_safe
def duty_event_list(request):
    rows = (
        DutyEvent.objects.visible_to(request.user)
        .select_related("region")
        .annotate(deputy_count=Count("deputies"))
        .order_by("-date", "-pk")
    )
    labels = dict(DutyKind.choices)
    page = _page(request, rows)
    for event in page:
        event.kind_label = labels.get(event.kind, event.kind)
    return render(
        request,
        "appointments/duty_event_list.html",
        {"page": page, "can_record": can.may_staff_write(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def duty_event_new(request):
    if not can.may_staff_write(request.user):
        raise PermissionDenied
    regions = Region.objects.visible_to(request.user, for_write=True).exclude(level="village")
    deputies = Deputy.objects.visible_to(request.user, for_write=True).filter(
        status=Deputy.Status.ACTIVE
    )
    form = DutyEventForm(
        request.POST or None, regions=regions, deputies=deputies, kinds=_event_kinds()
    )
    if request.method == "POST" and form.is_valid():
        try:
            event, _created = services.duty_event_record(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("已登记，参加代表的履职档案已记入。"))
            return redirect("appointments:duty_event_detail", event_pk=event.pk)
    return render(request, "appointments/form.html", {"form": form, "title": _("登记履职活动")})
