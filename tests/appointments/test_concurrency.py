"""Concurrent requests against PostgreSQL: a slot is never booked beyond its capacity, and a
phone votes once in a report-back's poll, however many requests arrive at once.

Each thread has its own database connection; the test waits at a barrier so that they
really race. On SQLite (one writer at a time) the race cannot happen: these tests skip.
"""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from appointments import services
from appointments.models import Booking, BookingSlot, PollVote

from .world import rule_for

NOW = datetime.datetime(2026, 6, 1, 10, 0, tzinfo=datetime.UTC)


def _race(count, work):
    barrier = threading.Barrier(count)
    done, refused, errors = [], [], []

    def run(index):
        try:
            barrier.wait(10)
            done.append(work(index))
        except ValidationError as error:
            refused.append(error)
        except BaseException as error:  # reported to the test thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors, errors
    return done, refused


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite serialises writers")


def test_eight_citizens_at_once_fill_a_slot_of_three(
    transactional_db, postgres, world, clock, settings
):
    clock(NOW)
    settings.APPOINTMENT_SLOT_CAPACITY = 3
    rule = rule_for(world)

    def book(index):
        return services.booking_submit(
            deputy=world.deputy,
            rule_id=rule.pk,
            date=datetime.date(2026, 6, 4),
            topic="村口道路坑洼，雨天无法通行",
            name="李大爷",
            phone=f"139{index:08d}",
            consent=True,
            submission_token=f"race-token-{index:06d}-abcdef",
        )

    done, refused = _race(8, book)
    assert len(done) == 3 and len(refused) == 5
    assert Booking.objects.count() == 3
    slot = BookingSlot.objects.get()
    assert slot.taken == 3 == slot.capacity


def test_one_phone_voting_five_times_at_once_counts_once(transactional_db, postgres, world, clock):
    from appointments.models import ReportBack

    start = datetime.datetime(2026, 6, 4, 9, 0, tzinfo=datetime.UTC)
    clock(start + datetime.timedelta(minutes=30))
    report = ReportBack.objects.create(
        deputy=world.deputy,
        station=world.station,
        region=world.station.region,
        starts_at=start,
        status=ReportBack.Status.HELD,
        method=ReportBack.Method.PHONE,
        poll_opens_at=start,
        poll_closes_at=start + datetime.timedelta(hours=1),
        audience=30,
        form_token="race-report-token-000001",
    )
    done, refused = _race(
        5,
        lambda i: services.report_back_vote(report=report, phone="13900000001", rating="satisfied"),
    )
    assert len(done) == 1 and len(refused) == 4
    assert PollVote.objects.filter(report_back=report).count() == 1
