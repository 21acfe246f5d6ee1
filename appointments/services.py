"""Writes of appointments: bookings, meetings with bodies, report-backs, groups'
activities, members' contacts, leaders' station days and other duties.

Each function is one transaction: it locks the row, checks the workflow table
(`appointments.workflow`) or a predicate of `appointments.permissions`, writes an
audit record, and sends SMS/notices through the outbox (`notifications`), so
nothing talks to a broker during a request. A retried submit (the same form
token) returns the first row.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import re
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record, diff, snapshot
from calendars.deadlines import compute
from core import clock
from deputies.models import Deputy, DeputyGroup
from duties.models import DutyKind
from duties.services import duty_credit, duty_report_create, duty_withdraw
from notifications.services import notify, sms_to_citizen
from receptions.models import ReceptionRule, StationActivity
from receptions.services import RaisedSuggestion, activity_create, reception_log
from stations.models import Station
from supervision import tracking

from . import permissions as can
from .models import (
    Booking,
    BookingSlot,
    DutyEvent,
    GroupActivity,
    LeaderVisit,
    LiaisonBinding,
    LiaisonContact,
    MeetingRating,
    MeetingRequest,
    PollVote,
    Rating,
    ReportBack,
)
from .selectors import slot_capacity
from .workflow import ANSWER_DEADLINE, BOOKING, MEETING, REPORT_BACK, SCHEDULE_DEADLINE

PHONE_RE = re.compile(r"^1\d{10}$")
TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
REASON_MAX = 300


def schedule_days() -> int:
    """Working days the body has to fix the meeting's date and attendees."""
    return int(getattr(settings, "APPOINTMENT_SCHEDULE_WORKING_DAYS", 10))


def answer_days() -> int:
    """Working days the body has to give its written follow-up after the meeting."""
    return int(getattr(settings, "APPOINTMENT_ANSWER_WORKING_DAYS", 15))


def poll_minutes() -> int:
    return int(getattr(settings, "REPORT_BACK_POLL_MINUTES", 60))


def _public_url(name: str, *args) -> str:
    return f"{settings.PUBLIC_BASE_URL}{reverse(name, args=args)}"


def _check_token(token: str) -> None:
    if not token or not TOKEN_RE.match(token):
        raise ValidationError(_("表单已失效，请刷新页面后重新填写。"))


def _day(value: datetime.date) -> str:
    return _("%(m)s月%(d)s日") % {"m": value.month, "d": value.day}


# --- 1. Bookings ----------------------------------------------------------------------


def clean_citizen_phone(phone: str) -> str:
    phone = re.sub(r"[\s-]", "", phone or "")
    if not PHONE_RE.match(phone):
        raise ValidationError({"phone": _("请填写正确的11位手机号，用于接收约见结果短信。")})
    return phone


def _duty_day(deputy: Deputy, rule_id: int, date: datetime.date):
    """The deputy's reception day of `rule_id` on `date` (None: there is none)."""
    from receptions.selectors import duty_days_between

    for day in duty_days_between(deputy, date, date):
        if day.rule_id == rule_id:
            return day
    return None


def _slot_for(deputy: Deputy, rule_id: int, date: datetime.date) -> BookingSlot:
    """The slot row of the day, created on the first booking, locked."""
    day = _duty_day(deputy, rule_id, date)
    if day is None or date < clock.today():
        raise ValidationError({"slot": _("所选接待日已不可预约，请重新选择。")})
    station = day.station
    slot, _created = BookingSlot.objects.get_or_create(
        rule_id=rule_id,
        date=date,
        deputy=deputy,
        defaults={
            "station": station,
            "region": station.region,
            "start_time": day.start_time,
            "end_time": day.end_time,
            "capacity": slot_capacity(),
        },
    )
    return BookingSlot.objects.select_for_update().get(pk=slot.pk)


def _take_place(slot: BookingSlot) -> None:
    if slot.taken >= slot.capacity:
        raise ValidationError({"slot": _("该接待日已约满，请选择其他接待日或填写希望的时间。")})
    BookingSlot.objects.filter(pk=slot.pk).update(taken=F("taken") + 1)
    slot.taken += 1


def _release_place(booking: Booking) -> None:
    if booking.slot_id and booking.status in Booking.HOLDS_PLACE:
        BookingSlot.objects.filter(pk=booking.slot_id, taken__gt=0).update(taken=F("taken") - 1)


def booking_by_token(token: str) -> Booking | None:
    if not token:
        return None
    return Booking.objects.filter(submission_token=token).first()


def _booking_link(booking: Booking) -> str:
    return reverse("appointments:booking_detail", args=[booking.pk])


def _tell_keepers(booking: Booking, *, title: str, body: str = "") -> None:
    """The deputy booked and the station's officers, in their inbox."""
    from accounts.selectors import officers_of_stations

    people = list(officers_of_stations([booking.station_id]))
    if booking.deputy.user_id:
        people.append(booking.deputy.user)
    notify(recipients=people, kind="booking", title=title, body=body, link=_booking_link(booking))


