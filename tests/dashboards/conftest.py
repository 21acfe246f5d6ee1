"""A small known world for the dashboard figures, counted by hand in `EXPECTED`.

Today is 2026-06-20 and the period is the second quarter of 2026 (April to June).
交城县 has two townships with data (天宁镇: a station and its point; 夏家营镇: a
station), and a suggestion raised at county level; 文水县 next door has a little too.
Rows before April, merged duplicates and a suspended station are there to be left out.
"""

import datetime
import itertools
from types import SimpleNamespace

import pytest
from django.utils import timezone

from deputies.models import StationMembership
from receptions.models import Reception
from suggestions.models import Suggestion
from tests import factories as f

TODAY = datetime.date(2026, 6, 20)
_tokens = itertools.count(1)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


def reception(station, day, deputies, people, suggestions=()):
    entry = Reception.objects.create(
        station=station,
        region=station.region,
        date=day,
        people_count=people,
        form_token=f"test-{next(_tokens)}",
    )
    entry.deputies.set(deputies)
    entry.suggestions.set(suggestions)
    return entry


def suggestion(region, category, status, *, station=None, day, **fields):
    return Suggestion.objects.create(
        region=region,
        station=station,
        channel="station" if station else "qr",
        category=category,
        content=f"{category} {status}",
        status=status,
        submitted_at=at(day),
        **fields,
    )


D = datetime.date
S = Suggestion.Status


@pytest.fixture
def known(world):
    w = world
    w.station.stars = 5
    w.station.save(update_fields=["stars"])
    w.sibling_station.stars = 3
    w.sibling_station.save(update_fields=["stars"])
    w.neighbour_station.stars = 4
    w.neighbour_station.save(update_fields=["stars"])
    f.StationFactory(name="夏家营镇停用站", region=w.other_township, status="suspended", stars=2)

    d3 = f.DeputyFactory(name="夏家营代表甲", region=w.other_township)
    d4 = f.DeputyFactory(name="暂停代表", region=w.other_township, status="suspended")
    d5 = f.DeputyFactory(name="夏家营代表乙", region=w.other_township)
    StationMembership.objects.create(deputy=w.deputy, station=w.station, start_date=D(2025, 1, 1))
    StationMembership.objects.create(
        deputy=w.other_deputy, station=w.station, start_date=D(2024, 1, 1), end_date=D(2026, 1, 1)
    )
    StationMembership.objects.create(deputy=d3, station=w.sibling_station, start_date=D(2025, 3, 1))
    StationMembership.objects.create(deputy=d4, station=w.sibling_station, start_date=D(2025, 3, 1))
    StationMembership.objects.create(
        deputy=w.neighbour_deputy, station=w.neighbour_station, start_date=D(2025, 3, 1)
    )

    s1 = suggestion(
        w.township,
        "water",
        S.CLOSED,
        station=w.station,
        day=D(2026, 4, 8),
        due_date=D(2026, 4, 22),
        replied_at=at(D(2026, 4, 20)),
        satisfaction="satisfied",
        closed_at=at(D(2026, 4, 25)),
    )
    s2 = suggestion(
        w.township,
        "roads",
        S.CLOSED,
        station=w.station,
        day=D(2026, 5, 6),
        due_date=D(2026, 5, 20),
        replied_at=at(D(2026, 5, 21)),
        satisfaction="unsatisfied",
        reopened_count=1,
        closed_at=at(D(2026, 6, 1)),
    )
    suggestion(
        w.village, "water", S.HANDLING, station=w.point, day=D(2026, 5, 28), due_date=D(2026, 6, 18)
    )
    suggestion(
        w.other_township, "heating", S.REJECTED, station=w.sibling_station, day=D(2026, 4, 2)
    )
    suggestion(
        w.county,
        "other",
        S.REPLIED,
        day=D(2026, 6, 3),
        handling="on_spot",
        replied_at=at(D(2026, 6, 3)),
    )
    suggestion(w.township, "water", S.MERGED, day=D(2026, 6, 4))
    suggestion(
        w.township,
        "gas",
        S.ASSIGNED,
        station=w.station,
        day=D(2026, 6, 12),
        due_date=D(2026, 6, 26),
    )
    # Today: read live whatever the rollups hold.
    suggestion(w.township, "parking", S.SUBMITTED, day=TODAY)
    # Before the period: overdue now, but not received in it.
    suggestion(
        w.township,
        "water",
        S.HANDLING,
        station=w.station,
        day=D(2026, 3, 12),
        due_date=D(2026, 4, 30),
    )
    suggestion(
        w.neighbour_township, "roads", S.ACCEPTED, station=w.neighbour_station, day=D(2026, 5, 5)
    )

    reception(w.station, D(2026, 6, 10), [w.deputy, w.other_deputy], 12, [s1, s2])
    reception(w.point, D(2026, 5, 31), [w.deputy], 5)
    reception(w.sibling_station, D(2026, 4, 15), [d3], 7)
    reception(w.station, D(2026, 3, 12), [w.other_deputy], 30)  # before the period
    reception(w.neighbour_station, D(2026, 6, 17), [w.neighbour_deputy], 9)
    return SimpleNamespace(world=w, d3=d3, d4=d4, d5=d5)


# Hand counts for 交城县, second quarter of 2026 (see the module docstring).
EXPECTED_COUNTY = {
    "receptions": 3,
    "duty_visits": 4,  # 2 at 天宁镇 on 6-10, 1 at the point, 1 at 夏家营镇
    "people": 24,  # 12 + 5 + 7
    "received": 7,  # s1 s2 point-water rejected-heating county-other gas parking
    "rejected": 1,
    "closed": 2,
    "solved": 1,  # s2 closed 不满意
    "due_total": 3,  # s1, s2 replied; the point's deadline (6-18) has passed
    "on_time": 1,  # s1 (s2 replied a day late)
    "rated": 2,
    "satisfied": 1,
    "basically": 0,
    "unsatisfied": 1,
    "overdue": 2,  # the point's suggestion, and March's suggestion (due 4-30)
    "stations": 2,  # 天宁镇 station, 夏家营镇 station (the suspended one left out)
    "points": 1,
    "stars_5": 1,
    "stars_3": 1,
    "stars_0": 1,
    "deputies": 4,  # 马志刚, 王秀英, 夏家营代表甲/乙 (the suspended deputy left out)
    "grouped": 2,  # 马志刚, 夏家营代表甲 (王秀英's membership ended)
    "idle": 1,  # 夏家营代表乙
}
EXPECTED_CATEGORIES_COUNTY = {
    "water": 2,
    "roads": 1,
    "heating": 1,
    "other": 1,
    "gas": 1,
    "parking": 1,
}


@pytest.fixture
def recent(world):
    """A little data in the current month, so the default period (this year) shows it."""
    today = timezone.localdate()
    first = today.replace(day=1)
    running = suggestion(
        world.township,
        "water",
        Suggestion.Status.HANDLING,
        station=world.station,
        day=first,
        due_date=first - datetime.timedelta(days=1),
    )
    reception(world.station, first, [world.deputy], 6, [running])
    suggestion(world.neighbour_township, "roads", Suggestion.Status.ACCEPTED, day=first)
    return world
