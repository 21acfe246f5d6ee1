"""The demo county's year of formal suggestions: every state, A-D replies, ratings, once."""

import datetime
from collections import Counter

from proposals import demo
from proposals.models import Proposal, Reply
from tests import factories as f


def test_the_demo_seeds_a_year_in_every_state_once(world, clock):
    clock(datetime.date(2026, 12, 3))
    for n in range(8):
        f.DeputyFactory(name=f"县代表{n}", region=world.township)
    f.HandlingUnitFactory(name="交城县住房和城乡建设局", region=world.county)
    demo.seed()
    rows = Proposal.objects.filter(region=world.county)
    states = Counter(rows.values_list("status", flat=True))
    assert rows.count() >= 50
    assert {"submitted", "registered", "refused", "merged", "assigned", "replied", "closed"} <= set(
        states
    )
    assert states["closed"] >= 10
    classes = set(Reply.objects.values_list("klass", flat=True))
    assert classes == {"A", "B", "C", "D"}
    assert rows.filter(rehandle_count=1).exists()
    assert rows.filter(key_supervision=False).exists()
    assert rows.filter(session="during", assignments__meeting__isnull=False).exists()
    # every reply followed its "before" contact
    for reply in Reply.objects.all():
        assert reply.proposal.contacts.filter(stage="before", round=reply.round).exists()
    count = rows.count()
    demo.seed()
    assert Proposal.objects.filter(region=world.county).count() == count