def booking_submit(
    *,
    deputy: Deputy,
    topic: str,
    name: str,
    phone: str,
    submission_token: str,
    consent: bool,
    rule_id: int | None = None,
    date: datetime.date | None = None,
    wished: str = "",
    category: str = "other",
    station: Station | None = None,
) -> tuple[Booking, bool]:
    """A citizen books `deputy`: a reception day (`rule_id` + `date`) or another time
    (`wished`). Returns (booking, created); the same token twice gives the first."""
    from suggestions.models import Category
    from suggestions.services import station_of_deputy

    existing = booking_by_token(submission_token)
    if existing is not None:
        return existing, False
    _check_token(submission_token)
    errors = {}
    topic, name, wished = (topic or "").strip(), (name or "").strip(), (wished or "").strip()
    if not consent:
        errors["consent"] = _("请阅读并同意个人信息处理说明后再提交。")
    if len(topic) < 5:
        errors["topic"] = _("请写明约见事由（至少5个字）。")
    if not name:
        errors["name"] = _("请填写您的姓名。")
    if category not in Category.values:
        category = Category.OTHER
    try:
        phone = clean_citizen_phone(phone)
    except ValidationError as error:
        errors.update(error.message_dict)
    if not (rule_id and date) and not wished:
        errors["slot"] = _("请选择一个接待日，或填写您希望的约见时间。")
    if deputy.status != Deputy.Status.ACTIVE:
        errors["deputy"] = _("该代表目前不接受预约。")
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            slot = None
            if rule_id and date:
                slot = _slot_for(deputy, rule_id, date)
                _take_place(slot)
                station = slot.station
            station = station or station_of_deputy(deputy)
            if station is None:
                raise ValidationError({"deputy": _("该代表暂未编入联络站，暂不能预约。")})
            booking = Booking(
                deputy=deputy,
                station=station,
                region=station.region,
                slot=slot,
                date=slot.date if slot else None,
                time_note=_slot_time(slot) if slot else "",
                wished=wished[:100] if not slot else "",
                topic=topic[:1000],
                category=category,
                name=name[:40],
                phone=phone,
                submission_token=submission_token,
            )
            booking.save()
            audit_record(
                actor=None,
                action=AuditRecord.Action.CREATE,
                obj=booking,
                changes=diff({}, snapshot(booking, ["deputy", "station", "date", "wished"])),
                actor_label=_("群众"),
            )
            when = _day(booking.date) if booking.date else booking.wished
            _tell_keepers(
                booking,
                title=_("群众预约约见%(deputy)s代表（%(when)s）")
                % {"deputy": deputy.name, "when": when},
                body=topic[:200],
            )
    except IntegrityError:
        existing = booking_by_token(submission_token)
        if existing is None:
            raise
        return existing, False
    return booking, True


def _slot_time(slot: BookingSlot) -> str:
    if slot.start_time and slot.end_time:
        return f"{slot.start_time:%H:%M}–{slot.end_time:%H:%M}"
    return ""


def _locked_booking(booking: Booking) -> Booking:
    return (
        Booking.objects.select_for_update(of=("self",))
        .select_related("deputy", "station")
        .get(pk=booking.pk)
    )


def _booking_moved(actor, booking: Booking, action: str, before: str, **fields) -> None:
    for name, value in fields.items():
        setattr(booking, name, value)
    BOOKING.move(action, booking)
    booking.save(update_fields=["status", *fields, "updated_at"])
    audit_record(
        actor=actor,
        action=AuditRecord.Action.STATE,
        obj=booking,
        changes={
            "status": [before, booking.status],
            **{k: [None, str(v)] for k, v in fields.items()},
        },
        actor_label="" if actor else _("群众"),
    )


def _sms(booking: Booking, text: str) -> None:
    sms_to_citizen(phone=booking.phone, text=text, region_path=booking.region_path)


def booking_confirm(*, actor, booking: Booking) -> Booking:
    with transaction.atomic():
        booking = _locked_booking(booking)
        BOOKING.check("confirm", actor, booking)
        before = booking.status
        fields = {"answered_by": actor}
        if booking.date is None:
            raise ValidationError(_("群众希望的时间需要先“另约时间”定下具体日期。"))
        _booking_moved(actor, booking, "confirm", before, **fields)
        _sms(
            booking,
            _("您预约%(deputy)s代表的约见已确认：%(day)s %(time)s，地点%(station)s。详情：%(url)s")
            % {
                "deputy": booking.deputy.name,
                "day": _day(booking.date),
                "time": booking.time_note,
                "station": booking.station.name,
                "url": _public_url("public_appointments:booking", booking.public_token),
            },
        )
    return booking


def booking_propose(
    *, actor, booking: Booking, date: datetime.date, time_note: str = "", reason: str = ""
) -> Booking:
    """Another time: the place in the slot is given back; the citizen accepts or cancels."""
    if date is None or date < clock.today():
        raise ValidationError({"date": _("请填写今天或以后的日期。")})
    with transaction.atomic():
        booking = _locked_booking(booking)
        BOOKING.check("propose", actor, booking)
        before = booking.status
        _release_place(booking)
        _booking_moved(
            actor,
            booking,
            "propose",
            before,
            slot=None,
            date=date,
            time_note=(time_note or "").strip()[:60],
            reason=(reason or "").strip()[:REASON_MAX],
            answered_by=actor,
        )
        _sms(
            booking,
            _("%(deputy)s代表建议改约%(day)s %(time)s，请点击确认或取消：%(url)s")
            % {
                "deputy": booking.deputy.name,
                "day": _day(date),
                "time": booking.time_note,
                "url": _public_url("public_appointments:booking", booking.public_token),
            },
        )
    return booking


