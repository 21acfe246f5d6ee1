"""Two requests at once (a double tap on two phones, a retried POST) on PostgreSQL:
one ballot per deputy and one proposal per form token, whatever the interleaving.

Each thread has its own database connection; the round's row lock and the unique
register row decide. SQLite serialises writers itself, so this runs on PostgreSQL
(DATABASE_URL=postgres://...), as CI does.
"""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from core import clock as core_clock
from livelihood import services
from livelihood.models import Ballot, Proposal, VoterRecord

from .world import make_cycle, voting_cycle

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks"),
]
AT_SESSION = datetime.datetime(2026, 4, 10, 9, 0, tzinfo=datetime.UTC)


def _twice(work, moment=None):
    barrier = threading.Barrier(2)
    outcomes, errors = [], []

    def run():
        try:
            barrier.wait(10)
            outcomes.append(work())
        except ValidationError as error:
            outcomes.append(error)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    # The one clock is frozen once, for both threads (it is process-wide: a thread leaving
    # its own freeze would unfreeze the other).
    with core_clock.frozen(moment or AT_SESSION):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert not errors, errors
    return outcomes


def test_the_same_deputy_voting_twice_at_once_casts_one_ballot(world):
    with core_clock.frozen(AT_SESSION):
        s = voting_cycle(world)
        round = services.round_open(
            actor=world.township_officer, cycle=s.cycle, method="electronic"
        )
    marks = {p.pk: "yes" for p in s.projects[:7]} | {s.projects[7].pk: "no"}
    outcomes = _twice(
        lambda: services.ballot_cast(actor=world.deputy_user, round=round, marks=marks)
    )
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refused) == 1 and "已经投过票" in refused[0].messages[0]
    assert Ballot.objects.filter(round=round).count() == 1
    assert VoterRecord.objects.filter(round=round).count() == 1


def test_the_same_proposal_form_sent_twice_at_once_makes_one_proposal(world):
    cycle = make_cycle(world.township, title="并发")
    outcomes = _twice(
        lambda: services.proposal_submit(
            actor=None,
            cycle=cycle,
            title="修路",
            content="坡底社区道路硬化",
            submission_token="Z" * 24,
        ),
        moment=datetime.datetime(2026, 1, 10, 9, tzinfo=datetime.UTC),
    )
    assert Proposal.objects.filter(cycle=cycle).count() == 1
    assert {o[0].pk for o in outcomes} == {Proposal.objects.get().pk}
    assert sorted(o[1] for o in outcomes) == [False, True]
