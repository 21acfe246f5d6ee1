"""Every reader of "overdue" counts the same suggestions, on a random world.

One definition (`Suggestion.REPLY_DUE`, `Assignment.ACKNOWLEDGE_DUE`, core/due.py);
its readers: the model property, the list filter, the unit queue, the dashboards
(ORM, and the township's hand-written SQL on PostgreSQL), and the 督办 sweep.
"""

import datetime
import random

import pytest
from django.db import connection
from django.test import RequestFactory
from django.utils import timezone

from dashboards import selectors as dash
from dashboards import township_sql
from dashboards.periods import parse_period
from suggestions import selectors
from suggestions.filters import SuggestionFilter
from suggestions.models import Assignment, Suggestion
from supervision import sweeps
from supervision.models import Supervision

TODAY = datetime.date(2026, 6, 10)
S = Suggestion.Status


def _world(world, seed: int):
    rng = random.Random(seed)
    made = []
    for i in range(60):
        status = rng.choice(list(S.values))
        due = TODAY + datetime.timedelta(days=rng.randint(-20, 20)) if rng.random() < 0.85 else None
        suggestion = Suggestion.objects.create(
            region=rng.choice([world.township, world.village]),
            station=world.station if rng.random() < 0.7 else None,
            assigner_region=world.township,
            channel="qr",
            category="roads",
            content=f"随机事项 {i}",
            status=status,
            handling="assigned",
            due_date=due,
        )
        if status in (S.ASSIGNED, S.HANDLING) and rng.random() < 0.8:
            pending = status == S.ASSIGNED and rng.random() < 0.7
            Assignment.objects.create(
                suggestion=suggestion,
                unit=world.unit,
                status="pending" if pending else "acknowledged",
                acknowledge_due=TODAY + datetime.timedelta(days=rng.randint(-10, 10)),
            )
        made.append(suggestion)
    return made


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_reader_counts_the_same_overdue_suggestions(world, clock, settings, seed):
    clock(TODAY)
    _world(world, seed)
    by_property = {s.pk for s in Suggestion.objects.all() if s.is_overdue}
    assert by_property, "the random world should hold some overdue suggestions"

    request = RequestFactory().get("/")
    request.user = world.county_officer
    listed = SuggestionFilter(
        {"due": "overdue"}, queryset=selectors.inbox(world.county_officer), request=request
    ).qs
    assert set(listed.values_list("pk", flat=True)) == by_property
    assert (
        set(
            Suggestion.objects.filter(Suggestion.REPLY_DUE.overdue_q()).values_list("pk", flat=True)
        )
        == by_property
    )

    period = parse_period({}, today=TODAY)
    county = dash.dashboard(dash.Slice(region=world.county), period, today=TODAY)
    assert county.totals["overdue"] == len(by_property)
    for use_sql in (False, True):
        settings.DASHBOARD_TOWNSHIP_SQL = use_sql
        township = dash.dashboard(dash.Slice(region=world.township), period, today=TODAY)
        assert township.totals["overdue"] == len(by_property), use_sql
    if connection.vendor == "postgresql":
        assert township_sql.applies(world.township)  # the SQL reader really ran above

    # The unit's queue marks an assignment overdue by the same two rules
    queue = selectors.unit_queue(world.county_officer, world.unit)
    for row in queue:
        expected = row.acknowledge_overdue or (
            row.status == "acknowledged" and row.suggestion.is_overdue
        )
        assert row.overdue == expected, row.pk

    # The sweep supervises exactly the overdue ones (reply, or a unit's signature)
    unsigned = {
        a.suggestion_id
        for a in Assignment.objects.select_related("suggestion")
        if a.acknowledge_overdue and a.suggestion.status in Suggestion.RUNNING_STATUSES
    }
    moment = timezone.make_aware(datetime.datetime.combine(TODAY, datetime.time(9)))
    sweeps.escalate_overdue(now=moment)
    supervised = set(Supervision.objects.values_list("suggestion_id", flat=True))
    assert supervised == by_property | unsigned