def booking_decline(*, actor, booking: Booking, reason: str) -> Booking:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请写明婉拒的理由，会以短信告知群众。")})
    with transaction.atomic():
        booking = _locked_booking(booking)
        BOOKING.check("decline", actor, booking)
        before = booking.status
        _release_place(booking)
        _booking_moved(
            actor, booking, "decline", before, reason=reason[:REASON_MAX], answered_by=actor
        )
        _sms(
            booking,
            _("很抱歉，您预约%(deputy)s代表的约见未能安排：%(reason)s。您也可以扫码反映问题。")
            % {"deputy": booking.deputy.name, "reason": reason[:100]},
        )
    return booking


def booking_accept(*, booking: Booking) -> Booking:
    """The citizen takes the other time proposed (from the receipt link)."""
    with transaction.atomic():
        booking = _locked_booking(booking)
        BOOKING.check("accept", None, booking)
        _booking_moved(None, booking, "accept", booking.status)
        _tell_keepers(
            booking,
            title=_("%(name)s接受了改约时间（%(day)s）")
            % {"name": booking.name, "day": _day(booking.date)},
        )
    return booking


def booking_cancel(*, booking: Booking) -> Booking:
    with transaction.atomic():
        booking = _locked_booking(booking)
        BOOKING.check("cancel", None, booking)
        before = booking.status
        _release_place(booking)
        _booking_moved(None, booking, "cancel", before)
        _tell_keepers(booking, title=_("%(name)s取消了约见预约") % {"name": booking.name})
    return booking


def booking_hold(
    *, actor, booking: Booking, notes: str = "", raise_concern: bool = True
) -> Booking:
    """The meeting took place: a reception record through the reception log; what the
    citizen raised becomes a suggestion there (same transaction)."""
    with transaction.atomic():
        booking = _locked_booking(booking)
        BOOKING.check("hold", actor, booking)
        raised = []
        if raise_concern:
            raised.append(
                RaisedSuggestion(
                    category=booking.category,
                    content=booking.topic,
                    contact_name=booking.name,
                    contact_phone=booking.phone,
                    deputy=booking.deputy,
                )
            )
        reception, _created = reception_log(
            actor=actor,
            form_token=f"booking-{booking.pk}-{booking.submission_token}"[:64],
            station=booking.station,
            date=booking.date,
            deputies=[booking.deputy],
            people_count=1,
            notes=(notes or "").strip() or _("群众预约约见：%(topic)s") % {"topic": booking.topic},
            raised=raised,
        )
        _booking_moved(actor, booking, "hold", booking.status, reception=reception)
    return booking


def booking_miss(*, actor, booking: Booking) -> Booking:
    with transaction.atomic():
        booking = _locked_booking(booking)
        BOOKING.check("miss", actor, booking)
        _booking_moved(actor, booking, "miss", booking.status)
    return booking


def slot_set_capacity(*, actor, slot: BookingSlot, capacity: int) -> BookingSlot:
    with transaction.atomic():
        slot = BookingSlot.objects.select_for_update().get(pk=slot.pk)
        if not can.can_set_slot_capacity(actor, slot):
            raise PermissionDenied(_("您无权进行此操作。"))
        if capacity < slot.taken or capacity > 200:
            raise ValidationError(
                {
                    "capacity": _("可约人数不能少于已约人数（%(n)s），也不能超过200。")
                    % {"n": slot.taken}
                }
            )
        before = slot.capacity
        slot.capacity = capacity
        slot.save(update_fields=["capacity"])
        audit_record(
            actor=actor,
            action=AuditRecord.Action.UPDATE,
            obj=slot,
            changes={"capacity": [before, capacity]},
        )
    return slot


def slot_capacity_for_day(*, actor, deputy: Deputy, rule: ReceptionRule, date, capacity: int):
    """Set the capacity of a reception day before anyone booked it."""
    with transaction.atomic():
        slot = _slot_for(deputy, rule.pk, date)
        return slot_set_capacity(actor=actor, slot=slot, capacity=capacity)


def booking_remind_tomorrow() -> int:
    """Text each citizen whose confirmed appointment is tomorrow; once per booking."""
    today = clock.today()
    tomorrow = today + datetime.timedelta(days=1)
    sent = 0
    with transaction.atomic():
        due = list(
            Booking.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("deputy", "station")
            .filter(status=Booking.Status.CONFIRMED, date=tomorrow, reminded_on__isnull=True)
        )
        for booking in due:
            _sms(
                booking,
                _("提醒：您明天（%(day)s %(time)s）在%(station)s约见%(deputy)s代表。")
                % {
                    "day": _day(booking.date),
                    "time": booking.time_note,
                    "station": booking.station.name,
                    "deputy": booking.deputy.name,
                },
            )
            sent += 1
        Booking.objects.filter(pk__in=[b.pk for b in due]).update(reminded_on=today)
    return sent


# --- 2. Meetings with the heads of bodies --------------------------------------------------


MEETING_FIELDS = ["unit", "subject", "reasons"]


def _locked_meeting(request: MeetingRequest) -> MeetingRequest:
    return (
        MeetingRequest.objects.select_for_update(of=("self",))
        .select_related("unit", "region")
        .get(pk=request.pk)
    )


def _meeting_link(request: MeetingRequest) -> str:
    return reverse("appointments:meeting_detail", args=[request.pk])


def _meeting_audit(actor, request, before: str, **changes) -> None:
    audit_record(
        actor=actor,
        action=AuditRecord.Action.STATE,
        obj=request,
        changes={"status": [before, request.status], **changes},
    )


