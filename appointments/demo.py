"""Demo appointments for 交城县 (after seeds 000, 001, 003, 004): citizens' bookings of
马志刚 (扫码有约), a meeting of deputies with the head of 交城县水务局, a report-back
evaluated on the spot, the 天宁镇 group's quarterly meetings (季回组), a standing-committee
member's contacts with deputies (双联系), leaders' station days and a session attended.

Everything goes through the services with the clock set to the day it happened, so the
audit trail, the deadlines, the SMS and the duty credits read true. Skipped when the
demo bookings already exist (seeding twice adds nothing).
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from accounts.models import User
from core import clock
from deputies.models import Deputy, DeputyGroup
from receptions.services import RaisedSuggestion
from stations.models import Station
from suggestions.models import HandlingUnit

from . import services
from .models import Booking

SHOWCASE = "天宁镇人大代表联络站"
TOKEN = "demo-appointments-{}-lvliang2026"


def _user(username):
    return User.objects.filter(username=username).first()


def _at(day: datetime.date, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _bookings(deputy, officer, today, stdout):
    from .selectors import bookable_days

    topics = [
        (
            "roads",
            "村口到学校的路面坑洼，雨天孩子上学不方便，想当面反映。",
            "张秀兰",
            "13935811201",
        ),
        ("water", "新建小区自来水压力不够，高层住户经常停水。", "王建国", "13935811202"),
        ("elderly_care", "想了解村里日间照料中心什么时候能开放。", "刘福贵", "13935811203"),
    ]
    days = bookable_days(deputy)
    made = []
    for index, (category, topic, name, phone) in enumerate(topics):
        day = days[min(index, len(days) - 1)] if days else None
        booking, _ = services.booking_submit(
            deputy=deputy,
            rule_id=day.rule_id if day else None,
            date=day.date if day else None,
            wished="" if day else "下周工作日上午",
            category=category,
            topic=topic,
            name=name,
            phone=phone,
            consent=True,
            submission_token=TOKEN.format(f"booking-{index}"),
        )
        made.append(booking)
    if made and made[0].date:
        services.booking_confirm(actor=officer, booking=made[0])
    if len(made) > 2 and made[2].status == Booking.Status.REQUESTED:
        services.booking_propose(
            actor=officer,
            booking=made[2],
            date=today + datetime.timedelta(days=9),
            time_note="15:00",
            reason="代表当日外出视察，建议改约",
        )
    return made


def _held_booking(deputy, officer, today):
    """A booking from last month that took place: a reception and a suggestion."""
    start = today - datetime.timedelta(days=30)
    with clock.frozen(_at(start, 9)):
        booking, _ = services.booking_submit(
            deputy=deputy,
            wished="周四上午",
            category="environment",
            topic="小区垃圾清运不及时，夏天气味很大。",
            name="赵丽娟",
            phone="13935811204",
            consent=True,
            submission_token=TOKEN.format("booking-held"),
        )
        booking = services.booking_propose(
            actor=officer,
            booking=booking,
            date=start + datetime.timedelta(days=3),
            time_note="9:30",
        )
        booking = services.booking_accept(booking=booking)
    with clock.frozen(_at(start + datetime.timedelta(days=3), 11)):
        services.booking_hold(actor=officer, booking=booking, notes="代表当面听取，已转镇环卫所。")


def _meetings(deputies, staff, clerk, unit, today):
    start = today - datetime.timedelta(days=40)
    with clock.frozen(_at(start, 10)):
        meeting, _ = services.meeting_request_create(
            actor=deputies[0].user or staff,
            unit=unit,
            deputies=deputies[:3],
            subject="农村饮水安全和水质检测",
            reasons="天宁镇多个村反映自来水浑浊、水压不足，代表小组调研后提议约见县水务局负责人，"
            "当面了解农村饮水安全巩固提升工程进度。",
            form_token=TOKEN.format("meeting-1"),
        )
        meeting = services.meeting_forward(actor=staff, request=meeting)
    with clock.frozen(_at(start + datetime.timedelta(days=3), 10)):
        meeting = services.meeting_schedule(
            actor=clerk,
            request=meeting,
            meeting_at=_at(start + datetime.timedelta(days=8), 15),
            place="交城县水务局三楼会议室",
            attendees="县水务局局长、分管副局长、农村供水站站长",
        )
    with clock.frozen(_at(start + datetime.timedelta(days=8), 17)):
        meeting = services.meeting_hold(
            actor=staff,
            request=meeting,
            minutes="水务局通报了工程进度，承诺一个月内完成三个村的管网改造和水质检测，"
            "代表提出加强水质公示。",
        )
    with clock.frozen(_at(start + datetime.timedelta(days=20), 10)):
        meeting = services.meeting_answer(
            actor=clerk,
            request=meeting,
            answer="已完成西街、东关、南堡三个村的管网改造，水质检测全部合格，检测结果在村务公开栏公示。",
        )
        if deputies[0].user_id:
            services.meeting_rate(actor=deputies[0].user, request=meeting, rating="satisfied")
    with clock.frozen(_at(today - datetime.timedelta(days=2), 10)):
        services.meeting_request_create(
            actor=deputies[0].user or staff,
            unit=unit,
            deputies=deputies[:1],
            subject="汛期前河道清淤",
            reasons="磁窑河天宁段淤积严重，汛期存在漫堤风险，请水务局负责人说明清淤计划。",
            form_token=TOKEN.format("meeting-2"),
        )


def _report_backs(deputies, officer, station, today):
    held_at = _at(today - datetime.timedelta(days=12), 9)
    with clock.frozen(held_at - datetime.timedelta(days=7)):
        report, _ = services.report_back_schedule(
            actor=officer,
            deputy=deputies[0],
            station=station,
            starts_at=held_at,
            method="paper",
            form_token=TOKEN.format("report-1"),
        )
    with clock.frozen(held_at + datetime.timedelta(hours=2)):
        report = services.report_back_hold(
            actor=officer,
            report=report,
            audience=46,
            report_text="一年来，我围绕农村饮水、道路硬化和养老服务，提出代表建议三件，进站接待群众"
            "十二次，走访联系户四十户，约见县水务局负责人一次，推动三个村完成饮水管网改造。",
            questions=[
                RaisedSuggestion(
                    category="roads", content="东关村到镇中学的路灯不亮，晚上不安全。"
                ),
                RaisedSuggestion(
                    category="elderly_care", content="希望村里的日间照料中心增加午餐服务。"
                ),
            ],
        )
        services.report_back_tally(
            actor=officer, report=report, satisfied=38, basically=7, unsatisfied=1
        )
    if len(deputies) > 1:
        services.report_back_schedule(
            actor=officer,
            deputy=deputies[1],
            station=station,
            starts_at=_at(today + datetime.timedelta(days=6), 9),
            method="phone",
            form_token=TOKEN.format("report-2"),
        )


def _group(officer, station, today):
    group = DeputyGroup.objects.filter(station=station).first()
    if group is None:
        return
    members = list(group.members.order_by("pk")[:8])
    if not members:
        return
    for months_ago, title in (
        (4, "一季度季回组：听取群众对道路硬化的意见"),
        (1, "二季度季回组：视察农村饮水工程"),
    ):
        day = today - datetime.timedelta(days=30 * months_ago)
        with clock.frozen(_at(day, 15)):
            services.group_activity_create(
                actor=officer,
                group=group,
                kind="theme",
                title=title,
                date=day,
                deputies=members[: max(2, len(members) - months_ago)],
                convenor=members[0],
            )


def _liaison(staff, member, deputies, today):
    if member is None:
        return
    bindings = [services.liaison_bind(actor=staff, member=member, deputy=d) for d in deputies[:5]]
    for index, binding in enumerate(bindings[:3]):
        day = today - datetime.timedelta(days=5 + 7 * index)
        services.liaison_contact_record(
            actor=staff,
            binding=binding,
            date=day,
            mode=["visit", "phone", "meeting"][index],
            matters="了解代表建议办理情况，听取对县人大常委会工作的意见。",
            form_token=TOKEN.format(f"contact-{index}"),
        )


def _leader_days(officer, station, leaders, today):
    for index, leader in enumerate(leaders):
        day = today - datetime.timedelta(days=3 + 11 * index)
        with clock.frozen(_at(day, 16)):
            services.leader_visit_record(
                actor=officer,
                station=station,
                leader=leader,
                date=day,
                people_count=12 + 5 * index,
                notes="领导干部进站接待群众，现场协调解决问题。",
                raised=[
                    RaisedSuggestion(
                        category="parking", content="镇政府门前停车难，希望规划停车位。"
                    ),
                    RaisedSuggestion(category="heating", content="老旧小区供暖温度不达标。"),
                ][: 2 - index % 2],
                form_token=TOKEN.format(f"leader-{index}"),
            )


def _session(staff, county, today):
    deputies = list(
        Deputy.objects.filter(
            region_path__startswith=county.path, status=Deputy.Status.ACTIVE
        ).order_by("pk")[:30]
    )
    if not deputies:
        return
    day = datetime.date(today.year, 1, 12)
    if day > today:
        day = today
    services.duty_event_record(
        actor=staff,
        region=county,
        kind="session",
        title=f"出席交城县第十七届人民代表大会第{today.year - 2021}次会议",
        date=day,
        deputies=deputies,
        form_token=TOKEN.format("session"),
    )
    services.duty_event_record(
        actor=staff,
        region=county,
        kind="law_check",
        title="《中华人民共和国水法》执法检查",
        date=today - datetime.timedelta(days=20),
        deputies=deputies[:6],
        form_token=TOKEN.format("law-check"),
    )


def seed(stdout=None) -> None:
    station = Station.objects.filter(name=SHOWCASE).select_related("region").first()
    deputy = Deputy.objects.filter(name="马志刚", user__username="deputy_demo").first()
    officer, staff = _user("tianning_station"), _user("jiaocheng")
    clerk = _user("water_clerk")
    unit = HandlingUnit.objects.filter(name="交城县水务局").first()
    if not all([station, deputy, officer, staff, clerk, unit]):
        if stdout:
            stdout.write("appointments: demo accounts missing, nothing added")
        return
    if Booking.objects.filter(submission_token=TOKEN.format("booking-0")).exists():
        if stdout:
            stdout.write("appointments: already seeded")
        return
    today = clock.today()
    county = station.region.parent
    while county is not None and county.level != "county":
        county = county.parent
    others = list(
        Deputy.objects.filter(memberships__station=station, status=Deputy.Status.ACTIVE)
        .exclude(pk=deputy.pk)
        .distinct()
        .order_by("pk")[:6]
    )
    deputies = [deputy, *others]
    _bookings(deputy, officer, today, stdout)
    _held_booking(deputy, officer, today)
    _meetings(deputies, staff, clerk, unit, today)
    _report_backs(deputies, officer, station, today)
    _group(officer, station, today)
    leaders = [u for u in (_user("leader_jiaocheng"), _user("leader_city")) if u]
    _liaison(staff, leaders[0] if leaders else None, deputies, today)
    _leader_days(officer, station, leaders, today)
    if county is not None:
        _session(staff, county, today)
    if stdout:
        stdout.write(
            "appointments: bookings, meetings, report-backs, groups, contacts, leaders' days"
        )
