"""The workflow tells people: units when assigned, the assigner when a unit is late or
returns, the citizen by SMS when the reply is ready, deputies the day before duty."""

import datetime

from django.utils import timezone

from core import clock, outbox
from deputies.models import StationMembership
from notifications.models import Delivery, Notification, Preference
from receptions.models import ReceptionRule
from suggestions import services
from suggestions.models import Assignment, Suggestion
from supervision import sweeps
from supervision.models import DutyReminderLog

from .helpers import assigned, submit

D = datetime.date


def _run_all() -> None:
    # Notices queue their deliveries: run until nothing is left.
    while outbox.run_pending():
        pass


def test_unit_clerks_are_notified_of_an_assignment(world):
    world.clerk.email = "clerk@example.gov.cn"
    world.clerk.save(update_fields=["email"])

    suggestion = assigned(world, on=D(2026, 3, 2))
    _run_all()

    (notice,) = Notification.objects.filter(recipient=world.clerk, kind="suggestion_assigned")
    assert suggestion.display_code in notice.title
    assert "2026-03-04" in notice.body and "2026-03-09" in notice.body
    assert notice.link == f"/suggestions/{suggestion.pk}/"
    assert Delivery.objects.get(notification=notice).status == Delivery.Status.SENT
    assert not Notification.objects.filter(recipient=world.neighbour_clerk).exists()


def test_a_clerk_who_wants_sms_gets_an_sms_instead_of_mail(world):
    world.clerk.phone = "13900002222"
    world.clerk.email = "clerk@example.gov.cn"
    world.clerk.save(update_fields=["phone", "email"])
    Preference.objects.create(user=world.clerk, by_email=False, by_sms=True)

    assigned(world, on=D(2026, 3, 2))
    _run_all()

    assert list(Delivery.objects.values_list("channel", "address")) == [("sms", "13900002222")]


def test_the_assigner_hears_of_a_late_signature_and_not_of_a_timely_one(world):
    late = assigned(world, on=D(2026, 3, 2))
    on_time = assigned(world, on=D(2026, 3, 2))
    with clock.frozen(D(2026, 3, 3)):
        services.assignment_acknowledge(actor=world.clerk, assignment=on_time.assignments.get())
    with clock.frozen(D(2026, 3, 5)):
        services.assignment_acknowledge(actor=world.clerk, assignment=late.assignments.get())
    _run_all()

    (notice,) = Notification.objects.filter(
        recipient=world.township_officer, kind="assignment_late"
    )
    assert late.display_code in notice.title and "交城县水务局" in notice.title
    assert "2026-03-04" in notice.body


def test_the_assigner_hears_of_a_return_with_its_reason(world):
    suggestion = assigned(world, on=D(2026, 3, 2))
    with clock.frozen(D(2026, 3, 3)):
        services.assignment_return(
            actor=world.clerk,
            assignment=suggestion.assignments.get(),
            reason="供水管网属县自来水公司管理",
        )
    _run_all()

    (notice,) = Notification.objects.filter(
        recipient=world.township_officer, kind="assignment_returned"
    )
    assert "供水管网属县自来水公司管理" in notice.body
    assert notice.link == f"/suggestions/{suggestion.pk}/"


def test_the_citizen_gets_an_sms_with_the_tracking_link_when_the_reply_is_ready(world):
    suggestion = assigned(world, on=D(2026, 3, 2))
    with clock.frozen(D(2026, 3, 3)):
        services.assignment_acknowledge(actor=world.clerk, assignment=suggestion.assignments.get())
        services.suggestion_reply(actor=world.clerk, suggestion=suggestion, text="已修复管道。")
    _run_all()

    (sms,) = Delivery.objects.filter(channel="sms", notification=None)
    assert sms.address == "13812345678"
    assert sms.status == Delivery.Status.SENT
    url = f"https://lianxin.example.gov.cn/c/track/{suggestion.tracking_code}/"
    assert url in sms.text and suggestion.display_code in sms.text
    assert sms.region_path == suggestion.region_path


def test_an_anonymous_citizen_gets_no_sms(world):
    suggestion = submit(world, phone="")
    services.suggestion_answer_on_spot(
        actor=world.deputy_user, suggestion=suggestion, text="已解答"
    )
    _run_all()

    assert not Delivery.objects.filter(channel="sms").exists()
    assert Suggestion.objects.get(pk=suggestion.pk).status == Suggestion.Status.REPLIED


def test_an_answer_on_the_spot_is_texted_too(world):
    suggestion = submit(world)
    services.suggestion_answer_on_spot(
        actor=world.deputy_user, suggestion=suggestion, text="已解答"
    )
    _run_all()

    assert Delivery.objects.get(channel="sms").address == "13812345678"


def _duty_tomorrow(world, day: datetime.date) -> ReceptionRule:
    StationMembership.objects.create(
        deputy=world.deputy, station=world.station, start_date=D(2025, 1, 1)
    )
    rule = ReceptionRule.objects.create(
        station=world.station,
        region=world.station.region,
        kind=ReceptionRule.Kind.MONTHLY,
        day_of_month=day.day,
        valid_from=D(2025, 1, 1),
    )
    rule.deputies.add(world.deputy, world.other_deputy)
    return rule


def test_deputies_on_duty_are_reminded_the_day_before_once(world):
    # 马志刚 has an account; 王秀英 has none but a phone number
    world.other_deputy.phone = "13700001111"
    world.other_deputy.save(update_fields=["phone"])
    _duty_tomorrow(world, D(2026, 3, 20))  # a Friday
    evening = timezone.make_aware(datetime.datetime(2026, 3, 19, 16))

    assert sweeps.remind_duties(now=evening).total == 2
    assert sweeps.remind_duties(now=evening).total == 0
    _run_all()

    (notice,) = Notification.objects.filter(recipient=world.deputy_user, kind="duty_reminder")
    assert "天宁镇人大代表联络站" in notice.title and "2026-03-20" in notice.title
    (sms,) = Delivery.objects.filter(channel="sms", address="13700001111")
    assert "2026-03-20" in sms.text
    assert DutyReminderLog.objects.filter(notified_at__isnull=False).count() == 2


def test_a_duty_day_moved_off_a_holiday_is_reminded_the_day_before_its_new_date(world):
    # The 1st of October 2026 is National Day (1-7 Oct off): the reception moves to
    # Thu 8 Oct, and the deputies hear of it on the 7th, not on 30 September.
    _duty_tomorrow(world, D(2026, 10, 1))

    assert (
        sweeps.remind_duties(now=timezone.make_aware(datetime.datetime(2026, 9, 30, 16))).total == 0
    )
    assert (
        sweeps.remind_duties(now=timezone.make_aware(datetime.datetime(2026, 10, 7, 16))).total == 2
    )
    assert set(DutyReminderLog.objects.values_list("date", flat=True)) == {D(2026, 10, 8)}


def test_withdrawn_assignments_do_not_get_reminders(world):
    suggestion = assigned(world, on=D(2026, 3, 2))
    Assignment.objects.filter(suggestion=suggestion).update(status="withdrawn")

    assert sweeps.remind_due(now=timezone.make_aware(datetime.datetime(2026, 3, 3, 9))).total == 0
