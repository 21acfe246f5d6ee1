"""Every dashboard figure against a hand count, live and from the rollups."""

import datetime
import random
from collections import Counter

import pytest

from dashboards import selectors, township_sql
from dashboards.periods import Period, month_period, quarter_period, year_period
from dashboards.rollups import rollup_refresh
from dashboards.selectors import DIRECT, Slice
from deputies.models import StationMembership
from tests import factories as f
from tests.dbvendor import postgresql_only

from .conftest import (
    EXPECTED_CATEGORIES_COUNTY,
    EXPECTED_COUNTY,
    TODAY,
    D,
    S,
    at,
    reception,
    suggestion,
)

Q2 = quarter_period(TODAY)
ADDITIVE = [
    "receptions",
    "duty_visits",
    "people",
    "received",
    "rejected",
    "closed",
    "solved",
    "due_total",
    "on_time",
    "rated",
    "satisfied",
    "basically",
    "unsatisfied",
    "overdue",
    "stations",
    "points",
    "stars_5",
    "stars_4",
    "stars_3",
    "stars_2",
    "stars_1",
    "stars_0",
    "deputies",
    "grouped",
    "idle",
]


def figures(region=None, station=None):
    slice_ = Slice(region=region or station.region, station=station)
    return selectors.dashboard(slice_, Q2, today=TODAY)


def only(counts: Counter, names) -> dict:
    return {name: counts[name] for name in names}


@pytest.fixture(
    params=[
        "orm",
        pytest.param(
            "sql", marks=postgresql_only("the SQL reader runs on PostgreSQL, elsewhere the ORM")
        ),
    ]
)
def reader(request, settings):
    """Township figures come from hand-written SQL on PostgreSQL (`township_sql`) and
    from the ORM elsewhere: every hand count runs through both."""
    settings.DASHBOARD_TOWNSHIP_SQL = request.param == "sql"
    return request.param


@pytest.fixture(params=["live", "rollups"])
def source(request, known, reader):
    """Each test runs on the base tables alone, then again with the rollups built."""
    if request.param == "rollups":
        report = rollup_refresh(today=TODAY)
        assert report.rows > 0
    return request.param


def test_every_county_figure_matches_the_hand_count(known, source):
    dash = figures(known.world.county)
    assert only(dash.totals, EXPECTED_COUNTY) == EXPECTED_COUNTY
    assert dash.from_rollups is (source == "rollups")
    assert {code: n for code, _label, n in dash.categories} == EXPECTED_CATEGORIES_COUNTY
    assert dash.completion == 33.3  # 2 closed of 7 received, 1 refused
    assert dash.on_time == 33.3  # 1 of 3
    assert dash.satisfaction == 50.0  # 1 of 2 rated
    assert dash.grouped_rate == 50.0  # 2 of 4


def test_trend_spreads_the_figures_over_their_months(known, source):
    dash = figures(known.world.county)
    months = {month.strftime("%Y-%m"): counts for month, counts in dash.trend}
    assert len(dash.trend) == 12  # a quarter's trend shows the year up to it
    assert months["2026-04"]["received"] == 2 and months["2026-04"]["duty_visits"] == 1
    assert months["2026-05"]["received"] == 2 and months["2026-05"]["people"] == 5
    assert months["2026-06"]["received"] == 3 and months["2026-06"]["duty_visits"] == 2
    # The trend reaches back before the period: March's reception and suggestion show there.
    assert months["2026-03"]["people"] == 30 and months["2026-03"]["received"] == 1


def test_county_ranking_counts_each_township_and_the_county_itself(known, source):
    w = known.world
    rows = {row.key: row for row in figures(w.county).rows}
    tianning = rows[w.township.path].counts
    assert only(tianning, ["duty_visits", "people", "received", "closed", "overdue"]) == {
        "duty_visits": 3,
        "people": 17,
        "received": 5,
        "closed": 2,
        "overdue": 2,
    }
    xiajiaying = rows[w.other_township.path].counts
    assert only(xiajiaying, ["duty_visits", "people", "received", "rejected", "deputies"]) == {
        "duty_visits": 1,
        "people": 7,
        "received": 1,
        "rejected": 1,
        "deputies": 2,
    }
    direct = rows[DIRECT].counts
    assert direct["received"] == 1 and direct["duty_visits"] == 0  # the county-level suggestion


