"""Meetings with bodies, report-backs, groups, contacts, leaders' days and duty events
through the pages and the API, as the people who use them."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from appointments.models import (
    DutyEvent,
    GroupActivity,
    LeaderVisit,
    LiaisonBinding,
    LiaisonContact,
    MeetingRequest,
    ReportBack,
)
from duties.models import DutyCredit
from notifications.models import Notification
from suggestions.models import Suggestion

from .world import appointments_world, rule_for

NOW = datetime.datetime(2026, 6, 10, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture
def now(clock):
    return clock(NOW)


def token_of(html):
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


def test_every_page_opens_for_county_staff(client_for, world, now):
    a = appointments_world(world)
    client = client_for(world.county_officer)
    for name, args in [
        ("appointments:index", []),
        ("appointments:bookings", []),
        ("appointments:booking_detail", [a.booking.pk]),
        ("appointments:meetings", []),
        ("appointments:meeting_new", []),
        ("appointments:meeting_detail", [a.meeting.pk]),
        ("appointments:reports", []),
        ("appointments:report_new", []),
        ("appointments:report_detail", [a.report.pk]),
        ("appointments:groups", []),
        ("appointments:group_detail", [a.group.pk]),
        ("appointments:group_activity_new", [a.group.pk]),
        ("appointments:liaison", []),
        ("appointments:liaison_contact", [a.binding.pk]),
        ("appointments:leader_visits", []),
        ("appointments:leader_visit_new", []),
        ("appointments:duty_events", []),
        ("appointments:duty_event_new", []),
        ("appointments:duty_event_detail", [a.event.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 200, name


def test_a_deputy_asks_to_meet_a_body_and_the_office_forwards_it(client_for, world, now):
    client = client_for(world.deputy_user)
    page = client.get(reverse("appointments:meeting_new")).content.decode()
    assert "交城县水务局" in page and "文水县水务局" not in page
    answer = client.post(
        reverse("appointments:meeting_new"),
        {
            "form_token": token_of(page),
            "unit": world.unit.pk,
            "deputies": [world.deputy.pk],
            "subject": "农村饮水安全",
            "reasons": "多个村反映自来水浑浊，需要当面约见水务局负责人。",
        },
    )
    meeting = MeetingRequest.objects.get()
    assert answer.status_code == 302 and meeting.status == "submitted"
    act = reverse("appointments:meeting_act", args=[meeting.pk])
    assert (
        client_for(world.clerk)
        .get(reverse("appointments:meetings"))
        .content.decode()
        .count("农村饮水安全")
        == 0
    )
    client_for(world.county_officer).post(act, {"action": "forward"})
    meeting.refresh_from_db()
    assert meeting.status == "forwarded" and meeting.schedule_due
    assert (
        "农村饮水安全"
        in client_for(world.clerk).get(reverse("appointments:meetings")).content.decode()
    )
    assert client_for(world.neighbour_clerk).post(act, {"action": "schedule"}).status_code == 404
    assert Notification.objects.filter(recipient=world.clerk, kind="meeting_forwarded").exists()


def test_the_api_answers_field_errors_and_refuses_leaders(client_for, world, now):
    a = appointments_world(world)
    url = reverse("appointment-meeting-act", args=[a.meeting.pk])
    answer = client_for(world.clerk).post(
        url, {"action": "schedule", "place": "", "attendees": ""}, content_type="application/json"
    )
    assert answer.status_code == 400
    assert {"meeting_at", "place", "attendees"} <= set(answer.json())
    assert client_for(world.leader).post(url, {"action": "forward"}).status_code == 403
    assert client_for(world.outsider).post(url, {"action": "forward"}).status_code == 404
    garbage = client_for(world.clerk).post(
        url, {"action": "schedule", "meeting_at": "明天"}, content_type="application/json"
    )
    assert garbage.status_code == 400 and "meeting_at" in garbage.json()


def test_a_typed_offset_is_read_as_local_time_and_one_past_the_calendar_is_a_field_error(
    client_for, world, clock
):
    clock(NOW)
    rule_for(world)
    client = client_for(world.station_officer)

    def schedule(starts_at):
        page = client.get(reverse("appointments:report_new")).content.decode()
        return client.post(
            reverse("appointments:report_new"),
            {
                "form_token": token_of(page),
                "deputy": world.deputy.pk,
                "station": world.station.pk,
                "starts_at": starts_at,
                "method": "phone",
            },
        )

    beyond = schedule("9999-12-31T23:59-14:00")  # no local moment: PostgreSQL would refuse it
    assert beyond.status_code == 200 and "请填写有效的日期和时间" in beyond.content.decode()
    assert not ReportBack.objects.exists()
    assert schedule("2026-06-12T09:00+20:16").status_code == 302  # PostgreSQL stops at 15:59
    starts = timezone.localtime(ReportBack.objects.get().starts_at)
    assert (starts.date(), starts.hour, starts.minute) == (datetime.date(2026, 6, 11), 20, 44)


def test_a_report_back_from_schedule_to_evaluation(client_for, world, clock):
    clock(NOW)
    rule_for(world)
    client = client_for(world.station_officer)
    page = client.get(reverse("appointments:report_new")).content.decode()
    client.post(
        reverse("appointments:report_new"),
        {
            "form_token": token_of(page),
            "deputy": world.deputy.pk,
            "station": world.station.pk,
            "starts_at": "2026-06-12T09:00",
            "method": "phone",
        },
    )
    report = ReportBack.objects.get()
    act = reverse("appointments:report_act", args=[report.pk])
    clock(datetime.datetime(2026, 6, 12, 2, 30, tzinfo=datetime.UTC))  # 10:30 in Shanxi
    client.post(
        act,
        {
            "action": "hold",
            "audience": 35,
            "report_text": "一年来，我围绕农村饮水、道路硬化等问题提出建议三件，走访选民四十户。",
            "questions": "西街路面坑洼需要修补\n学校门口缺少红绿灯",
        },
    )
    report.refresh_from_db()
    assert report.status == "held" and report.suggestions.count() == 2
    assert Suggestion.objects.count() == 2
    client.post(act, {"action": "open_poll"})
    vote_url = reverse("public_appointments:vote", args=[report.poll_token])
    voter = client_for(world.outsider)
    voter.logout()
    assert voter.post(vote_url, {"rating": "satisfied", "phone": "13900000001"}).status_code == 200
    again = voter.post(vote_url, {"rating": "unsatisfied", "phone": "13900000001"})
    assert again.status_code == 400 and "已经参加过" in again.content.decode()
    api = client_for(world.county_officer).get(
        reverse("appointment-report-detail", args=[report.pk])
    )
    assert api.json()["result"] is None  # nothing shown while the poll runs
    client = client_for(world.station_officer)
    client.post(act, {"action": "close_poll"})
    report.refresh_from_db()
    assert (report.status, report.satisfied, report.unsatisfied) == ("evaluated", 1, 0)
    timeline = client_for(world.county_officer).get(
        reverse("duties:record", args=[world.deputy.pk]) + "?year=2026"
    )
    assert "满意1票" in timeline.content.decode()


def test_groups_show_attendance_and_quiet_ones_are_flagged(client_for, world, clock):
    from appointments.services import flag_quiet_groups

    clock(datetime.datetime(2026, 7, 5, 1, 0, tzinfo=datetime.UTC))
    a = appointments_world(world)
    a.group.members.add(world.other_deputy)
    detail = client_for(world.township_officer).get(
        reverse("appointments:group_detail", args=[a.group.pk])
    )
    assert "1 / 2" in detail.content.decode() or "0 / 2" in detail.content.decode()
    client = client_for(world.station_officer)
    page = client.get(reverse("appointments:group_activity_new", args=[a.group.pk]))
    assert page.status_code == 200
    client.post(
        reverse("appointments:group_activity_new", args=[a.group.pk]),
        {
            "kind": "theme",
            "title": "三季度季回组",
            "date": "2026-07-03",
            "convenor": world.deputy.pk,
            "deputies": [world.deputy.pk, world.other_deputy.pk],
        },
    )
    assert GroupActivity.objects.filter(group=a.group, date=datetime.date(2026, 7, 3)).exists()
    # Q2 had the April activity; Q1 had none: flagged to the township once.
    assert flag_quiet_groups(year=2026, quarter=2) == 0
    assert flag_quiet_groups(year=2026, quarter=1) == 1
    assert flag_quiet_groups(year=2026, quarter=1) == 0
    assert Notification.objects.filter(
        recipient=world.township_officer, kind="group_quiet"
    ).exists()
    listing = client_for(world.county_officer).get(
        reverse("appointments:groups") + "?year=2026&quarter=1"
    )
    assert "本季度未开展活动" in listing.content.decode()


def test_members_contacts_are_summed_per_quarter(client_for, world, now):
    from accounts.models import Role
    from tests import factories as f

    member = f.user_with_role("member2", Role.LEADER, region=world.county)
    client = client_for(world.county_officer)
    client.post(reverse("appointments:liaison"), {"member": member.pk, "deputy": world.deputy.pk})
    client.post(
        reverse("appointments:liaison"), {"member": member.pk, "deputy": world.other_deputy.pk}
    )
    binding = LiaisonBinding.objects.get(member=member, deputy=world.deputy)
    page = client.get(reverse("appointments:liaison_contact", args=[binding.pk])).content.decode()
    client.post(
        reverse("appointments:liaison_contact", args=[binding.pk]),
        {
            "form_token": token_of(page),
            "date": "2026-06-05",
            "mode": "visit",
            "matters": "走访了解建议办理",
        },
    )
    assert LiaisonContact.objects.filter(binding=binding).count() == 1
    summary = client_for(member).get(reverse("appointments:liaison") + "?year=2026&quarter=2")
    html = summary.content.decode()
    contacted, not_contacted = (
        html.split("本季度未联系", 1)[1].split("</tr>", 2)[1].split("</td>")[1:3]
    )
    assert "马志刚" in contacted and "王秀英" in not_contacted
    assert client_for(member).post(reverse("appointments:liaison"), {}).status_code == 403
    assert (
        client_for(world.outsider)
        .get(reverse("appointments:liaison_contact", args=[binding.pk]))
        .status_code
        == 404
    )


def test_leaders_station_days_are_counted_on_the_dashboard(client_for, world, now):
    client = client_for(world.station_officer)
    page = client.get(reverse("appointments:leader_visit_new")).content.decode()
    assert world.leader.full_name in page
    client.post(
        reverse("appointments:leader_visit_new"),
        {
            "form_token": token_of(page),
            "station": world.station.pk,
            "leader": world.leader.pk,
            "date": "2026-06-09",
            "people_count": 14,
            "matters": "西街路灯不亮\n垃圾清运不及时",
        },
    )
    visit = LeaderVisit.objects.get()
    assert visit.leader == world.leader and visit.suggestions.count() == 2
    board = client_for(world.county_officer).get(
        reverse("dashboards:region", args=[world.county.code])
    )
    html = board.content.decode()
    assert "领导干部进站" in html and "<strong>14</strong>" in html


def test_a_session_attended_counts_on_the_duty_record_by_the_regions_rule(client_for, world, now):
    from duties.models import DeputyPoints, PointRule
    from duties.services import deputy_points_recompute

    PointRule.objects.create(region=world.county, kind="session", points=7)
    client = client_for(world.county_officer)
    page = client.get(reverse("appointments:duty_event_new")).content.decode()
    assert "出席人代会" in page and "列席常委会" in page and "执法检查" in page
    client.post(
        reverse("appointments:duty_event_new"),
        {
            "form_token": token_of(page),
            "kind": "session",
            "title": "出席县第十七届人大第六次会议",
            "date": "2026-06-01",
            "region": world.county.pk,
            "deputies": [world.deputy.pk, world.other_deputy.pk],
        },
    )
    event = DutyEvent.objects.get()
    assert DutyCredit.objects.filter(kind="session", object_id=event.pk).count() == 2
    from deputies.models import Deputy

    deputy_points_recompute(deputies=Deputy.objects.filter(pk=world.deputy.pk), year=2026)
    points = DeputyPoints.objects.get(deputy=world.deputy, year=2026)
    assert points.breakdown["session"]["points"] == 7 and points.breakdown["session"]["count"] == 1


@pytest.mark.parametrize(
    "url_name",
    [
        "appointments:meetings",
        "appointments:reports",
        "appointments:leader_visits",
        "appointments:duty_events",
        "appointment-meeting-list",
        "appointment-report-list",
    ],
)
def test_lists_read_in_a_fixed_number_of_queries(
    client_for, world, now, url_name, django_assert_max_num_queries
):
    from tests.appointments.world import appointments_world

    a = appointments_world(world)
    client = client_for(world.county_officer)

    def grow(n, start):
        for i in range(start, start + n):
            m = MeetingRequest.objects.create(
                unit=world.unit,
                region=world.county,
                subject=f"事项{i}",
                reasons="理由理由理由理由理由理由",
                form_token=f"grow-meeting-{i:06d}-abcdef",
            )
            m.deputies.set([world.deputy, world.other_deputy])
            ReportBack.objects.create(
                deputy=world.deputy,
                station=world.station,
                region=world.station.region,
                starts_at=NOW,
                form_token=f"grow-report-{i:06d}-abcdef",
            )
            LeaderVisit.objects.create(
                station=world.station,
                region=world.station.region,
                leader=world.leader,
                date=datetime.date(2026, 6, 1),
                form_token=f"grow-visit-{i:06d}-abcdef",
            )
            e = DutyEvent.objects.create(
                region=world.county,
                kind="training",
                title=f"培训{i}",
                date=datetime.date(2026, 5, 1),
                form_token=f"grow-event-{i:06d}-abcdef",
            )
            e.deputies.set([world.deputy])

    assert a.meeting
    url = reverse(url_name)
    grow(1, 0)
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200
    grow(10, 10)
    with django_assert_max_num_queries(16):
        assert client.get(url).status_code == 200


def test_the_polls_qr_code_leads_to_the_vote_page(client, world, now, settings):
    from tests.public.helpers import decode_qr_png

    settings.PUBLIC_BASE_URL = "https://lianxin.example.cn"
    report = appointments_world(world).report
    png = client.get(reverse("public_appointments:vote_qr", args=[report.poll_token]))
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    vote = reverse("public_appointments:vote", args=[report.poll_token])
    assert decode_qr_png(png.content) == [f"https://lianxin.example.cn{vote}"]
    assert client.get("/a/v/no-such-token/qr.png").status_code == 404
