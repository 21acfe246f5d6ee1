"""The demo: one finished 交城县 cycle (8 candidates for 7 places, 10% margin, plans,
progress, rating) and one 天宁镇 cycle open for proposals; seeding twice adds nothing."""

import datetime

import pytest

from deputies.models import Deputy
from livelihood import demo
from livelihood.models import Cycle, Project, Proposal, Round
from tests import factories as f

pytestmark = pytest.mark.django_db


def test_demo_runs_every_phase_once(world, clock):
    clock(datetime.datetime(2026, 12, 3, 9, tzinfo=datetime.UTC))
    for i in range(10):
        f.DeputyFactory(name=f"县代表{i}", region=world.township, level=Deputy.Level.COUNTY)
    demo.seed()
    demo.seed()
    done = Cycle.objects.get(region=world.county)
    assert done.year == 2026 and done.status == Cycle.Status.DONE
    assert done.projects.count() == 8 and done.min_candidates == 8
    assert done.projects.filter(status="adopted").count() == 7
    assert done.projects.filter(status="not_adopted").count() == 1
    assert Round.objects.filter(cycle=done, status="confirmed").count() == 2
    ratings = set(done.projects.filter(status="adopted").values_list("rating", flat=True))
    assert ratings == {Project.Rating.SATISFIED, Project.Rating.UNSATISFIED}
    assert done.projects.exclude(explanation="").count() == 1
    assert Proposal.objects.filter(cycle=done, decision="pending").count() == 0
    open_cycle = Cycle.objects.get(region=world.township)
    assert open_cycle.status == Cycle.Status.COLLECTING and open_cycle.year == 2027
    assert open_cycle.proposals.count() == 4


def test_in_spring_the_finished_cycle_is_last_years(world, clock):
    clock(datetime.datetime(2026, 3, 10, 9, tzinfo=datetime.UTC))
    for i in range(4):
        f.DeputyFactory(name=f"县代表{i}", region=world.township, level=Deputy.Level.COUNTY)
    demo.seed()
    assert Cycle.objects.get(region=world.county).year == 2025
    assert Cycle.objects.get(region=world.township).year == 2026
