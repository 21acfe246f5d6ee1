"""The demo's embedded broker survives many writers (issue 12, point 8).

kombu's filesystem transport creates a message file and only then writes it, and
rewrites the exchange table in place: a reader could meet an empty or half-written
file and the worker died with "Unrecoverable error: JSONDecodeError". The portal's
transport (congress_portal/broker.py) makes every write appear at once. Here several
processes publish at once (each also declaring the queue, which rewrites the
exchange table) while one consumer drains: every message arrives once.
"""

import contextlib
import multiprocessing
import queue as queue_module
import time

import pytest
from kombu import Connection, Exchange, Queue

TRANSPORT = "congress_portal.broker:Transport"
WRITERS = 6
PER_WRITER = 150


def _options(folder) -> dict:
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "control_folder": str(folder / "control"),
        "processed_folder": str(folder / "processed"),
        "store_processed": False,
        "polling_interval": 0.01,
    }


def _queues(n: int) -> list[Queue]:
    exchange = Exchange("lianxin-test", type="direct")
    # Each writer also binds a queue of its own: the exchange table is rewritten
    # while others read it to route their messages.
    return [
        Queue("work", exchange, routing_key="work"),
        Queue(f"w{n}", exchange, routing_key=f"w{n}"),
    ]


def _write(transport: str, folder, n: int, start) -> None:
    # A busy machine: a writer is often descheduled between two system calls. Widen
    # that gap (before each file lock) so the test meets what the demo met by chance.
    from kombu.transport import filesystem

    real_lock = filesystem.lock

    def slow_lock(file, flags):
        time.sleep(0.003)
        return real_lock(file, flags)

    filesystem.lock = slow_lock
    start.wait()
    with Connection(transport=transport, transport_options=_options(folder)) as connection:
        producer = connection.Producer()
        for i in range(PER_WRITER):
            producer.publish(
                {"writer": n, "i": i},
                exchange=Exchange("lianxin-test", type="direct"),
                routing_key="work",
                declare=_queues(n),
                serializer="json",
            )


def _consume(transport: str, folder, received, errors, stop) -> None:
    try:
        with Connection(transport=transport, transport_options=_options(folder)) as connection:
            simple = connection.SimpleQueue(_queues(0)[0])
            while not stop.is_set():
                try:
                    message = simple.get(timeout=0.05)
                except queue_module.Empty:
                    continue
                received.put((message.payload["writer"], message.payload["i"]))
                message.ack()
            simple.close()
    except BaseException as error:  # reported to the test
        errors.put(repr(error))


def deliver_from_many_writers(transport: str, folder) -> tuple[list, list]:
    for name in ("queue", "control", "processed"):
        (folder / name).mkdir(parents=True, exist_ok=True)
    context = multiprocessing.get_context("spawn")
    received, errors, stop, start = (
        context.Queue(),
        context.Queue(),
        context.Event(),
        context.Event(),
    )
    consumer = context.Process(target=_consume, args=(transport, folder, received, errors, stop))
    consumer.start()
    writers = [
        context.Process(target=_write, args=(transport, folder, n, start)) for n in range(WRITERS)
    ]
    for writer in writers:
        writer.start()
    start.set()
    for writer in writers:
        writer.join(120)
    got = []
    deadline = time.monotonic() + 60
    while len(got) < WRITERS * PER_WRITER and time.monotonic() < deadline and consumer.is_alive():
        with contextlib.suppress(queue_module.Empty):
            got.append(received.get(timeout=0.5))
    stop.set()
    consumer.join(20)
    if consumer.is_alive():
        consumer.kill()
    while True:
        try:
            got.append(received.get(timeout=0.2))
        except queue_module.Empty:
            break
    failures = []
    while True:
        try:
            failures.append(errors.get(timeout=0.2))
        except queue_module.Empty:
            break
    assert all(writer.exitcode == 0 for writer in writers), [w.exitcode for w in writers]
    return got, failures


def test_messages_written_from_several_processes_at_once_are_each_delivered_once(tmp_path):
    got, failures = deliver_from_many_writers(TRANSPORT, tmp_path)
    assert failures == []
    expected = {(n, i) for n in range(WRITERS) for i in range(PER_WRITER)}
    assert len(got) == len(expected)  # none twice
    assert set(got) == expected  # none lost


def test_the_demo_uses_this_transport_when_no_redis_is_configured():
    from django.conf import settings

    if settings.REDIS_URL:
        pytest.skip("REDIS_URL is set")
    from congress_portal.broker import Transport
    from congress_portal.celery import app

    with app.connection_for_write() as connection:
        assert isinstance(connection.transport, Transport)