@pytest.mark.parametrize("level", ["province", "city", "county", "township"])
def test_a_region_is_the_sum_of_its_children(known, source, level):
    dash = figures(getattr(known.world, level))
    assert dash.rows, "the region has children to rank"
    summed = Counter()
    for row in dash.rows:
        summed.update(row.counts)
    # Townships rank stations: members per station are not a partition of the township's
    # deputies (a deputy may sit in two stations, or none), so those are left out there.
    names = ADDITIVE if level != "township" else ADDITIVE[: ADDITIVE.index("deputies")]
    assert only(summed, names) == only(dash.totals, names)


def test_township_ranks_its_stations_and_points(known, source, reader):
    w = known.world
    dash = figures(w.township)
    rows = {row.key: row for row in dash.rows}
    assert only(
        rows[w.station.pk].counts, ["duty_visits", "people", "received", "overdue", "deputies"]
    ) == {
        "duty_visits": 2,
        "people": 12,
        "received": 3,
        "overdue": 1,
        "deputies": 1,  # 王秀英 left the station in January
    }
    assert only(rows[w.point.pk].counts, ["duty_visits", "people", "received"]) == {
        "duty_visits": 1,
        "people": 5,
        "received": 1,
    }
    assert rows[DIRECT].counts["received"] == 1  # today's suggestion with no station
    assert dash.from_rollups is (source == "rollups")
    assert township_sql.applies(w.township) is (reader == "sql")
    assert {code: n for code, _label, n in dash.categories} == {
        "water": 2,
        "roads": 1,
        "gas": 1,
        "parking": 1,
    }
    assert only(dash.totals, ["deputies", "grouped", "idle"]) == {
        "deputies": 2,
        "grouped": 1,
        "idle": 0,
    }


def test_station_dashboard_counts_that_station_only(known, source):
    w = known.world
    dash = figures(station=w.station)
    assert only(
        dash.totals, ["receptions", "duty_visits", "people", "received", "closed", "overdue"]
    ) == {
        "receptions": 1,
        "duty_visits": 2,
        "people": 12,
        "received": 3,
        "closed": 2,
        "overdue": 1,
    }
    assert only(dash.totals, ["deputies", "idle", "stations", "stars_5"]) == {
        "deputies": 1,
        "idle": 0,
        "stations": 1,
        "stars_5": 1,
    }
    assert dash.rows == []


def test_city_adds_the_neighbour_county(known, source):
    w = known.world
    city = figures(w.city).totals
    county = figures(w.county).totals
    assert city["people"] == county["people"] + 9
    assert city["received"] == county["received"] + 1
    assert city["stars_4"] == 1 and city["deputies"] == county["deputies"] + 1


def test_township_rollups_keep_rows_of_no_station_and_of_a_foreign_station(known):
    """Past months from `StationMonth` rank exactly as the base tables do: a suggestion with
    no station and one raised here at the neighbour's station land on the extra row."""
    w = known.world
    suggestion(w.village, "water", S.CLOSED, day=D(2026, 5, 9), satisfaction="basically")
    suggestion(w.township, "roads", S.HANDLING, station=w.sibling_station, day=D(2026, 4, 9))
    live = figures(w.township)
    rollup_refresh(today=TODAY)
    built = figures(w.township)
    assert built.from_rollups and not live.from_rollups

    def ranking(dash):
        return {row.key: +row.counts for row in dash.rows}

    assert ranking(built) == ranking(live)
    assert built.totals == live.totals
    assert built.categories == live.categories
    assert [counts for _m, counts in built.trend] == [counts for _m, counts in live.trend]
    assert ranking(built)[DIRECT]["received"] == 3  # two here, today's parking suggestion


