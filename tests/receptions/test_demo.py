import datetime as dt

from receptions import demo
from receptions.models import ReceptionRule
from receptions.selectors import upcoming_duty_days_for_deputy

from .conftest import join


def test_demo_seed_adds_a_mix_of_rules_once(world):
    join(world.deputy, world.station)
    join(world.other_deputy, world.station)
    demo.seed()
    kinds = set(ReceptionRule.objects.filter(station=world.station).values_list("kind", flat=True))
    assert kinds == {"monthly", "weekly", "rota"}
    assert ReceptionRule.objects.filter(station=world.point).count() == 0  # points: none
    total = ReceptionRule.objects.count()
    assert ReceptionRule.objects.filter(station=world.neighbour_station).count() == 1
    demo.seed()
    assert ReceptionRule.objects.count() == total
    # The demo deputy has duty days to look at.
    assert upcoming_duty_days_for_deputy(world.deputy, today=dt.date(2026, 11, 1))
