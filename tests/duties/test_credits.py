"""Duties credited by other processes count on the record and in the points, once each."""

import datetime as dt

from django.urls import reverse

from core.outbox import run_pending
from duties.models import DEFAULT_POINTS, DeputyPoints, DutyCredit, DutyKind
from duties.services import duty_credit, duty_withdraw


def _points(deputy) -> DeputyPoints:
    run_pending()
    return DeputyPoints.objects.get(deputy=deputy, year=2026)


def test_a_credit_shows_on_the_record_and_counts_once_in_the_points(client, world):
    # A station stands in for the source (a formal suggestion, a vote...)
    for _ in range(2):  # crediting twice (a retried service) changes nothing
        duty_credit(
            deputy=world.deputy,
            kind=DutyKind.PROPOSAL,
            date=dt.date(2026, 3, 8),
            source=world.station,
            title="关于西街排水改造的建议",
            url=reverse("stations:detail", args=[world.station.pk]),
        )
    assert DutyCredit.objects.count() == 1
    points = _points(world.deputy)
    assert points.breakdown[DutyKind.PROPOSAL]["count"] == 1
    assert points.points == DEFAULT_POINTS[DutyKind.PROPOSAL]

    client.force_login(world.county_officer)
    page = client.get(reverse("duties:record", args=[world.deputy.pk]), {"year": 2026})
    text = page.content.decode()
    assert "关于西街排水改造的建议" in text and "提出代表建议" in text
    assert reverse("stations:detail", args=[world.station.pk]) in text
    client.force_login(world.outsider)
    assert client.get(reverse("duties:record", args=[world.deputy.pk])).status_code == 404


def test_a_withdrawn_credit_leaves_the_points(world):
    duty_credit(
        deputy=world.deputy,
        kind=DutyKind.PROPOSAL_COSIGN,
        date=dt.date(2026, 3, 8),
        source=world.station,
        title="联名建议",
    )
    assert _points(world.deputy).points == DEFAULT_POINTS[DutyKind.PROPOSAL_COSIGN]
    assert duty_withdraw(kind=DutyKind.PROPOSAL_COSIGN, source=world.station) == 1
    assert _points(world.deputy).points == 0
