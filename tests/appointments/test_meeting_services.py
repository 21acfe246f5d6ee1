"""Deputies meet the head of a body (约见): review, the body's deadline across a holiday,
minutes, the written follow-up, the deputies' ratings, supervision and the duty record."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from appointments import services
from appointments.models import MeetingRequest
from appointments.workflow import ANSWER_DEADLINE, SCHEDULE_DEADLINE
from duties.models import DutyCredit
from supervision.models import TrackedDeadline


def at(day, hour=10):
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=datetime.UTC)


@pytest.fixture
def meeting(world, clock):
    clock(at(datetime.date(2026, 9, 29)))
    request, _ = services.meeting_request_create(
        actor=world.deputy_user,
        unit=world.unit,
        deputies=[world.deputy, world.other_deputy],
        subject="农村饮水安全",
        reasons="多个村反映自来水浑浊，需要当面约见水务局负责人了解整改计划。",
        form_token="meeting-token-0001-abcdef",
    )
    return request


def test_a_deputy_asks_only_in_their_own_name(world, clock):
    clock(at(datetime.date(2026, 9, 29)))
    with pytest.raises(PermissionDenied):
        services.meeting_request_create(
            actor=world.deputy_user,
            unit=world.unit,
            deputies=[world.other_deputy],
            subject="x",
            reasons="多个村反映自来水浑浊需要约见。",
            form_token="meeting-token-0002-abcdef",
        )


def test_the_same_submit_twice_is_one_request(world, meeting):
    again, created = services.meeting_request_create(
        actor=world.deputy_user,
        unit=world.unit,
        deputies=[world.deputy],
        subject="农村饮水安全",
        reasons="多个村反映自来水浑浊，需要当面约见。",
        form_token="meeting-token-0001-abcdef",
    )
    assert not created and again.pk == meeting.pk


def test_the_body_sees_it_only_once_forwarded(world, meeting):
    assert not MeetingRequest.objects.visible_to(world.clerk).exists()
    services.meeting_forward(actor=world.county_officer, request=meeting)
    assert MeetingRequest.objects.visible_to(world.clerk).get() == meeting
    assert not MeetingRequest.objects.visible_to(world.neighbour_clerk).exists()


def test_the_deadline_to_schedule_counts_working_days_across_national_day(world, meeting, settings):
    settings.APPOINTMENT_SCHEDULE_WORKING_DAYS = 10
    with pytest.raises(PermissionDenied):  # the office reviews, not the body
        services.meeting_forward(actor=world.clerk, request=meeting)
    meeting = services.meeting_forward(actor=world.county_officer, request=meeting)
    # 9/30, then 10/1–7 are off; 10/10 (Saturday) is a make-up working day.
    assert meeting.schedule_due == datetime.date(2026, 10, 19)
    tracked = TrackedDeadline.objects.get(kind=SCHEDULE_DEADLINE)
    assert tracked.due_date == meeting.schedule_due and tracked.unit_id == world.unit.pk


def test_decline_needs_a_reason(world, meeting):
    with pytest.raises(ValidationError):
        services.meeting_decline(actor=world.county_officer, request=meeting, reason="")
    meeting = services.meeting_decline(
        actor=world.county_officer, request=meeting, reason="已在办理"
    )
    assert meeting.status == MeetingRequest.Status.DECLINED


def test_the_whole_way_to_the_ratings(world, meeting, clock):
    services.meeting_forward(actor=world.county_officer, request=meeting)
    meeting = services.meeting_schedule(
        actor=world.clerk,
        request=meeting,
        meeting_at=at(datetime.date(2026, 10, 9), 15),
        place="水务局三楼会议室",
        attendees="局长张某、副局长王某",
    )
    assert TrackedDeadline.objects.get(kind=SCHEDULE_DEADLINE).status == "met"
    with pytest.raises(ValidationError):  # minutes only after the meeting
        services.meeting_hold(
            actor=world.clerk, request=meeting, minutes="局长答应十月底前完成整改。"
        )
    clock(at(datetime.date(2026, 10, 9), 17))
    meeting = services.meeting_hold(
        actor=world.clerk, request=meeting, minutes="局长答应十月底前完成水质整改并书面反馈。"
    )
    assert TrackedDeadline.objects.get(kind=ANSWER_DEADLINE).status == "open"
    credited = DutyCredit.objects.filter(kind="appointment").values_list("deputy_id", flat=True)
    assert set(credited) == {world.deputy.pk, world.other_deputy.pk}
    meeting = services.meeting_answer(
        actor=world.clerk, request=meeting, answer="已更换三个村的过滤设备，水质检测合格。"
    )
    assert TrackedDeadline.objects.get(kind=ANSWER_DEADLINE).status == "met"
    services.meeting_rate(actor=world.deputy_user, request=meeting, rating="satisfied")
    with pytest.raises(PermissionDenied):  # once per deputy
        services.meeting_rate(actor=world.deputy_user, request=meeting, rating="satisfied")
    meeting.refresh_from_db()
    assert meeting.status == MeetingRequest.Status.ANSWERED  # 王秀英 has not rated yet
