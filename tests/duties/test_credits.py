"""Duties credited by other processes count on the record and in the points, once each."""

import datetime as dt

from django.urls import reverse

from core import outbox
from core.models import OutboxMessage
from core.outbox import enqueue, run_pending
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


def test_waiting_recomputes_are_folded_into_the_one_that_runs(world):
    # Regression (the drill, 2026-12-04): the demo seed queues 7,652 points recomputes,
    # one per change; run one by one they kept the rollups worker busy for half an hour.
    # Given two changes to two deputies' records, each queuing its recompute, and a
    # recompute of another year
    duty_credit(
        deputy=world.deputy,
        kind=DutyKind.PROPOSAL,
        date=dt.date(2026, 3, 8),
        source=world.station,
        title="关于西街排水改造的建议",
    )
    duty_credit(
        deputy=world.other_deputy,
        kind=DutyKind.PROPOSAL_COSIGN,
        date=dt.date(2026, 3, 9),
        source=world.station,
        title="联名建议",
    )
    last_year = enqueue("duties.tasks.recompute_points", deputy_ids=[world.deputy.pk], year=2025)
    waiting = OutboxMessage.objects.filter(task="duties.tasks.recompute_points", done_at=None)
    first, second = waiting.filter(kwargs__year=2026).order_by("pk").values_list("pk", flat=True)
    # When the worker runs the first
    assert outbox.run(first)
    # Then the second is done with it: both deputies' points count their change
    assert list(waiting.values_list("pk", flat=True)) == [last_year.pk]
    points = {p.deputy_id: p.points for p in DeputyPoints.objects.filter(year=2026)}
    assert points[world.deputy.pk] == DEFAULT_POINTS[DutyKind.PROPOSAL]
    assert points[world.other_deputy.pk] == DEFAULT_POINTS[DutyKind.PROPOSAL_COSIGN]
    # and a copy of it delivered later does nothing; the other year's waits its turn
    assert outbox.run(second) is False
    assert outbox.run(last_year.pk)
