"""A citizen books a deputy's reception day (扫码有约): capacity, SMS, answers, the reception."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from appointments import services
from appointments.models import Booking, BookingSlot
from notifications.models import Delivery
from receptions.models import Reception
from suggestions.models import Suggestion

from .world import rule_for

THU = datetime.date(2026, 6, 4)  # a Thursday: 马志刚's weekly reception day
NOW = datetime.datetime(2026, 6, 1, 10, 0, tzinfo=datetime.UTC)


def book(world, rule, n=0, **extra):
    values = {
        "deputy": world.deputy,
        "rule_id": rule.pk,
        "date": THU,
        "topic": "小区门口路灯坏了半年",
        "name": "李大爷",
        "phone": f"139{n:08d}",
        "consent": True,
        "submission_token": f"booking-token-{n:06d}-abcdef",
    }
    values.update(extra)
    return services.booking_submit(**values)


def sms_to(phone):
    return list(
        Delivery.objects.filter(channel="sms", address=phone).values_list("text", flat=True)
    )


@pytest.fixture
def rule(world, clock):
    clock(NOW)
    return rule_for(world)


def test_a_slot_takes_its_capacity_and_no_more(world, rule, settings):
    settings.APPOINTMENT_SLOT_CAPACITY = 2
    book(world, rule, 1)
    book(world, rule, 2)
    with pytest.raises(ValidationError) as refused:
        book(world, rule, 3)
    assert "约满" in str(refused.value)
    slot = BookingSlot.objects.get()
    assert (slot.capacity, slot.taken) == (2, 2)
    assert Booking.objects.count() == 2


def test_the_same_submit_twice_is_one_booking(world, rule):
    first, created = book(world, rule, 1)
    again, created_again = book(world, rule, 1)
    assert created and not created_again and first.pk == again.pk
    assert BookingSlot.objects.get().taken == 1


def test_a_day_that_is_not_the_deputys_reception_day_is_refused(world, rule):
    with pytest.raises(ValidationError):
        book(world, rule, 1, date=THU + datetime.timedelta(days=1))
    with pytest.raises(ValidationError):  # past
        book(world, rule, 2, date=datetime.date(2026, 5, 28))
    assert not Booking.objects.exists()


def test_bad_input_says_what_is_wrong_and_saves_nothing(world, rule):
    with pytest.raises(ValidationError) as refused:
        book(world, rule, 1, phone="12345", topic="路灯", name="", consent=False)
    assert set(refused.value.message_dict) >= {"phone", "topic", "name", "consent"}
    assert not Booking.objects.exists() and not BookingSlot.objects.exists()


def test_confirm_texts_the_citizen_and_a_reminder_goes_the_day_before(world, rule, clock):
    booking, _ = book(world, rule, 1)
    services.booking_confirm(actor=world.station_officer, booking=booking)
    assert any("已确认" in text for text in sms_to(booking.phone))
    clock(datetime.datetime(2026, 6, 2, 9, 40, tzinfo=datetime.UTC))
    assert services.booking_remind_tomorrow() == 0  # two days before: not yet
    clock(datetime.datetime(2026, 6, 3, 9, 40, tzinfo=datetime.UTC))
    assert services.booking_remind_tomorrow() == 1
    assert services.booking_remind_tomorrow() == 0  # once only
    assert sum("提醒" in text for text in sms_to(booking.phone)) == 1


def test_another_time_frees_the_place_and_the_citizen_accepts(world, rule, settings):
    settings.APPOINTMENT_SLOT_CAPACITY = 1
    booking, _ = book(world, rule, 1)
    services.booking_propose(
        actor=world.deputy_user, booking=booking, date=datetime.date(2026, 6, 9), time_note="15:00"
    )
    assert BookingSlot.objects.get().taken == 0
    assert any("改约" in text for text in sms_to(booking.phone))
    book(world, rule, 2)  # the place is free again
    booking = services.booking_accept(booking=booking)
    assert booking.status == Booking.Status.CONFIRMED and booking.date == datetime.date(2026, 6, 9)


def test_decline_needs_a_reason_and_texts_it(world, rule):
    booking, _ = book(world, rule, 1)
    with pytest.raises(ValidationError):
        services.booking_decline(actor=world.station_officer, booking=booking, reason=" ")
    services.booking_decline(actor=world.station_officer, booking=booking, reason="代表外出学习")
    assert any("代表外出学习" in text for text in sms_to(booking.phone))
    assert BookingSlot.objects.get().taken == 0


def test_only_the_deputy_the_officer_or_staff_answer(world, rule):
    booking, _ = book(world, rule, 1)
    for outsider in (world.outsider, world.leader, world.clerk):
        with pytest.raises(PermissionDenied):
            services.booking_confirm(actor=outsider, booking=booking)
    with pytest.raises(PermissionDenied):  # cancelling is the citizen's, from the receipt
        services.BOOKING.check("cancel", world.station_officer, booking)


def test_held_it_becomes_a_reception_and_the_topic_a_suggestion(world, rule, clock):
    booking, _ = book(world, rule, 1)
    services.booking_confirm(actor=world.station_officer, booking=booking)
    with pytest.raises(ValidationError):  # not before the day
        services.booking_hold(actor=world.station_officer, booking=booking)
    clock(datetime.datetime(2026, 6, 4, 11, 0, tzinfo=datetime.UTC))
    booking = services.booking_hold(
        actor=world.station_officer, booking=booking, notes="已当面解释"
    )
    reception = Reception.objects.get()
    assert booking.reception_id == reception.pk and booking.status == Booking.Status.HELD
    assert list(reception.deputies.all()) == [world.deputy]
    suggestion = Suggestion.objects.get()
    assert suggestion.content == "小区门口路灯坏了半年"
    assert list(reception.suggestions.all()) == [suggestion]


def test_cancel_by_the_citizen_gives_the_place_back(world, rule):
    booking, _ = book(world, rule, 1)
    services.booking_cancel(booking=booking)
    assert BookingSlot.objects.get().taken == 0
    with pytest.raises(ValidationError):
        services.booking_cancel(booking=booking)


def test_another_time_without_a_slot(world, rule):
    booking, _ = book(world, rule, 1, rule_id=None, date=None, wished="下周二下午")
    assert booking.slot is None and booking.station == world.station
    with pytest.raises(ValidationError):  # a wished time is fixed by "another time" first
        services.booking_confirm(actor=world.station_officer, booking=booking)
