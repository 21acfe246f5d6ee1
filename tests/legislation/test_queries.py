"""Every list answers in the same number of queries for N rows and for 3N."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from legislation.models import Collector, Comment, Meeting, Participation
from tests.legislation.world import consultation_of

N = 4


def _more(world, lw, n: int) -> None:
    """n more consultations asking the point, n more comments and n more collectors."""
    base = Comment.objects.filter(participation=lw.participation).count()
    for i in range(n):
        consultation = consultation_of(world.city, [world.station], title=f"草案{i}-{base}")
        participation = consultation.participations.get()
        Comment.objects.create(
            consultation=consultation,
            participation=participation,
            station=world.station,
            region=world.station.region,
            number=1,
            content="另一部草案的意见。",
            channel="online",
            received_on=datetime.date(2026, 3, 5),
        )
    for i in range(n):
        Comment.objects.create(
            consultation=lw.consultation,
            participation=lw.participation,
            station=world.station,
            region=world.station.region,
            number=base + i + 1,
            article=lw.article,
            content=f"第{base + i}条意见。",
            channel="symposium",
            received_on=datetime.date(2026, 3, 6),
            author_name="某人",
            contact_phone="13900000000",
            collector=lw.collector,
        )
        collector = Collector.objects.create(
            station=world.station,
            region=world.station.region,
            name=f"采集员{base + i}",
            occupation="网格员",
            phone="13900000001",
        )
        meeting = Meeting.objects.create(
            participation=lw.participation, kind="symposium", held_on=datetime.date(2026, 3, 7)
        )
        meeting.collectors.add(collector)


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


URLS = [
    ("county_officer", lambda lw: reverse("legislation:list")),
    (
        "station_officer",
        lambda lw: reverse("legislation:participation", args=[lw.participation.pk]),
    ),
    ("county_officer", lambda lw: reverse("legislation:detail", args=[lw.consultation.pk])),
    ("county_officer", lambda lw: reverse("legislation:article", args=[lw.consultation.pk, 1])),
    (
        "station_officer",
        lambda lw: reverse("legislation:summary", args=[lw.participation.pk]) + "?article=1",
    ),
    ("station_officer", lambda lw: reverse("legislation:feedback", args=[lw.participation.pk])),
    ("county_officer", lambda lw: reverse("legislation:collectors")),
    ("county_officer", lambda lw: "/api/legislation/consultations/"),
    ("county_officer", lambda lw: "/api/legislation/comments/"),
    ("county_officer", lambda lw: reverse("stations:detail", args=[lw.participation.station_id])),
    (None, lambda lw: reverse("public_legislation:page", args=[lw.participation.public_token])),
]


@pytest.mark.parametrize(("who", "url"), URLS, ids=[str(i) for i in range(len(URLS))])
def test_list_queries_do_not_grow_with_rows(client, world, lw, open_day, who, url):
    if who:
        client.force_login(getattr(world, who))
    _more(world, lw, N)
    client.get(url(lw))  # warm caches (content types, sessions)
    small = _count(client, url(lw))
    _more(world, lw, 2 * N)
    assert Participation.objects.filter(station=world.station).count() == 1 + 3 * N
    assert _count(client, url(lw)) == small


def test_the_dashboard_panel_is_a_constant_number_of_queries(world, lw):
    from dashboards.periods import Period
    from legislation.selectors import dashboard_panel

    period = Period("year", datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    dashboard_panel(world.county_officer, world.county, period)  # the user's scope, once
    with CaptureQueriesContext(connection) as small:
        dashboard_panel(world.county_officer, world.county, period)
    _more(world, lw, 3 * N)
    with CaptureQueriesContext(connection) as large:
        panel = dashboard_panel(world.county_officer, world.county, period)
    assert len(large) == len(small) <= 5
    assert panel["comments"] == 1 + 6 * N
