"""Tests against the real broker: Redis at REDIS_URL, a Celery worker in a thread.

REDIS_URL must be set (bin/test starts a private Redis when the caller gives none;
CI points it at the machine's Redis): without it these tests fail, they do not
skip. Each test gets its own key prefix on that Redis (kombu's global_keyprefix),
so it never sees or consumes another run's messages, and deletes its keys after.

The worker runs in this process (celery.contrib.testing.worker.start_worker, solo
pool) and uses the test database through its own connection: tests that start one
use `transactional_db`, so what the test wrote is committed and visible to it. On
SQLite, Django's in-memory test database is shared between threads (shared cache);
it refuses, rather than waits for, a writer while another connection holds the
write lock, so these tests never write from the test thread while a worker runs.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import uuid
from contextlib import contextmanager
from types import SimpleNamespace

import pytest
import redis
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.db import connections

from congress_portal import queues
from congress_portal.celery import app as celery_app


def _use_broker(url: str, options: dict) -> None:
    """Point the Celery app at another broker (its pools are built lazily from conf)."""
    if celery_app._pool is not None:
        celery_app._pool.force_close_all()
    celery_app.conf.broker_url = url
    celery_app.conf.broker_transport_options = options
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def closed_port_url() -> str:
    """A Redis URL on a local port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"redis://127.0.0.1:{port}/0"


@pytest.fixture
def broker(settings):
    """The real Redis, under a key prefix of this test's own; restored and cleaned after."""
    url = settings.REDIS_URL
    if not url:
        pytest.fail("REDIS_URL is not set: the broker tests need a real Redis (see bin/test).")
    prefix = f"lianxin-test-{uuid.uuid4().hex[:12]}:"
    saved = (celery_app.conf.broker_url, dict(celery_app.conf.broker_transport_options or {}))
    options = {"visibility_timeout": 3600, "global_keyprefix": prefix}
    client = redis.Redis.from_url(url)
    client.ping()  # fail here, clearly, if Redis is not there

    def use_real():
        settings.CELERY_BROKER_URL = url
        _use_broker(url, options)

    def use_dead():
        dead = closed_port_url()
        settings.CELERY_BROKER_URL = dead
        _use_broker(dead, options)

    def queued() -> int:
        return client.llen(f"{prefix}default")

    use_real()
    yield SimpleNamespace(
        url=url, prefix=prefix, redis=client, use_real=use_real, use_dead=use_dead, queued=queued
    )
    _use_broker(*saved)
    for key in client.scan_iter(match=f"{prefix}*"):
        client.delete(key)
    client.close()


class TaskCounter:
    """Counts tasks the embedded worker finished, and waits for a number of them."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._changed = threading.Condition()

    def __call__(self, sender=None, task=None, **kwargs) -> None:
        with self._changed:
            self.names.append(getattr(task, "name", str(sender)))
            self._changed.notify_all()
        # The worker thread's own database connection: close it after each task
        # (Celery's Django fixup does too) so nothing is left open at teardown.
        connections.close_all()

    def wait_for(self, count: int, timeout: float = 30) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: len(self.names) >= count, timeout):
                raise AssertionError(f"worker ran {self.names}, expected {count} tasks")


@contextmanager
def running_worker():
    """A Celery worker consuming from the current broker in a thread; yields a TaskCounter."""
    counter = TaskCounter()
    task_postrun.connect(counter, weak=False)
    try:
        with start_worker(
            celery_app,
            pool="solo",
            concurrency=1,
            perform_ping_check=False,
            shutdown_timeout=30,
            loglevel="WARNING",
        ):
            yield counter
    finally:
        task_postrun.disconnect(counter)


@pytest.fixture
def worker():
    return running_worker


def outbox_ids_of(raw: bytes) -> list[int] | None:
    """The outbox message ids one broker message carries (one, or a batch's), or None
    for a message that is not the outbox's."""
    message = json.loads(raw)
    task = message["headers"]["task"]
    if task not in (queues.OUTBOX_TASK, queues.OUTBOX_BATCH_TASK):
        return None
    first = json.loads(base64.b64decode(message["body"]))[0][0]
    return first if task == queues.OUTBOX_BATCH_TASK else [first]