def meeting_request_create(
    *, actor, unit, deputies: Sequence[Deputy], subject: str, reasons: str, form_token: str
) -> tuple[MeetingRequest, bool]:
    existing = MeetingRequest.objects.filter(form_token=form_token).first() if form_token else None
    if existing is not None:
        return existing, False
    _check_token(form_token)
    deputies = sorted(set(deputies), key=lambda d: d.pk)
    subject, reasons = (subject or "").strip(), (reasons or "").strip()
    errors = {}
    if not deputies:
        errors["deputies"] = _("请选择提出约见的代表。")
    if not subject:
        errors["subject"] = _("请填写约见事项。")
    if len(reasons) < 10:
        errors["reasons"] = _("请写明约见理由（至少10个字）。")
    if errors:
        raise ValidationError(errors)
    if not can.can_request_meeting_for(actor, deputies):
        raise PermissionDenied(_("您只能以本人名义（或为本辖区代表）提出约见。"))
    try:
        with transaction.atomic():
            request = MeetingRequest(
                unit=unit,
                region=unit.region,
                subject=subject[:200],
                reasons=reasons[:3000],
                submitted_by=actor,
                form_token=form_token,
            )
            request.save()
            request.deputies.set(deputies)
            changes = diff({}, snapshot(request, MEETING_FIELDS))
            changes["deputies"] = [None, [d.name for d in deputies]]
            audit_record(
                actor=actor, action=AuditRecord.Action.CREATE, obj=request, changes=changes
            )
            notify(
                recipients=can.office_staff(unit.region),
                kind="meeting_request",
                title=_("代表约见%(unit)s负责人：%(subject)s")
                % {"unit": unit.name, "subject": request.subject},
                link=_meeting_link(request),
            )
    except IntegrityError:
        existing = MeetingRequest.objects.filter(form_token=form_token).first()
        if existing is None:
            raise
        return existing, False
    return request, True


def meeting_forward(*, actor, request: MeetingRequest) -> MeetingRequest:
    """The office forwards it to the body, which fixes date and attendees by a deadline."""
    from accounts.selectors import clerks_of_units

    with transaction.atomic():
        request = _locked_meeting(request)
        MEETING.check("forward", actor, request)
        before = request.status
        deadline = compute(
            what=_("安排约见"),
            spec=f"wd:{schedule_days()}",
            start=clock.today(),
            region=request.region,
            source=_("代表约见办法"),
        )
        request.schedule_due = deadline.date
        MEETING.move("forward", request)
        request.save(update_fields=["status", "schedule_due", "updated_at"])
        _meeting_audit(actor, request, before, schedule_due=[None, deadline.date.isoformat()])
        tracking.track(
            subject=request,
            kind=SCHEDULE_DEADLINE,
            label=_("安排代表约见"),
            title=request.subject,
            region=request.region,
            deadline=deadline,
            link=_meeting_link(request),
            unit=request.unit,
        )
        notify(
            recipients=list(clerks_of_units([request.unit_id])),
            kind="meeting_forwarded",
            title=_("代表约见贵单位负责人：%(subject)s，请于%(day)s前安排")
            % {"subject": request.subject, "day": _day(deadline.date)},
            link=_meeting_link(request),
        )
    return request


def _tell_deputies(request: MeetingRequest, title: str) -> None:
    users = [d.user for d in request.deputies.select_related("user") if d.user_id]
    notify(recipients=users, kind="meeting", title=title, link=_meeting_link(request))


def meeting_decline(*, actor, request: MeetingRequest, reason: str) -> MeetingRequest:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请写明不同意约见的理由。")})
    with transaction.atomic():
        request = _locked_meeting(request)
        MEETING.check("decline", actor, request)
        before = request.status
        request.decline_reason = reason[:REASON_MAX]
        MEETING.move("decline", request)
        request.save(update_fields=["status", "decline_reason", "updated_at"])
        _meeting_audit(actor, request, before, decline_reason=[None, request.decline_reason])
        _tell_deputies(request, _("约见未获同意：%(reason)s") % {"reason": reason[:100]})
    return request


