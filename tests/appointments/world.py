"""The appointments part of the cast: a weekly reception day of 马志刚 at 天宁镇's station,
a booking, a meeting request to 交城县水务局, a report-back, a group, a binding, a
leader's station day and a duty event. Made once per test, on first use."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

from accounts.models import Role
from tests import factories as f

THURSDAY = 3


def rule_for(world, *, weekday=THURSDAY):
    from deputies.models import StationMembership
    from receptions.models import ReceptionRule

    StationMembership.objects.get_or_create(
        deputy=world.deputy,
        station=world.station,
        defaults={"start_date": datetime.date(2025, 1, 1)},
    )
    rule, created = ReceptionRule.objects.get_or_create(
        station=world.station,
        kind=ReceptionRule.Kind.WEEKLY,
        weekday=weekday,
        defaults={
            "region": world.station.region,
            "valid_from": datetime.date(2025, 1, 1),
            "start_time": datetime.time(9, 0),
            "end_time": datetime.time(11, 30),
        },
    )
    if created:
        rule.deputies.set([world.deputy])
    return rule


def appointments_world(world):
    cached = getattr(world, "_appointments", None)
    if cached is not None:
        return cached
    from appointments.models import (
        Booking,
        DutyEvent,
        GroupActivity,
        LeaderVisit,
        LiaisonBinding,
        LiaisonContact,
        MeetingRequest,
        ReportBack,
    )
    from deputies.models import DeputyGroup
    from receptions.models import StationActivity

    rule = rule_for(world)
    booking = Booking.objects.create(
        deputy=world.deputy,
        station=world.station,
        region=world.station.region,
        date=datetime.date(2026, 6, 4),
        topic="小区门口路灯坏了半年",
        name="李大爷",
        phone="13912345678",
        submission_token="walk-booking-token-0001",
    )
    meeting = MeetingRequest.objects.create(
        unit=world.unit,
        region=world.county,
        subject="农村饮水安全",
        reasons="多个村反映自来水浑浊，需要当面约见水务局负责人。",
        status=MeetingRequest.Status.FORWARDED,
        form_token="walk-meeting-token-0001",
    )
    meeting.deputies.set([world.deputy])
    report = ReportBack.objects.create(
        deputy=world.deputy,
        station=world.station,
        region=world.station.region,
        starts_at=datetime.datetime(2026, 6, 4, 9, 0, tzinfo=datetime.UTC),
        form_token="walk-report-token-0001",
    )
    group, _ = DeputyGroup.objects.get_or_create(
        name="天宁镇代表小组", region=world.township, defaults={"station": world.station}
    )
    group.members.add(world.deputy)
    activity = StationActivity.objects.create(
        station=world.station,
        region=world.station.region,
        kind="theme",
        title="季回组活动",
        date=datetime.date(2026, 4, 10),
    )
    group_activity = GroupActivity.objects.create(
        activity=activity, group=group, date=activity.date, region=world.township
    )
    member = f.user_with_role("committee_member", Role.LEADER, region=world.county)
    binding = LiaisonBinding.objects.create(
        member=member, deputy=world.deputy, region=world.township
    )
    contact = LiaisonContact.objects.create(
        binding=binding,
        region=world.township,
        date=datetime.date(2026, 4, 2),
        mode="phone",
        matters="了解代表建议办理情况",
        form_token="walk-contact-token-0001",
    )
    visit = LeaderVisit.objects.create(
        station=world.station,
        region=world.station.region,
        leader=world.leader,
        date=datetime.date(2026, 4, 3),
        people_count=12,
        form_token="walk-visit-token-0001",
    )
    event = DutyEvent.objects.create(
        region=world.county,
        kind="session",
        title="出席县第十七届人大第五次会议",
        date=datetime.date(2026, 1, 10),
        form_token="walk-event-token-0001",
    )
    event.deputies.set([world.deputy])
    world._appointments = SimpleNamespace(
        rule=rule,
        booking=booking,
        meeting=meeting,
        report=report,
        group=group,
        group_activity=group_activity,
        member=member,
        binding=binding,
        contact=contact,
        visit=visit,
        event=event,
    )
    return world._appointments
