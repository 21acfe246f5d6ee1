"""Staff, deputy and unit pages of appointments, report-backs, groups, contacts and duties.

Thin: access check (`access_object`, 404 outside the user's slice), a form, a service,
a redirect. What a page offers is what the workflow tables allow.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_safe

from core.masking import mask_phone
from deputies.models import DeputyGroup
from supervision.tracking import deadlines_of
from tenancy.access import access_object

from . import permissions as can
from . import selectors
from .models import Booking, DutyEvent, MeetingRequest, ReportBack
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
        },
    )


@login_required
@require_safe
def group_detail(request, group_pk: int):
    group = access_object(DeputyGroup.objects.select_related("station", "region"), request.user, group_pk)
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
        {"event": event, "deputies": list(event.deputies.all())},
    )