def meeting_schedule(
    *, actor, request: MeetingRequest, meeting_at: datetime.datetime, place: str, attendees: str
) -> MeetingRequest:
    place, attendees = (place or "").strip(), (attendees or "").strip()
    errors = {}
    if meeting_at is None or meeting_at < clock.now():
        errors["meeting_at"] = _("请填写以后的约见时间。")
    if not place:
        errors["place"] = _("请填写约见地点。")
    if not attendees:
        errors["attendees"] = _("请填写参加约见的负责人。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        request = _locked_meeting(request)
        MEETING.check("schedule", actor, request)
        before = request.status
        request.meeting_at, request.place, request.attendees = (
            meeting_at,
            place[:120],
            attendees[:300],
        )
        MEETING.move("schedule", request)
        request.save(update_fields=["status", "meeting_at", "place", "attendees", "updated_at"])
        _meeting_audit(actor, request, before, meeting_at=[None, meeting_at.isoformat()])
        tracking.settle(subject=request, kind=SCHEDULE_DEADLINE)
        local = timezone.localtime(meeting_at)
        _tell_deputies(
            request,
            _("约见已安排：%(when)s，%(place)s，参加：%(who)s")
            % {"when": f"{local:%Y-%m-%d %H:%M}", "place": place, "who": attendees},
        )
    return request


def meeting_hold(*, actor, request: MeetingRequest, minutes: str) -> MeetingRequest:
    """The meeting took place: the minutes; the body's written follow-up is now due."""
    minutes = (minutes or "").strip()
    if len(minutes) < 10:
        raise ValidationError({"minutes": _("请填写约见纪要（至少10个字）。")})
    with transaction.atomic():
        request = _locked_meeting(request)
        MEETING.check("hold", actor, request)
        before = request.status
        deadline = compute(
            what=_("书面反馈"),
            spec=f"wd:{answer_days()}",
            start=clock.today(),
            region=request.region,
            source=_("代表约见办法"),
        )
        request.minutes, request.answer_due = minutes[:5000], deadline.date
        MEETING.move("hold", request)
        request.save(update_fields=["status", "minutes", "answer_due", "updated_at"])
        _meeting_audit(actor, request, before, answer_due=[None, deadline.date.isoformat()])
        tracking.track(
            subject=request,
            kind=ANSWER_DEADLINE,
            label=_("书面反馈代表约见事项"),
            title=request.subject,
            region=request.region,
            deadline=deadline,
            link=_meeting_link(request),
            unit=request.unit,
        )
        day = timezone.localdate(request.meeting_at) if request.meeting_at else clock.today()
        for deputy in request.deputies.all():
            duty_credit(
                deputy=deputy,
                kind=DutyKind.APPOINTMENT,
                date=day,
                source=request,
                title=_("约见%(unit)s负责人：%(subject)s")
                % {"unit": request.unit.name, "subject": request.subject},
                url=_meeting_link(request),
            )
    return request


def meeting_answer(*, actor, request: MeetingRequest, answer: str) -> MeetingRequest:
    answer = (answer or "").strip()
    if len(answer) < 10:
        raise ValidationError({"answer": _("请填写书面反馈（至少10个字）。")})
    with transaction.atomic():
        request = _locked_meeting(request)
        MEETING.check("answer", actor, request)
        before = request.status
        request.answer = answer[:5000]
        MEETING.move("answer", request)
        request.save(update_fields=["status", "answer", "updated_at"])
        _meeting_audit(actor, request, before)
        tracking.settle(subject=request, kind=ANSWER_DEADLINE)
        _tell_deputies(request, _("约见事项已书面反馈，请评价：%(s)s") % {"s": request.subject})
    return request


def meeting_rate(
    *, actor, request: MeetingRequest, rating: str, comment: str = ""
) -> MeetingRating:
    """One deputy's rating of the follow-up; the last deputy's closes the request."""
    if rating not in Rating.values:
        raise ValidationError({"rating": _("请选择满意、基本满意或不满意。")})
    with transaction.atomic():
        request = _locked_meeting(request)
        MEETING.check("rate", actor, request)
        deputy = can.rating_deputy(actor, request)
        row = MeetingRating.objects.create(
            request=request, deputy=deputy, rating=rating, comment=(comment or "").strip()[:300]
        )
        before = request.status
        if request.ratings.count() >= request.deputies.count():
            MEETING.move("rate", request, target=MeetingRequest.Status.CLOSED)
            request.save(update_fields=["status", "updated_at"])
        _meeting_audit(actor, request, before, rating=[None, f"{deputy.name}: {rating}"])
    return row


# --- 3. Report-backs (述职评议) ----------------------------------------------------------


def report_back_schedule(
    *,
    actor,
    deputy: Deputy,
    station: Station,
    starts_at: datetime.datetime,
    method: str,
    form_token: str,
) -> tuple[ReportBack, bool]:
    existing = ReportBack.objects.filter(form_token=form_token).first() if form_token else None
    if existing is not None:
        return existing, False
    _check_token(form_token)
    if not can.can_schedule_report_back(actor, station):
        raise PermissionDenied(_("您不能在该站点安排述职。"))
    if method not in ReportBack.Method.values:
        raise ValidationError({"method": _("请选择测评方式。")})
    if starts_at is None:
        raise ValidationError({"starts_at": _("请填写述职时间。")})
    if deputy.status != Deputy.Status.ACTIVE:
        raise ValidationError({"deputy": _("只能为在任代表安排述职。")})
    try:
        with transaction.atomic():
            report = ReportBack(
                deputy=deputy,
                station=station,
                region=station.region,
                starts_at=starts_at,
                method=method,
                recorded_by=actor,
                form_token=form_token,
            )
            report.save()
            audit_record(
                actor=actor,
                action=AuditRecord.Action.CREATE,
                obj=report,
                changes=diff({}, snapshot(report, ["deputy", "station", "starts_at", "method"])),
            )
            if deputy.user_id:
                notify(
                    recipients=[deputy.user],
                    kind="report_back",
                    title=_("已安排您于%(when)s在%(station)s向选民述职")
                    % {
                        "when": f"{timezone.localtime(starts_at):%Y-%m-%d %H:%M}",
                        "station": station.name,
                    },
                    link=reverse("appointments:report_detail", args=[report.pk]),
                )
    except IntegrityError:
        existing = ReportBack.objects.filter(form_token=form_token).first()
        if existing is None:
            raise
        return existing, False
    return report, True


def _locked_report(report: ReportBack) -> ReportBack:
    return (
        ReportBack.objects.select_for_update(of=("self",))
        .select_related("deputy", "station", "region")
        .get(pk=report.pk)
    )


def report_back_hold(
    *,
    actor,
    report: ReportBack,
    audience: int,
    report_text: str,
    questions: Sequence[RaisedSuggestion] = (),
) -> ReportBack:
    """The report-back took place: audience, text, questions (they become suggestions),
    and the deputy's duty record gets its report-back (`DutyReport`)."""
    from suggestions.services import suggestion_submit

    report_text = (report_text or "").strip()
    if audience is None or audience < 1:
        raise ValidationError({"audience": _("请填写参加述职的选民人数。")})
    if len(report_text) < 20:
        raise ValidationError({"report_text": _("请填写述职报告（至少20个字）。")})
    with transaction.atomic():
        report = _locked_report(report)
        REPORT_BACK.check("hold", actor, report)
        before = report.status
        day = timezone.localdate(report.starts_at)
        made = []
        for index, item in enumerate(questions):
            suggestion, _created = suggestion_submit(
                actor=actor,
                channel="station",
                category=item.category,
                content=item.content,
                deputy=report.deputy,
                station=report.station,
                region=report.station.region,
                contact_name=item.contact_name,
                contact_phone=item.contact_phone,
                submission_token=f"{report.form_token}-q{index}"[:64],
            )
            made.append(suggestion)
        duty_report = duty_report_create(
            actor=actor,
            deputy=report.deputy,
            year=day.year,
            date=day,
            notes=_("在%(station)s向选民述职，%(n)s名选民参加。")
            % {"station": report.station.name, "n": audience},
        )
        report.audience, report.report_text, report.duty_report = audience, report_text, duty_report
        REPORT_BACK.move("hold", report)
        report.save(
            update_fields=["status", "audience", "report_text", "duty_report", "updated_at"]
        )
        report.suggestions.set(made)
        audit_record(
            actor=actor,
            action=AuditRecord.Action.STATE,
            obj=report,
            changes={
                "status": [before, report.status],
                "audience": [None, audience],
                "suggestions": [None, [s.tracking_code for s in made]],
            },
        )
    return report


def _evaluation_text(report: ReportBack) -> str:
    return _("满意%(a)s票，基本满意%(b)s票，不满意%(c)s票") % {
        "a": report.satisfied,
        "b": report.basically,
        "c": report.unsatisfied,
    }


def _record_result(actor, report: ReportBack, before: str) -> None:
    """Write the evaluation onto the duty record's report-back and the audit trail."""
    if report.duty_report_id:
        duty_report = report.duty_report
        duty_report.notes = _("测评：%(result)s。在%(station)s向选民述职，%(n)s名选民参加。") % {
            "result": _evaluation_text(report),
            "station": report.station.name,
            "n": report.audience,
        }
        duty_report.save(update_fields=["notes", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditRecord.Action.STATE,
        obj=report,
        changes={"status": [before, report.status], "result": [None, _evaluation_text(report)]},
        actor_label="" if actor else _("系统（测评时间到）"),
    )


def report_back_tally(
    *, actor, report: ReportBack, satisfied: int, basically: int, unsatisfied: int
) -> ReportBack:
    """The officer enters the paper tally; no more votes than voters present."""
    counts = [satisfied, basically, unsatisfied]
    if any(c is None or c < 0 for c in counts):
        raise ValidationError(_("票数不能为负数。"))
    with transaction.atomic():
        report = _locked_report(report)
        REPORT_BACK.check("tally", actor, report)
        if sum(counts) == 0:
            raise ValidationError(_("请录入测评票数。"))
        if sum(counts) > report.audience:
            raise ValidationError(
                _("测评票总数（%(n)s）不能超过参加述职的选民人数（%(a)s）。")
                % {"n": sum(counts), "a": report.audience}
            )
        before = report.status
        report.satisfied, report.basically, report.unsatisfied = counts
        report.method = ReportBack.Method.PAPER
        REPORT_BACK.move("tally", report)
        report.save(
            update_fields=[
                "status",
                "method",
                "satisfied",
                "basically",
                "unsatisfied",
                "updated_at",
            ]
        )
        _record_result(actor, report, before)
    return report


def report_back_open_poll(*, actor, report: ReportBack) -> ReportBack:
    """Open the phone poll now, for the meeting's hour (REPORT_BACK_POLL_MINUTES)."""
    with transaction.atomic():
        report = _locked_report(report)
        REPORT_BACK.check("open_poll", actor, report)
        now = clock.now()
        report.method = ReportBack.Method.PHONE
        report.poll_opens_at = now
        report.poll_closes_at = now + datetime.timedelta(minutes=poll_minutes())
        report.save(update_fields=["method", "poll_opens_at", "poll_closes_at", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditRecord.Action.UPDATE,
            obj=report,
            changes={"poll_closes_at": [None, report.poll_closes_at.isoformat()]},
        )
    return report


def voter_key(report: ReportBack, phone: str) -> str:
    """A keyed digest of the phone for this poll: stops a second vote, names nobody."""
    message = f"{report.pk}:{phone}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def report_back_vote(*, report: ReportBack, phone: str, rating: str) -> bool:
    """One vote per phone while the poll is open. True: counted; a second vote from the
    same phone raises. Concurrent votes of one phone: the unique constraint keeps one."""
    if rating not in Rating.values:
        raise ValidationError({"rating": _("请选择满意、基本满意或不满意。")})
    phone = clean_citizen_phone(phone)
    report = ReportBack.objects.get(pk=report.pk)
    REPORT_BACK.check("vote", None, report)
    try:
        with transaction.atomic():
            PollVote.objects.create(
                report_back=report, voter=voter_key(report, phone), rating=rating
            )
    except IntegrityError:
        raise ValidationError({"phone": _("该手机号已经参加过本次测评。")}) from None
    return True


def report_back_close_poll(*, actor, report: ReportBack) -> ReportBack:
    """Count the phone votes into the result (the officer ends the poll, early or on time)."""
    with transaction.atomic():
        report = _locked_report(report)
        REPORT_BACK.check("close_poll", actor, report)
        return _count_poll(actor, report)


def _count_poll(actor, report: ReportBack) -> ReportBack:
    from django.db.models import Count

    now = clock.now()
    if report.poll_closes_at and report.poll_closes_at > now:
        report.poll_closes_at = now
    counts = dict(
        PollVote.objects.filter(report_back=report)
        .order_by()
        .values("rating")
        .annotate(n=Count("pk"))
        .values_list("rating", "n")
    )
    before = report.status
    report.satisfied = counts.get(Rating.SATISFIED, 0)
    report.basically = counts.get(Rating.BASICALLY, 0)
    report.unsatisfied = counts.get(Rating.UNSATISFIED, 0)
    REPORT_BACK.move("close_poll", report)
    report.save(
        update_fields=[
            "status",
            "poll_closes_at",
            "satisfied",
            "basically",
            "unsatisfied",
            "updated_at",
        ]
    )
    _record_result(actor, report, before)
    return report


def report_back_close_expired() -> int:
    """Count the polls whose hour is over (periodic; the system closes them, no actor)."""
    closed = 0
    expired = ReportBack.objects.filter(
        status=ReportBack.Status.HELD,
        method=ReportBack.Method.PHONE,
        poll_closes_at__lte=clock.now(),
    ).values_list("pk", flat=True)
    for pk in list(expired):
        with transaction.atomic():
            report = _locked_report(ReportBack(pk=pk))
            if report.status != ReportBack.Status.HELD or report.poll_closes_at is None:
                continue
            _count_poll(None, report)
            closed += 1
    return closed


def report_back_cancel(*, actor, report: ReportBack) -> ReportBack:
    with transaction.atomic():
        report = _locked_report(report)
        REPORT_BACK.check("cancel", actor, report)
        before = report.status
        REPORT_BACK.move("cancel", report)
        report.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditRecord.Action.STATE,
            obj=report,
            changes={"status": [before, report.status]},
        )
    return report


# --- 4. Groups' activities --------------------------------------------------------------


def group_activity_create(
    *,
    actor,
    group: DeputyGroup,
    kind: str,
    title: str,
    date: datetime.date,
    deputies: Sequence[Deputy],
    convenor: Deputy | None = None,
    notes: str = "",
) -> GroupActivity:
    """A group's activity: a station activity (at the group's station) linked to the group."""
    if not can.can_keep_group(actor, group):
        raise PermissionDenied(_("您无权为该代表小组登记活动。"))
    if group.station_id is None:
        raise ValidationError(_("请先为该代表小组指定活动联络站。"))
    members = set(group.members.values_list("pk", flat=True))
    if any(d.pk not in members for d in deputies):
        raise ValidationError({"deputies": _("只能选择本小组的成员。")})
    if convenor is not None and convenor.pk not in members:
        raise ValidationError({"convenor": _("召集人应为本小组成员。")})
    with transaction.atomic():
        activity = activity_create(
            actor=actor,
            station=group.station,
            kind=kind,
            title=title,
            date=date,
            deputies=list(deputies),
            notes=notes,
        )
        link = GroupActivity.objects.create(
            activity=activity,
            group=group,
            convenor=convenor,
            date=activity.date,
            region_id=group.region_id,
        )
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE,
            obj=link,
            changes={"group": [None, group.name], "activity": [None, activity.title]},
        )
    return link


def flag_quiet_groups(*, year: int, quarter: int) -> int:
    """Tell each township about its groups that held no activity in the quarter (once)."""
    from .models import GroupQuarterFlag
    from .selectors import quarter_bounds, quiet_groups

    start, end = quarter_bounds(year, quarter)
    flagged = 0
    for group in quiet_groups(DeputyGroup.objects.all(), start, end):
        with transaction.atomic():
            _flag, created = GroupQuarterFlag.objects.get_or_create(
                group=group, year=year, quarter=quarter, defaults={"region_id": group.region_id}
            )
            if not created:
                continue
            notify(
                recipients=can.office_staff(group.region),
                kind="group_quiet",
                title=_("%(group)s在%(y)s年第%(q)s季度没有开展活动")
                % {"group": group.name, "y": year, "q": quarter},
                link=reverse("appointments:group_detail", args=[group.pk]),
            )
            flagged += 1
    return flagged


# --- 5. Members' contact with deputies (双联系) -------------------------------------------


def liaison_bind(*, actor, member, deputy: Deputy) -> LiaisonBinding:
    if not can.can_bind_member(actor, deputy):
        raise PermissionDenied(_("您无权为该代表安排联系人。"))
    if not can.is_committee_member(member):
        raise ValidationError({"member": _("联系人应为常委会组成人员（领导账号）。")})
    with transaction.atomic():
        binding, created = LiaisonBinding.objects.get_or_create(
            member=member, deputy=deputy, defaults={"region_id": deputy.region_id}
        )
        if not created and not binding.active:
            binding.active = True
            binding.save(update_fields=["active"])
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE if created else AuditRecord.Action.UPDATE,
            obj=binding,
            changes={"member": [None, str(member)], "deputy": [None, deputy.name]},
        )
    return binding


