"""Report-back with the voters' evaluation (述职评议): the meeting, questions as suggestions,
the paper tally, the phone poll (one vote per phone, only in its hour, secret), the duty
record, and who has not reported back this term."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from appointments import selectors, services
from appointments.models import PollVote, ReportBack
from deputies.models import Deputy
from duties.models import DutyReport
from receptions.services import RaisedSuggestion
from suggestions.models import Suggestion

from .world import rule_for

START = datetime.datetime(2026, 6, 4, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def report(world, clock):
    clock(START - datetime.timedelta(days=3))
    rule_for(world)  # 马志刚 is grouped into the station
    report, _ = services.report_back_schedule(
        actor=world.station_officer,
        deputy=world.deputy,
        station=world.station,
        starts_at=START,
        method="paper",
        form_token="report-token-0001-abcdef",
    )
    return report


def held(world, report, clock, audience=40):
    clock(START + datetime.timedelta(hours=1))
    return services.report_back_hold(
        actor=world.station_officer,
        report=report,
        audience=audience,
        report_text="一年来，我围绕农村饮水、道路硬化等问题提出建议三件，走访选民四十户。",
        questions=[RaisedSuggestion(category="roads", content="西街路面坑洼需要修补")],
    )


def test_held_writes_the_duty_report_and_questions_become_suggestions(world, report, clock):
    with pytest.raises(ValidationError):  # not before it starts
        services.report_back_hold(
            actor=world.station_officer, report=report, audience=40, report_text="x" * 30
        )
    report = held(world, report, clock)
    assert report.duty_report.deputy == world.deputy and report.duty_report.year == 2026
    assert list(report.suggestions.values_list("content", flat=True)) == ["西街路面坑洼需要修补"]
    assert Suggestion.objects.get().deputy == world.deputy


def test_the_paper_tally_cannot_exceed_the_audience(world, report, clock):
    report = held(world, report, clock, audience=40)
    with pytest.raises(ValidationError):
        services.report_back_tally(
            actor=world.station_officer, report=report, satisfied=30, basically=8, unsatisfied=3
        )
    with pytest.raises(PermissionDenied):
        services.report_back_tally(
            actor=world.outsider, report=report, satisfied=30, basically=8, unsatisfied=2
        )
    report = services.report_back_tally(
        actor=world.station_officer, report=report, satisfied=30, basically=8, unsatisfied=2
    )
    assert report.status == ReportBack.Status.EVALUATED
    assert round(report.satisfaction_rate, 2) == 0.95
    assert "满意30票，基本满意8票，不满意2票" in DutyReport.objects.get().notes


def test_the_phone_poll_one_vote_per_phone_in_its_hour(world, report, clock):
    report = held(world, report, clock)
    with pytest.raises(ValidationError):  # not opened yet
        services.report_back_vote(report=report, phone="13900000001", rating="satisfied")
    report = services.report_back_open_poll(actor=world.station_officer, report=report)
    services.report_back_vote(report=report, phone="13900000001", rating="satisfied")
    services.report_back_vote(report=report, phone="13900000002", rating="unsatisfied")
    with pytest.raises(ValidationError):
        services.report_back_vote(report=report, phone="139 0000 0001", rating="unsatisfied")
    # Secret: the phone is not kept, only a keyed digest that names nobody.
    assert not PollVote.objects.filter(voter__contains="13900000001").exists()
    with pytest.raises(ValidationError):  # no paper tally over a running poll
        services.report_back_tally(
            actor=world.station_officer, report=report, satisfied=1, basically=0, unsatisfied=0
        )
    clock(START + datetime.timedelta(hours=2, minutes=1))
    with pytest.raises(ValidationError):  # the hour is over
        services.report_back_vote(report=report, phone="13900000003", rating="satisfied")
    assert services.report_back_close_expired() == 1
    report.refresh_from_db()
    assert (report.satisfied, report.basically, report.unsatisfied) == (1, 0, 1)
    assert report.status == ReportBack.Status.EVALUATED


def test_staff_see_who_has_not_reported_back_this_term(world, report, clock):
    visible = Deputy.objects.visible_to(world.county_officer)
    assert world.deputy in selectors.not_reported(visible)
    held(world, report, clock)
    missing = list(selectors.not_reported(visible))
    assert world.deputy not in missing and world.other_deputy in missing
    assert world.neighbour_deputy not in missing
