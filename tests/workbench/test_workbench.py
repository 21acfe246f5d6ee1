"""The home page's workbench: per role, each count is the length of the list it links to.

Every item of every role's workbench is followed with the test client and its rows
counted from the linked page's own paginator (or, for a leader's figures, the
dashboard's own totals). Query counts are asserted at two sizes of data.
"""

from __future__ import annotations

import datetime
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appointments import services as appointments
from core import clock
from deputies.models import StationMembership
from jobs.models import Job
from receptions.models import ReceptionRule
from suggestions import services
from suggestions.models import Suggestion
from supervision.sweeps import escalate_overdue
from tests.proposals.world import cast as proposal_cast
from tests.proposals.world import replied as proposal_replied

TODAY = datetime.date(2026, 6, 10)  # a Wednesday
ROLES = (
    "sysadmin",
    "city_officer",
    "county_officer",
    "township_officer",
    "clerk",
    "station_officer",
    "deputy_user",
    "leader",
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _submit(world, i: int) -> Suggestion:
    suggestion, _created = services.suggestion_submit(
        channel="qr",
        category="water",
        content=f"第{i}件：西街社区3号楼停水三天了。",
        deputy=world.deputy,
        contact_name=f"群众{i}",
        contact_phone=f"1381234{i:04d}",
    )
    return suggestion


def _book(world, key: str) -> None:
    """A citizen's booking waiting to be confirmed, and one confirmed for next Wednesday."""
    rule = ReceptionRule.objects.get(station=world.station)
    common = {"deputy": world.deputy, "topic": "小区门口路灯坏了半年", "consent": True}
    appointments.booking_submit(
        **common,
        name="李大爷",
        phone="13912345678",
        submission_token=f"wb-req-{key}" * 2,
        wished="下周任意上午",
    )
    confirmed, _created = appointments.booking_submit(
        **common,
        name="王大妈",
        phone="13912345679",
        submission_token=f"wb-con-{key}" * 2,
        rule_id=rule.pk,
        date=TODAY + datetime.timedelta(days=7),
    )
    appointments.booking_confirm(actor=world.station_officer, booking=confirmed)


def _populate(world, size: int) -> None:
    """`size` suggestions in each state the workbench counts, made through the services."""
    staff = world.township_officer
    for i in range(size):
        base = i * 10
        with clock.frozen(datetime.date(2026, 4, 1)):
            # Overdue: assigned two months ago, signed, never replied.
            late = _submit(world, base + 1)
            services.suggestion_assign(actor=staff, suggestion=late, lead_unit=world.unit)
            services.assignment_acknowledge(
                actor=world.clerk, assignment=late.assignments.get(role="lead")
            )
            # Not signed for two months: overdue to sign.
            unsigned = _submit(world, base + 2)
            services.suggestion_assign(actor=staff, suggestion=unsigned, lead_unit=world.unit)
        with clock.frozen(TODAY):
            _submit(world, base + 3)  # waiting to be accepted
            accepted = _submit(world, base + 4)
            services.suggestion_accept(actor=staff, suggestion=accepted)
            returned = _submit(world, base + 5)
            services.suggestion_assign(actor=staff, suggestion=returned, lead_unit=world.unit)
            services.assignment_return(
                actor=world.clerk,
                assignment=returned.assignments.get(role="lead"),
                reason="不属于本单位职责。",
            )
            fresh = _submit(world, base + 6)
            services.suggestion_assign(actor=staff, suggestion=fresh, lead_unit=world.unit)
            duplicate = _submit(world, base + 7)
            services.suggestion_merge(
                actor=staff, duplicate=duplicate, survivor=Suggestion.objects.get(pk=accepted.pk)
            )
        with clock.frozen(TODAY):
            # Replied by the unit, waiting for the follow-up rating (回访评价).
            answered = _submit(world, base + 8)
            services.suggestion_assign(actor=staff, suggestion=answered, lead_unit=world.unit)
            lead = answered.assignments.get(role="lead")
            services.assignment_acknowledge(actor=world.clerk, assignment=lead)
            services.suggestion_reply(
                actor=world.clerk,
                suggestion=Suggestion.objects.get(pk=answered.pk),
                text="已修复。",
            )
            _book(world, f"{size}-{i}")
            # The deputy's formal suggestion answered by the unit, waiting for the rating;
            # one co-signed by 王秀英 that 王秀英 may not rate.
            proposal_replied(world)
            proposal_replied(world, cosign=True)
    with clock.frozen(datetime.datetime(2026, 6, 10, 9, 0, tzinfo=datetime.UTC)):
        escalate_overdue()
    for who in ("township_officer", "county_officer", "city_officer", "sysadmin"):
        user = getattr(world, who)
        for finished, status in (
            (datetime.datetime(2026, 6, 9, 8, tzinfo=datetime.UTC), Job.Status.DONE),
            (datetime.datetime(2026, 5, 1, 8, tzinfo=datetime.UTC), Job.Status.DONE),
            (None, Job.Status.RUNNING),
        ):
            Job.objects.create(
                kind="export",
                title="导出",
                created_by=user,
                region=world.county,
                status=status,
                finished_at=finished,
            )


@pytest.fixture(autouse=True)
def _roomy_slots(settings):
    settings.APPOINTMENT_SLOT_CAPACITY = 50


@pytest.fixture
def bench(world, clock):
    proposal_cast(world)
    StationMembership.objects.create(
        deputy=world.deputy, station=world.station, start_date=datetime.date(2026, 1, 1)
    )
    rule = ReceptionRule.objects.create(
        station=world.station,
        region=world.station.region,
        kind=ReceptionRule.Kind.WEEKLY,
        weekday=TODAY.weekday(),
        valid_from=datetime.date(2026, 1, 1),
    )
    rule.deputies.set([world.deputy])
    clock(TODAY)
    return world


def _rows_of(response) -> int:
    context = response.context
    if "page" in context:
        page = context["page"]
        return page.paginator.count
    raise AssertionError(f"no list on {response.request['PATH_INFO']}")


def _workbench(client, user):
    client.force_login(user)
    response = client.get(reverse("accounts:home"))
    assert response.status_code == 200
    return response.context["workbench"]


@pytest.mark.parametrize("who", ROLES)
def test_every_count_is_the_length_of_the_list_it_links_to(client, bench, who):
    _populate(bench, 2)
    user = getattr(bench, who)
    groups = _workbench(client, user)
    assert groups, f"{who} has an empty workbench"
    total = 0
    for _title, items in groups:
        for item in items:
            response = client.get(item.url)
            assert response.status_code == 200, (who, item.label, item.url)
            if urlsplit(item.url).path.startswith("/dashboards/"):
                # A leader's figures are the dashboard's own totals for the same period.
                dash = response.context["dash"]
                figures = {dash.totals[k] for k in ("duty_visits", "people", "received")}
                figures |= {dash.totals["solved"], dash.totals["overdue"]}
                assert item.count in figures, (who, item.label)
            else:
                assert item.count == _rows_of(response), (who, item.label, item.url)
            total += int(item.count)
    assert total > 0, f"{who}: every count is zero, the test proves nothing"


def _counts(client, user) -> dict[str, int]:
    return {str(item.label): item.count for _t, items in _workbench(client, user) for item in items}


def test_staff_counts_name_the_states(client, bench):
    _populate(bench, 2)
    counts = _counts(client, bench.township_officer)
    assert counts["待受理"] == 2
    assert counts["待交办"] == 4  # accepted and returned ones wait to be assigned (again)
    assert counts["承办单位退回"] == 2
    assert counts["答复已超期"] == 4  # the reply deadline runs from assignment, signed or not
    assert counts["督办中的事项"] >= 2
    assert counts["近7天完成的导入导出任务"] == 1  # the one finished a day ago
    clerk = _counts(client, bench.clerk)
    assert clerk["待签收"] == 4  # the overdue unsigned ones and today's
    assert clerk["待答复"] == 2
    assert clerk["已超期"] == 4
    station = _counts(client, bench.station_officer)
    assert station["今天的接待日"] == 1
    assert station["本周的接待日"] == 1
    # Wednesdays 13, 20, 27 May and 3 June: on duty by the schedule, nothing logged.
    assert station["待补登的接待"] == 4
    assert station["待确认的预约"] == 2
    assert station["已确认、待接待的预约"] == 2
    deputy = _counts(client, bench.deputy_user)
    assert deputy["经我反映、尚未办结"] == 14  # 8 a round, less the merged duplicate
    assert deputy["已答复、待回访评价"] == 2
    assert deputy["答复待我评价"] == 4  # both of each round lead by 马志刚
    assert deputy["未来30天的接待日"] == 5  # 10, 17, 24 June, 1 and 8 July


def _notes(client, user) -> dict[str, str]:
    return {
        str(item.label): str(item.note) for _t, items in _workbench(client, user) for item in items
    }


def test_the_duty_days_name_who_is_on_duty_and_when(client, bench):
    assert "马志刚" in _notes(client, bench.station_officer)["今天的接待日"]
    assert "天宁镇人大代表联络站" in _notes(client, bench.deputy_user)["未来30天的接待日"]
    page = client.get(reverse("accounts:home")).content.decode()
    assert "天宁镇人大代表联络站" in page


def test_a_logged_reception_leaves_the_receptions_to_log(client, bench):
    from receptions.services import reception_log

    before = _counts(client, bench.station_officer)["待补登的接待"]
    reception_log(
        actor=bench.station_officer,
        form_token="wb-logged-3-june-000",
        station=bench.station,
        date=datetime.date(2026, 6, 3),
        deputies=[bench.deputy],
        people_count=3,
        notes="接待群众3人。",
        raised=[],
    )
    assert _counts(client, bench.station_officer)["待补登的接待"] == before - 1


def test_only_the_author_is_asked_to_rate_a_reply(client, bench):
    _populate(bench, 1)
    cosigner = bench.other_deputy.user
    assert _counts(client, cosigner)["答复待我评价"] == 0
    # 王秀英 sees the co-signed reply in the list, but not among the replies to rate.
    replied = client.get(reverse("proposals:list"), {"status": "replied"})
    assert _rows_of(replied) == 1
    assert _rows_of(client.get(reverse("proposals:list"), {"to_rate": "1"})) == 0
    client.force_login(bench.deputy_user)
    assert _rows_of(client.get(reverse("proposals:list"), {"to_rate": "1"})) == 2


def test_due_within_three_working_days_follows_the_calendar(client, bench, clock):
    _populate(bench, 1)
    # Friday: the reply deadline of a suggestion due next Wednesday is 3 working days on.
    clock(datetime.date(2026, 6, 12))
    first, second = Suggestion.objects.filter(status="assigned").order_by("pk")
    Suggestion.objects.filter(pk=first.pk).update(due_date=datetime.date(2026, 6, 17))
    Suggestion.objects.filter(pk=second.pk).update(due_date=datetime.date(2026, 6, 18))
    counts = _counts(client, bench.township_officer)
    assert counts["3个工作日内到期"] == 1  # Wednesday is in; Thursday is the 4th working day


def test_a_role_sees_no_card_describing_staff_work(client, bench):
    for who in ("deputy_user", "clerk", "station_officer", "leader"):
        client.force_login(getattr(bench, who))
        page = client.get(reverse("accounts:home")).content.decode()
        assert "受理、交办" not in page, who
    client.force_login(bench.county_officer)
    assert "受理、交办" in client.get(reverse("accounts:home")).content.decode()


def _home_queries(client, user) -> int:
    client.force_login(user)
    client.get(reverse("accounts:home"))  # warm the session and caches
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("accounts:home")).status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ROLES)
def test_the_workbench_reads_in_a_constant_number_of_queries(client, bench, who):
    user = getattr(bench, who)
    _populate(bench, 1)
    small = _home_queries(client, user)
    _populate(bench, 4)
    large = _home_queries(client, user)
    assert large == small, (who, small, large)