def liaison_unbind(*, actor, binding: LiaisonBinding) -> LiaisonBinding:
    if not can.can_record_contact(actor, binding):
        raise PermissionDenied(_("您无权进行此操作。"))
    with transaction.atomic():
        binding.active = False
        binding.save(update_fields=["active"])
        audit_record(
            actor=actor,
            action=AuditRecord.Action.UPDATE,
            obj=binding,
            changes={"active": [True, False]},
        )
    return binding


def liaison_contact_record(
    *, actor, binding: LiaisonBinding, date: datetime.date, mode: str, matters: str, form_token: str
) -> tuple[LiaisonContact, bool]:
    from .models import ContactMode

    existing = LiaisonContact.objects.filter(form_token=form_token).first() if form_token else None
    if existing is not None:
        return existing, False
    _check_token(form_token)
    if not can.can_record_contact(actor, binding):
        raise PermissionDenied(_("您无权登记该联系记录。"))
    errors = {}
    if date is None or date > clock.today():
        errors["date"] = _("联系日期不能晚于今天。")
    if mode not in ContactMode.values:
        errors["mode"] = _("请选择联系方式。")
    if not (matters or "").strip():
        errors["matters"] = _("请填写联系事项。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contact = LiaisonContact.objects.create(
            binding=binding,
            region_id=binding.region_id,
            date=date,
            mode=mode,
            matters=matters.strip()[:2000],
            recorded_by=actor,
            form_token=form_token,
        )
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE,
            obj=contact,
            changes=diff({}, snapshot(contact, ["binding", "date", "mode"])),
        )
    return contact, True


