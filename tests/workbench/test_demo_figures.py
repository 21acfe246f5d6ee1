"""The demo world reads like the articles' figures, not like a broken system (19.4)."""

import datetime
import random

from django.utils import timezone

from core import clock as core_clock
from deputies.models import StationMembership
from receptions import demo
from suggestions.demo import _office_hours
from suggestions.models import Suggestion
from tests import factories as f


def test_demo_matters_are_raised_in_office_hours_never_in_the_night():
    rng = random.Random(7)
    for hour in (0, 4, 9, 13, 23):
        now = timezone.make_aware(datetime.datetime(2026, 12, 3, hour, 11))
        for days_ago in (0, 1, 30):
            moment = _office_hours(rng, now, days_ago)
            assert moment <= now
            assert 8 <= timezone.localtime(moment).hour < 18


def test_raised_matters_older_than_a_month_are_mostly_closed(world, clock):
    clock(datetime.date(2026, 12, 3))
    f.UserFactory(username="admin", is_superuser=True, is_staff=True)
    for deputy in (world.deputy, world.other_deputy):
        StationMembership.objects.create(
            deputy=deputy, station=world.station, start_date=datetime.date(2025, 1, 1)
        )
    with core_clock.frozen(datetime.date(2026, 12, 3)):
        demo.seed()
    raised = Suggestion.objects.filter(submission_token__startswith="demo-reception-")
    older = raised.filter(
        submitted_at__lt=timezone.make_aware(datetime.datetime(2026, 11, 1))
    ).exclude(status=Suggestion.Status.REJECTED)
    assert older.count() >= 20
    closed = older.filter(status=Suggestion.Status.CLOSED).count()
    assert 0.7 <= closed / older.count() <= 0.95  # 吕梁: 3,589 of 4,344 (83%)
    recent = raised.filter(submitted_at__gte=timezone.make_aware(datetime.datetime(2026, 11, 25)))
    assert not recent.filter(status=Suggestion.Status.CLOSED, handling="local").exists()
    for moment in raised.values_list("submitted_at", flat=True):
        assert 8 <= timezone.localtime(moment).hour < 18


def test_no_demo_deputy_misses_dozens_of_duty_days(world, clock):
    from collections import Counter

    from duties.selectors import missed_duty_days
    from stations.models import Station

    clock(datetime.date(2026, 12, 3))
    f.UserFactory(username="admin", is_superuser=True, is_staff=True)
    for deputy in (world.deputy, world.other_deputy):
        StationMembership.objects.create(
            deputy=deputy, station=world.station, start_date=datetime.date(2025, 1, 1)
        )
    with core_clock.frozen(datetime.date(2026, 12, 3)):
        demo.seed()
        missed = missed_duty_days(
            Station.objects.all(), datetime.date(2026, 1, 1), datetime.date(2026, 12, 2)
        )
    by_deputy = Counter(m.deputy.pk for m in missed)
    assert by_deputy, "on-duty deputies miss a few days, not none"
    assert max(by_deputy.values()) <= 12, by_deputy  # the showcase station has 3 rules
