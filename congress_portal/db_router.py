"""Send dashboard and ledger reads to the read replica, everything else to the primary.

Code that only reads figures wraps its queries in `replica_reads()`:

    with replica_reads() as source:
        dashboard = selectors.dashboard(...)

Inside the block, reads go to `source.alias`: `settings.DASHBOARD_READ_DATABASE`
("replica" when DATABASE_REPLICA_URL is set, else "default"), unless the replica's
replay lags more than `REPLICA_MAX_LAG_SECONDS` or does not answer: then the block
reads the primary, and goes back to the replica by itself once it has caught up
(the lag is read at most every `REPLICA_LAG_CHECK_SECONDS` per process). Writes
always go to the primary. A replica lags the primary by a moment, which figures
tolerate and forms do not: so routing is opt-in per block, never global.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections, transaction

logger = logging.getLogger("lianxin.replica")

_block_alias: ContextVar[str | None] = ContextVar("replica_reads", default=None)

# Seconds the standby's data is behind: 0 when it has replayed all it received from
# a live WAL receiver, else the age of the last transaction it replayed (paused
# replay, or a receiver that lost the primary). 0 on a server that is no standby.
LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
         AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN 0
    ELSE COALESCE(EXTRACT(EPOCH FROM clock_timestamp() - pg_last_xact_replay_timestamp()), 0)
END
"""


@dataclass(frozen=True)
class ReadSource:
    """Where a block's reads went, and how fresh that data is."""

    alias: str
    # seconds the data is behind the primary; None when read from the primary itself
    lag: float | None = None
    # a replica is configured but lagged past the limit or did not answer
    replica_skipped: bool = False

    @property
    def on_replica(self) -> bool:
        return self.lag is not None


def replay_lag(alias: str) -> float | None:
    """Seconds the database at `alias` is behind the primary; None if it does not answer."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return 0.0
    try:
        with connection.cursor() as cursor:
            cursor.execute(LAG_SQL)
            (lag,) = cursor.fetchone()
    except DatabaseError:
        logger.warning("replica %s did not answer the lag check", alias, exc_info=True)
        with suppress(Exception):
            connection.close()  # reconnect on the next check
        return None
    return float(lag)


class ReplicaLag:
    """A per-process reading of each replica's lag, refreshed every few seconds."""

    def __init__(
        self,
        reader: Callable[[str], float | None] = replay_lag,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.reader = reader
        self.clock = clock
        self._seen: dict[str, tuple[float, float | None]] = {}
        self._lock = threading.Lock()

    def __call__(self, alias: str) -> float | None:
        now = self.clock()
        with self._lock:
            seen = self._seen.get(alias)
        if seen is not None and now - seen[0] < settings.REPLICA_LAG_CHECK_SECONDS:
            return seen[1]
        lag = self.reader(alias)
        with self._lock:
            self._seen[alias] = (now, lag)
        return lag


_replica_lag = ReplicaLag()


def read_source(*, lag: Callable[[str], float | None] | None = None) -> ReadSource:
    """Where dashboard reads should go now: the replica unless it lags past the limit."""
    wanted = read_alias()
    if wanted == "default":
        return ReadSource("default")
    seconds = (lag or _replica_lag)(wanted)
    if seconds is None or seconds > settings.REPLICA_MAX_LAG_SECONDS:
        return ReadSource("default", replica_skipped=True)
    return ReadSource(wanted, lag=seconds)


@contextmanager
def replica_reads(*, snapshot: bool = False) -> Iterator[ReadSource]:
    """Route the reads made inside the block to the read database; yields its ReadSource.

    With `snapshot`, the block's reads share one transaction (one consistent view of
    the data, for a page whose figures must add up) with PostgreSQL's JIT compiler
    off: dashboard queries are short aggregates whose high cost estimates make JIT
    compile for longer than they run (measured: 95 ms against 275 ms for a city
    dashboard). Never take a snapshot around work that writes progress for others
    to see, such as a job: its writes would wait for the block to end.
    """
    source = read_source()
    token = _block_alias.set(source.alias)
    try:
        if not snapshot:
            yield source
            return
        with transaction.atomic(using=source.alias):
            connection = connections[source.alias]
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL jit = off")
            yield source
    finally:
        _block_alias.reset(token)


def read_alias() -> str:
    """The alias configured for dashboard reads: the replica when one is configured."""
    return getattr(settings, "DASHBOARD_READ_DATABASE", "default") or "default"


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return _block_alias.get() or "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # Both aliases hold the same data: rows read from either may be related.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # A replica follows the primary's schema through replication.
        return db == "default"