# --- 6. Leaders at stations ---------------------------------------------------------------


def leader_visit_record(
    *,
    actor,
    station: Station,
    leader,
    date: datetime.date,
    people_count: int,
    notes: str = "",
    raised: Sequence[RaisedSuggestion] = (),
    form_token: str,
) -> tuple[LeaderVisit, bool]:
    """A leader's station day with the people received; matters raised become suggestions."""
    from suggestions.services import suggestion_submit

    existing = LeaderVisit.objects.filter(form_token=form_token).first() if form_token else None
    if existing is not None:
        return existing, False
    _check_token(form_token)
    if not can.can_record_at_station(actor, station):
        raise PermissionDenied(_("您不能在该站点登记。"))
    if not can.is_leader_for(leader, station):
        raise ValidationError({"leader": _("请选择本地的领导干部账号。")})
    if date is None or date > clock.today():
        raise ValidationError({"date": _("进站日期不能晚于今天。")})
    if people_count is None or people_count < 0:
        raise ValidationError({"people_count": _("请填写接待群众人数。")})
    with transaction.atomic():
        visit = LeaderVisit.objects.create(
            station=station,
            region=station.region,
            leader=leader,
            date=date,
            people_count=people_count,
            notes=(notes or "").strip()[:2000],
            recorded_by=actor,
            form_token=form_token,
        )
        made = []
        for index, item in enumerate(raised):
            suggestion, _created = suggestion_submit(
                actor=actor,
                channel="station",
                category=item.category,
                content=item.content,
                station=station,
                region=station.region,
                contact_name=item.contact_name,
                contact_phone=item.contact_phone,
                submission_token=f"{form_token}-{index}"[:64],
            )
            made.append(suggestion)
        visit.suggestions.set(made)
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE,
            obj=visit,
            changes={
                "leader": [None, str(leader)],
                "date": [None, date.isoformat()],
                "people_count": [None, people_count],
                "suggestions": [None, [s.tracking_code for s in made]],
            },
        )
    return visit, True


