"""The citizen's submit after issue 19's second pass: what it keeps between requests
is dropped when staff change it, its counts commit with it or not at all, and its
outbox rows are one INSERT that is routed and sent without further queries."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.urls import reverse

from congress_portal import queues
from core import clock
from core.models import OutboxMessage
from deputies.models import StationMembership
from suggestions import public_views, ratelimit
from suggestions.models import RateCounter, Suggestion
from tests.suggestions.conftest import intake_data, photo_upload


def _url(world):
    return reverse("public_suggestions:new_for_deputy", args=[world.deputy.public_token])


def _submit(client, world, n: int, **overrides):
    data = intake_data(
        f"tok_k{n:03d}" + "k" * 23, content=f"第{n}件事：村口路灯不亮。", **overrides
    )
    response = client.post(_url(world), data)
    assert response.status_code == 302, response.content.decode()[:300]
    return Suggestion.objects.get(submission_token=data["submission_token"])


def test_the_station_a_submission_goes_to_follows_a_membership_change_at_once(client, world):
    # The deputy belongs to no station: the suggestion has none
    assert _submit(client, world, 1).station is None
    # Grouped into the township's station (a staff change): the very next submission
    membership = StationMembership.objects.create(
        deputy=world.deputy, station=world.station, start_date=clock.today()
    )
    assert _submit(client, world, 2).station == world.station
    # The membership ends today: the next one goes to no station again
    membership.end_date = clock.today()
    membership.save(update_fields=["end_date"])
    assert _submit(client, world, 3).station is None
    # A new membership, then the station is suspended: not a place to send anything to
    StationMembership.objects.create(
        deputy=world.deputy, station=world.sibling_station, start_date=clock.today()
    )
    assert _submit(client, world, 4).station == world.sibling_station
    world.sibling_station.status = world.sibling_station.Status.SUSPENDED
    world.sibling_station.save(update_fields=["status"])
    assert _submit(client, world, 5).station is None


def test_a_deputy_moved_to_another_region_files_there_from_the_next_submission(client, world):
    assert _submit(client, world, 1).region == world.township
    world.deputy.region = world.other_township
    world.deputy.save()
    suggestion = _submit(client, world, 2)
    assert suggestion.region == world.other_township
    assert suggestion.region_path == world.other_township.path


def test_a_suspended_deputy_takes_no_submission_even_with_the_place_kept(client, world):
    _submit(client, world, 1)
    world.deputy.status = world.deputy.Status.SUSPENDED
    world.deputy.save(update_fields=["status"])
    response = client.post(_url(world), intake_data("tok_s001" + "s" * 24))
    assert response.status_code == 404
    assert Suggestion.objects.count() == 1


def test_a_submission_refused_by_its_phone_limit_counts_nothing(client, world, monkeypatch):
    monkeypatch.setattr(public_views, "SUBMIT_PER_PHONE", (1, 3600))
    _submit(client, world, 1)
    response = client.post(_url(world), intake_data("tok_p002" + "p" * 24, content="又一件事。"))
    assert response.status_code == 429
    assert "该手机号今天提交的次数已达上限" in response.content.decode()
    # The address count rolled back with the refused submission: one, not two
    address = RateCounter.objects.get(key__startswith="rl:suggestion-ip:")
    assert address.count == 1
    assert Suggestion.objects.count() == 1


def test_photos_and_plain_submissions_share_the_address_window(client, world, monkeypatch):
    monkeypatch.setattr(public_views, "SUBMIT_PER_IP", (2, 3600))
    _submit(client, world, 1, contact_phone="")
    _submit(client, world, 2, contact_phone="", photos=[photo_upload()])
    response = client.post(_url(world), intake_data("tok_w003" + "w" * 24, contact_phone=""))
    assert response.status_code == 429
    assert Suggestion.objects.count() == 2


def test_a_known_phone_keeps_its_person_fills_an_empty_name_and_takes_a_new_village(client, world):
    first = _submit(client, world, 1, contact_name="", village="西街社区")
    assert (first.constituent.name, first.constituent.village) == ("", "西街社区")
    second = _submit(client, world, 2, contact_name="张大爷", village="")
    third = _submit(client, world, 3, contact_name="李四", village="东街社区")
    assert first.constituent_id == second.constituent_id == third.constituent_id
    third.constituent.refresh_from_db()
    # A name fills an empty one and is then kept; a village given replaces the old one
    assert (third.constituent.name, third.constituent.village) == ("张大爷", "东街社区")
    assert third.constituent.region == world.county


def test_the_outbox_rows_of_a_submission_are_routed_without_a_query(
    client, world, django_assert_num_queries
):
    _submit(client, world, 1)
    messages = list(OutboxMessage.objects.order_by("pk"))
    assert [m.task for m in messages] == [
        "duties.tasks.recompute_points",
        "suggestions.tasks.notify_new_suggestion",
    ]
    with django_assert_num_queries(0):
        routes = [queues.route(queues.OUTBOX_TASK, [m.pk], {}, {}) for m in messages]
    assert routes == [
        {"queue": queues.queue_for("duties.tasks.recompute_points")},
        {"queue": "default"},
    ]


@pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="threads on SQLite's shared test database lock whole tables; CI runs it on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_parallel_claims_take_no_more_places_than_the_limit():
    barrier = threading.Barrier(6)

    def claim(_):
        try:
            barrier.wait(timeout=10)
            return ratelimit.claim("test-claim", "10.0.0.9", limit=3, window=3600)
        finally:
            connection.close()

    with ThreadPoolExecutor(6) as pool:
        taken = list(pool.map(claim, range(6)))
    assert sorted(taken) == [False, False, False, True, True, True]
    # A refused claim is not counted: the count stops at the limit
    assert RateCounter.objects.get(key__startswith="rl:test-claim:").count == 3
    assert not ratelimit.claim("test-claim", "10.0.0.9", limit=3, window=3600)
    assert ratelimit.claim("test-claim", "10.0.0.9", limit=4, window=3600)


def test_the_kept_place_is_for_one_day(client, world):
    StationMembership.objects.create(
        deputy=world.deputy,
        station=world.station,
        start_date=clock.today(),
        end_date=clock.today() + datetime.timedelta(days=1),
    )
    assert _submit(client, world, 1).station == world.station
    # Tomorrow the membership has ended, with no change by staff in between
    with clock.frozen(clock.now() + datetime.timedelta(days=1)):
        assert _submit(client, world, 2).station is None


def test_rows_written_together_go_in_one_statement_and_a_rolled_back_savepoint_keeps_none(
    db, settings
):
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    from audit.models import AuditRecord
    from audit.services import audit_record
    from core import outbox, writes

    settings.OUTBOX_SEND_ON_COMMIT = True
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        with writes.together():
            outbox.enqueue("tests.broker.work.noop", n=1)
            audit_record(actor=None, action=AuditRecord.Action.CREATE, note="held")
            outbox.enqueue("tests.broker.work.noop", n=2)
            assert not queries.captured_queries  # held until the block ends
            try:
                with transaction.atomic():  # its own savepoint: written now, rolled back
                    outbox.enqueue("tests.broker.work.noop", n=3)
                    raise RuntimeError("the nested work fails")
            except RuntimeError:
                pass
        inserts = [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"]]
    # The rolled-back one, then the block's rows: one INSERT per table, on PostgreSQL
    # in one round trip
    expected = 2 if connection.vendor == "postgresql" else 3
    assert len(inserts) == expected
    kept = list(OutboxMessage.objects.order_by("pk"))
    assert [m.kwargs["n"] for m in kept] == [1, 2]
    assert AuditRecord.objects.get().note == "held"
    # Written stamped, with one stamp: the sender thread only publishes them
    assert len({m.dispatched_at for m in kept}) == 1 and kept[0].dispatched_at is not None


def test_a_held_row_gets_its_id_defaults_and_post_save_when_the_block_ends(db):
    from django.db import transaction
    from django.db.models.signals import post_save

    from audit.models import AuditRecord
    from audit.services import audit_record
    from core import writes

    seen = []

    def heard(sender, instance, created, **kwargs):
        seen.append((instance.pk, created))

    post_save.connect(heard, sender=AuditRecord)
    try:
        with transaction.atomic(), writes.together():
            record = audit_record(actor=None, action=AuditRecord.Action.CREATE, note="a")
            assert record.pk is None and seen == []
    finally:
        post_save.disconnect(heard, sender=AuditRecord)
    stored = AuditRecord.objects.get()
    assert record.pk == stored.pk and seen == [(stored.pk, True)]
    assert stored.at is not None and stored.succeeded is True  # auto_now_add and a default


def test_a_model_whose_save_does_more_is_refused_in_a_block(db, world):
    from django.db import transaction

    from core import writes
    from suggestions.models import Suggestion

    with pytest.raises(TypeError), transaction.atomic(), writes.together():
        writes.insert(Suggestion(region=world.county, content="x"))


@pytest.mark.django_db(transaction=True)
def test_a_block_outside_a_transaction_is_refused():
    from core import outbox, writes

    with pytest.raises(RuntimeError), writes.together():
        outbox.enqueue("tests.broker.work.noop")
    assert not OutboxMessage.objects.exists()


def test_an_error_caught_inside_the_transaction_still_rolls_the_block_back(db):
    from django.db import transaction

    from audit.models import AuditRecord
    from audit.services import audit_record
    from core import outbox, writes

    with transaction.atomic():
        outbox.enqueue("tests.broker.work.noop", n=0)  # no block open: written at once
        try:
            with writes.together():
                audit_record(actor=None, action=AuditRecord.Action.CREATE, note="held")
                raise RuntimeError("the work fails")
        except RuntimeError:
            pass  # swallowed inside the transaction
    # The held record was dropped, so nothing of the transaction commits without it
    assert not AuditRecord.objects.exists() and not OutboxMessage.objects.exists()
