"""The citizen's submit, fast by construction (issue 19): a handful of statements in one
transaction, the same number whatever the size of the data, no session row."""

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.models import OutboxMessage
from suggestions import followed
from suggestions.models import RateCounter, Suggestion
from tests.suggestions.conftest import intake_data


# The deputy with the kept pages' generation and the token check (one SELECT; its
# region and station are kept per process under that generation), then in one
# transaction (here a savepoint and its release): the county, the constituent's UPSERT,
# the suggestion, then one string of statements (core.writes.together(): the address
# and phone counts, the event, audit record and both outbox rows) on PostgreSQL; on
# SQLite the counts and an INSERT per table one by one. (21 before issue 19's second
# pass, 34 before its first.)
def post_queries() -> int:
    return 7 if connection.vendor == "postgresql" else 11


def _url(world):
    return reverse("public_suggestions:new_for_deputy", args=[world.deputy.public_token])


def _grow(world, size: int) -> None:
    """Earlier submissions, constituents and rate counts around the measured one."""
    for n in range(size):
        data = intake_data(f"tok_g{n:03d}" + "g" * 23, contact_phone=f"1390000{n:04d}")
        response = type_client().post(_url(world), data, REMOTE_ADDR=f"10.9.{n // 200}.{n % 200}")
        assert response.status_code == 302


def type_client():
    from django.test import Client

    return Client()


# At least one before: the first write of a process also reads the content type
# (audit record), kept for the life of the process.
@pytest.mark.parametrize("size", [1, 25])
def test_the_submit_takes_the_same_queries_at_two_sizes_and_writes_no_session(
    client, world, size, django_assert_num_queries
):
    _grow(world, size)
    before = Suggestion.objects.count()
    with django_assert_num_queries(post_queries()):
        response = client.post(_url(world), intake_data(), REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 302
    assert Suggestion.objects.count() == before + 1
    assert not Session.objects.exists()
    assert RateCounter.objects.filter(key__startswith="rl:suggestion-ip:").count() == size + 1
    # The browser still follows its suggestion: the receipt and the tracking page.
    suggestion = Suggestion.objects.get(submission_token=intake_data()["submission_token"])
    track = reverse("public_suggestions:track_detail", args=[suggestion.tracking_code])
    assert client.get(track).status_code == 200
    assert type_client().get(track).status_code == 302


def test_the_suggestion_and_its_outbox_rows_commit_in_one_transaction(client, world):
    with CaptureQueriesContext(connection) as queries:
        assert client.post(_url(world), intake_data(), REMOTE_ADDR="10.1.1.2").status_code == 302
    statements = [q["sql"].split()[0].upper() for q in queries.captured_queries]
    # Inside the test's transaction each atomic block is a savepoint: one outer block.
    first = statements.index("SAVEPOINT")
    last = len(statements) - 1 - statements[::-1].index("RELEASE")
    writes = [i for i, s in enumerate(statements) if s in ("INSERT", "UPDATE", "DELETE")]
    assert writes and first < min(writes) and max(writes) < last
    assert OutboxMessage.objects.count() == 2


def test_a_forged_follow_cookie_follows_nothing(client, world):
    assert client.post(_url(world), intake_data()).status_code == 302
    suggestion = Suggestion.objects.get()
    track = reverse("public_suggestions:track_detail", args=[suggestion.tracking_code])
    assert client.get(track).status_code == 200
    stranger = type_client()
    value = client.cookies[followed.COOKIE].value
    stranger.cookies[followed.COOKIE] = value[:-2] + ("AA" if value[-2:] != "AA" else "BB")
    assert stranger.get(track).status_code == 302
    stranger.cookies[followed.COOKIE] = value  # the real cookie, copied, is the browser
    assert stranger.get(track).status_code == 200


def test_counts_of_past_windows_are_pruned_and_the_current_ones_kept(db):
    from datetime import timedelta

    from core import clock as core_clock
    from suggestions import ratelimit, tasks

    assert ratelimit.hit("test-prune", "10.0.0.1", limit=2, window=3600)
    RateCounter.objects.create(key="rl:old", count=3, expires=core_clock.now() - timedelta(1))
    assert tasks.rate_counters_prune() == 1
    assert list(RateCounter.objects.values_list("count", flat=True)) == [1]
    assert ratelimit.hit("test-prune", "10.0.0.1", limit=2, window=3600)
    assert not ratelimit.hit("test-prune", "10.0.0.1", limit=2, window=3600)