# --- 7. Other duties ---------------------------------------------------------------------


def duty_event_record(
    *,
    actor,
    region,
    kind: str,
    title: str,
    date: datetime.date,
    deputies: Sequence[Deputy],
    form_token: str,
) -> tuple[DutyEvent, bool]:
    """Session attendance, inspections, sitting in at the standing committee, training...:
    each deputy present is credited on their duty record."""
    existing = DutyEvent.objects.filter(form_token=form_token).first() if form_token else None
    if existing is not None:
        return existing, False
    _check_token(form_token)
    if not can.can_record_duty_event(actor, region):
        raise PermissionDenied(_("您无权在该区划登记履职活动。"))
    errors = {}
    if kind not in DutyEvent.KINDS:
        errors["kind"] = _("请选择履职类型。")
    if not (title or "").strip():
        errors["title"] = _("请填写事项。")
    if date is None or date > clock.today():
        errors["date"] = _("日期不能晚于今天。")
    if not deputies:
        errors["deputies"] = _("请选择参加的代表。")
    elif any(not d.region_path.startswith(region.path) for d in deputies):
        errors["deputies"] = _("只能选择本辖区的代表。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        event = DutyEvent.objects.create(
            region=region,
            kind=kind,
            title=title.strip()[:200],
            date=date,
            recorded_by=actor,
            form_token=form_token,
        )
        event.deputies.set(deputies)
        url = reverse("appointments:duty_event_detail", args=[event.pk])
        for deputy in deputies:
            duty_credit(
                deputy=deputy, kind=kind, date=date, source=event, title=event.title, url=url
            )
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE,
            obj=event,
            changes={
                **diff({}, snapshot(event, ["kind", "title", "date"])),
                "deputies": [None, [d.name for d in deputies]],
            },
        )
    return event, True


def duty_event_delete(*, actor, event: DutyEvent) -> None:
    if not can.can_record_duty_event(actor, event.region):
        raise PermissionDenied(_("您无权进行此操作。"))
    with transaction.atomic():
        duty_withdraw(kind=event.kind, source=event)
        audit_record(
            actor=actor,
            action=AuditRecord.Action.DELETE,
            obj=event,
            changes=diff(snapshot(event, ["kind", "title", "date"]), {}),
        )
        event.delete()


__all__ = ["StationActivity"]