def test_a_reception_logged_after_the_rollups_ends_idleness_at_once(known):
    """Presence is copied with the rollups; a reception logged since is read from the
    register, so the deputy stops counting as idle before the next refresh."""
    w = known.world
    rollup_refresh(today=TODAY)
    assert figures(w.county).totals["idle"] == 1  # 夏家营代表乙
    reception(w.sibling_station, D(2026, 6, 19), [known.d5], 3)
    assert figures(w.county).totals["idle"] == 0


def _ranking(dash):
    return {row.key: +row.counts for row in dash.rows}


def _seeded_township(w, rng: random.Random) -> None:
    """Suggestions, receptions and memberships at random over fourteen months."""
    places = [(w.township, w.station), (w.village, w.point), (w.township, None)]
    places.append((w.township, w.sibling_station))  # a neighbour township's station
    deputies = [w.deputy, w.other_deputy, f.DeputyFactory(region=w.township)]
    first = D(2025, 5, 1)
    for _n in range(80):
        region, station = rng.choice(places)
        day = first + datetime.timedelta(days=rng.randrange((TODAY - first).days + 1))
        status = rng.choice(list(S))
        fields = {}
        if rng.random() < 0.7:
            fields["due_date"] = day + datetime.timedelta(days=rng.randrange(5, 40))
        if status in (S.REPLIED, S.CLOSED) or rng.random() < 0.1:
            fields["replied_at"] = at(day + datetime.timedelta(days=rng.randrange(0, 30)))
        if status == S.CLOSED:
            fields["satisfaction"] = rng.choice(["satisfied", "basically", "unsatisfied", ""])
        category = rng.choice(["water", "roads", "gas", "other"])
        suggestion(region, category, status, station=station, day=day, **fields)
    for _n in range(25):
        day = first + datetime.timedelta(days=rng.randrange((TODAY - first).days + 1))
        station = rng.choice([w.station, w.point])
        reception(station, day, rng.sample(deputies, rng.randrange(0, 3)), rng.randrange(0, 9))
    StationMembership.objects.create(deputy=deputies[2], station=w.point, start_date=D(2025, 1, 1))
    # Deputies whose one reception falls on a period's first or last day.
    for day in (D(2026, 2, 28), D(2025, 11, 17)):
        edge = f.DeputyFactory(region=w.township)
        StationMembership.objects.create(deputy=edge, station=w.station, start_date=D(2025, 1, 1))
        reception(w.station, day, [edge], 1)


@postgresql_only("on SQLite both readers are the ORM, which would be compared with itself")
def test_both_township_readers_agree_on_a_random_world(known, settings):
    """The hand-written SQL and the ORM give the same page for every kind of period,
    before and after the rollups (which change what is read live)."""
    w = known.world
    _seeded_township(w, random.Random(7))
    periods = [
        quarter_period(TODAY),  # trend reaches back a year before the quarter
        month_period(D(2026, 2, 1)),
        year_period(2025),  # all of it in the past
        year_period(2026),
        Period("custom", D(2025, 11, 17), TODAY),  # partial months at both ends
    ]

    def both(period):
        pages = {}
        for by_sql in (False, True):
            settings.DASHBOARD_TOWNSHIP_SQL = by_sql
            assert township_sql.applies(w.township) is by_sql
            dash = selectors.dashboard(Slice(region=w.township), period, today=TODAY)
            pages[by_sql] = (
                _ranking(dash),
                +dash.totals,
                dash.categories,
                [(month, +counts) for month, counts in dash.trend],
                dash.from_rollups,
            )
        return pages

    for built in (False, True):
        if built:
            rollup_refresh(today=TODAY)
        for period in periods:
            pages = both(period)
            assert pages[False] == pages[True], (period, built)
            assert pages[True][1]["received"] > 0
