"""Citizens' pages (no login): book a deputy (扫码有约), follow the booking, vote on a
report-back. Plain HTML that works without JavaScript and in WeChat's browser.

A booking is idempotent (a random token issued with the form), rate-limited per
address and per phone, and never talks to the broker: the notices and SMS are
outbox rows committed with it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors
from core.masking import mask_phone
from core.net import client_ip
from deputies.models import Deputy
from public import qr
from stations.models import Station
from suggestions import ratelimit

from . import selectors, services
from .forms import BookingForm, VoteForm
from .models import Booking, ReportBack
from .workflow import BOOKING, REPORT_BACK

BOOK_PER_IP = getattr(settings, "APPOINTMENT_BOOK_PER_IP", (20, 3600))
BOOK_PER_PHONE = getattr(settings, "APPOINTMENT_BOOK_PER_PHONE", (3, 24 * 3600))
VOTE_PER_IP = getattr(settings, "REPORT_BACK_VOTE_PER_IP", (300, 3600))


def _unavailable(request):
    return render(request, "appointments/public/unavailable.html", status=404)


def _book(request, *, deputy: Deputy, station: Station | None = None, deputies=()):
    days = selectors.bookable_days(deputy)
    context = {"deputy": deputy, "station": station, "days": days, "deputies": deputies}
    if request.method != "POST":
        context["form"] = BookingForm(days=days)
        return render(request, "appointments/public/book.html", context)
    token = request.POST.get("submission_token", "")
    existing = services.booking_by_token(token)
    if existing is not None:  # a double tap or a retried POST: the same receipt
        return redirect("public_appointments:booking", booking_token=existing.public_token)
    form = BookingForm(request.POST, days=days)
    context["form"] = form
    status = 400
    ip = client_ip(request)
    if form.is_bot:
        form.add_error(None, _("提交未成功，请检查后重新提交。"))
    elif form.is_valid():
        data = form.cleaned_data
        picked = selectors.parse_day_key(data["day"]) if data["day"] else None
        refused = ratelimit.submission_refusal(
            "booking", ip=ip, phone=data["phone"], per_ip=BOOK_PER_IP, per_phone=BOOK_PER_PHONE
        )
        if refused == "address":
            form.add_error(None, _("提交过于频繁，请稍后再试。您填写的内容已保留。"))
            status = 429
        elif refused == "phone":
            form.add_error("phone", _("该手机号今天预约的次数已达上限，请明天再试或到联络站咨询。"))
            status = 429
        else:
            try:
                booking, _created = services.booking_submit(
                    deputy=deputy,
                    station=station,
                    rule_id=picked[0] if picked else None,
                    date=picked[1] if picked else None,
                    wished="" if picked else data["wished"],
                    topic=data["topic"],
                    category=data["category"],
                    name=data["name"],
                    phone=data["phone"],
                    consent=data["consent"],
                    submission_token=data["submission_token"],
                )
            except ValidationError as error:
                add_service_errors(form, error, default_field="day")
                status = 409 if "slot" in getattr(error, "message_dict", {}) else 400
            else:
                return redirect("public_appointments:booking", booking_token=booking.public_token)
    return render(request, "appointments/public/book.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def book_deputy(request, deputy_token: str):
    deputy = (
        Deputy.objects.select_related("region")
        .filter(public_token=deputy_token, status=Deputy.Status.ACTIVE)
        .first()
    )
    if deputy is None:
        return _unavailable(request)
    return _book(request, deputy=deputy)


@require_http_methods(["GET", "HEAD", "POST"])
def book_station(request, station_token: str):
    """A station's code: pick one of its deputies (?deputy=), then a day."""
    from deputies.models import StationMembership, current_membership_q

    station = (
        Station.objects.select_related("region")
        .filter(public_token=station_token, status=Station.Status.ACTIVE)
        .first()
    )
    if station is None:
        return _unavailable(request)
    deputies = list(
        Deputy.objects.filter(
            status=Deputy.Status.ACTIVE,
            pk__in=StationMembership.objects.filter(current_membership_q(), station=station).values(
                "deputy_id"
            ),
        ).order_by("name")
    )
    chosen = next((d for d in deputies if str(d.pk) == request.GET.get("deputy", "")), None)
    if chosen is None:
        return render(
            request,
            "appointments/public/station.html",
            {"station": station, "deputies": deputies},
        )
    return _book(request, deputy=chosen, station=station, deputies=deputies)


@require_http_methods(["GET", "HEAD", "POST"])
def booking(request, booking_token: str):
    """The citizen's receipt: the state, and accept another time or cancel."""
    booking = (
        Booking.objects.select_related("deputy", "station")
        .filter(public_token=booking_token)
        .first()
    )
    if booking is None:
        return _unavailable(request)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "accept":
                services.booking_accept(booking=booking)
            elif action == "cancel":
                services.booking_cancel(booking=booking)
        except (ValidationError, PermissionDenied):
            pass
        return redirect("public_appointments:booking", booking_token=booking.public_token)
    return render(
        request,
        "appointments/public/booking.html",
        {
            "booking": booking,
            "phone": mask_phone(booking.phone),
            "actions": BOOKING.available(None, booking),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
def vote(request, poll_token: str):
    """The report-back's phone poll: one vote per phone while it is open."""
    report = (
        ReportBack.objects.select_related("deputy", "station").filter(poll_token=poll_token).first()
    )
    if report is None:
        return _unavailable(request)
    refusal = REPORT_BACK.refusal("vote", None, report)
    form = VoteForm(request.POST or None)
    context = {"report": report, "form": form, "closed": refusal}
    if request.method == "POST" and refusal is None:
        if not ratelimit.hit(
            "vote-ip", client_ip(request), limit=VOTE_PER_IP[0], window=VOTE_PER_IP[1]
        ):
            form.add_error(None, _("提交过于频繁，请稍后再试。"))
        elif form.is_valid():
            try:
                services.report_back_vote(
                    report=report,
                    phone=form.cleaned_data["phone"],
                    rating=form.cleaned_data["rating"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return render(request, "appointments/public/voted.html", context)
        return render(request, "appointments/public/vote.html", context, status=400)
    return render(request, "appointments/public/vote.html", context)


@require_http_methods(["GET", "HEAD"])
def vote_qr(request, poll_token: str):
    """The poll's QR code, shown on the screen or printed at the meeting."""
    report = ReportBack.objects.filter(poll_token=poll_token).first()
    if report is None:
        raise Http404
    url = qr.public_url("public_appointments:vote", report.poll_token)
    return HttpResponse(qr.qr_bytes(url, "png"), content_type=qr.CONTENT_TYPES["png"])
