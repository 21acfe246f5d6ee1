"""`manage.py benchmark_public`'s machinery on a tiny scale: the floor site, the target
list, a real intake POST with its CSRF and client address, the load generator and the
report. No timing is asserted."""

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from deputies.models import StationMembership
from public.management.commands import benchmark_public as bench
from suggestions.models import Suggestion


@pytest.fixture
def grouped(world):
    StationMembership.objects.create(
        deputy=world.deputy, station=world.station, start_date=dt.date(2024, 1, 1)
    )
    return world


@pytest.mark.urls("public.benchfloor.urls")
def test_the_floor_reads_one_deputy_by_token_and_renders_a_small_page(
    client, grouped, django_assert_num_queries
):
    with django_assert_num_queries(1):
        response = client.get(f"/floor/{grouped.deputy.public_token}/")
    assert response.status_code == 200
    assert "马志刚" in response.content.decode()
    assert client.get("/floor/no-such-token/").status_code == 404


def test_targets_are_the_deputys_and_its_stations_pages(grouped):
    deputy = bench.pick_deputy()
    station = bench.pick_station(deputy)
    assert station == grouped.station
    names = [target.name for target in bench.targets(deputy, station)]
    assert names == [
        "floor",
        "deputy page",
        "station page",
        "intake form GET",
        "tracking page",
        "QR PNG",
        "intake POST",
    ]


@pytest.mark.django_db(transaction=True)
def test_the_python_generator_drives_pages_and_real_submissions(live_server, grouped, settings):
    settings.TRUSTED_PROXY_COUNT = 1  # as behind the production proxy, and in the benchmark
    port = int(live_server.url.rsplit(":", 1)[1])
    deputy = grouped.deputy
    plan = bench.targets(deputy, grouped.station)
    page = next(t for t in plan if t.name == "deputy page")
    # One connection: the live server shares one in-memory SQLite connection.
    result = bench.drive_python(port, page, 0.5, 1, 0)
    assert result.requests > 0 and result.errors == 0
    assert result.p95 >= result.p50 > 0

    post = next(t for t in plan if t.method == "POST")
    post.post = bench.csrf_for(port, post.path)
    result = bench.drive_python(port, post, 0.5, 1, 0)
    assert result.requests > 0 and result.errors == 0
    # Each POST a real suggestion, each from its own address: none refused by the limit.
    assert Suggestion.objects.filter(content=bench.BENCH_CONTENT).count() == result.requests


def test_a_post_body_carries_its_token_and_a_distinct_address():
    first, address_a = bench.post_body("csrf", 1)
    second, address_b = bench.post_body("csrf", 2)
    assert address_a != address_b and address_a.startswith("10.")
    assert "csrfmiddlewaretoken=csrf" in first and first != second


def test_the_report_gives_each_target_its_ratio_to_the_floor(grouped):
    plan = bench.targets(grouped.deputy, grouped.station)
    for target, rps in zip(plan, [100, 60, 50, 40, 90, 80, 20], strict=True):
        target.samples = [bench.Result(rps * 2, 2.0, 5.0, 9.0, 0)]
    lines = bench.Command().report(plan, grouped.deputy, grouped.station, 1, 2, 4, 2, False)
    table = "\n".join(lines)
    assert "| floor | 100 | 5.0 ms | 9.0 ms | 0 of 200 | 100% |" in table
    assert "| deputy page | 60 |" in table and "| 60% |" in table
    assert "| intake POST | 20 |" in table and "| 20% |" in table


def test_the_command_needs_the_demo(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="seed_demo"):
        bench.pick_deputy()


def test_intake_post_reaches_the_form_through_reverse(grouped):
    # The POST target is the intake form the deputy's QR code leads to.
    post = bench.targets(grouped.deputy, grouped.station)[-1]
    assert post.path == reverse(
        "public_suggestions:new_for_deputy", args=[grouped.deputy.public_token]
    )
    assert Client().get(post.path).status_code == 200
