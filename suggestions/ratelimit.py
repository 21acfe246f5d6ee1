"""A small fixed-window rate limit in the database, shared by every worker.

Public pages use it per client address and per phone number; it never makes a
request wait on Redis. `hit` and `exceeded` count in `RateCounter` with one UPSERT
or one read (they join the caller's transaction: a submission and its count commit
together). `claim` and `exceeded_claims` (places taken one by one) stay on Django's
cache, the database cache in this project.
"""

import hashlib
import time
from datetime import UTC, datetime

from django.core.cache import cache
from django.db import connection


def _key(scope: str, value: str, window: int) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}:{int(time.time() // window)}"


# Requests whose origin cannot be told (no usable address) share one bucket rather
# than escaping the limit.
UNKNOWN = "unknown"


def _expires(window: int) -> datetime:
    """The end of the current window (the key names the window, so a row is only ever
    counted within it; `expires` is for pruning)."""
    return datetime.fromtimestamp((int(time.time() // window) + 1) * window, tz=UTC)


def hit(scope: str, value: str | None, *, limit: int, window: int) -> bool:
    """Count one attempt; False once more than `limit` were made in the window.

    One statement: INSERT … ON CONFLICT DO UPDATE SET count = count + 1 RETURNING
    count (PostgreSQL and SQLite alike), atomic under concurrent requests."""
    from .models import RateCounter

    table = connection.ops.quote_name(RateCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (key, count, expires) VALUES (%s, 1, %s) "
            f"ON CONFLICT (key) DO UPDATE SET count = {table}.count + 1 RETURNING count",
            [_key(scope, value or UNKNOWN, window), _expires(window)],
        )
        (count,) = cursor.fetchone()
    return count <= limit


def counts(*keys: tuple[str, str | None, int]) -> dict[tuple[str, str | None, int], int]:
    """The current counts of several (scope, value, window) in one query."""
    from .models import RateCounter

    names = {
        _key(scope, value or UNKNOWN, window): (scope, value, window)
        for scope, value, window in keys
    }
    found = dict(RateCounter.objects.filter(key__in=names).values_list("key", "count"))
    return {spec: found.get(name, 0) for name, spec in names.items()}


def exceeded(scope: str, value: str | None, *, limit: int, window: int) -> bool:
    """Whether `limit` attempts were already made in the window (without counting one)."""
    return counts((scope, value, window))[(scope, value, window)] >= limit


def prune() -> int:
    """Drop the counts of windows that are over."""
    from core import clock

    from .models import RateCounter

    return RateCounter.objects.filter(expires__lt=clock.now()).delete()[0]


def claim(scope: str, value: str | None, *, limit: int, window: int) -> bool:
    """Take one of `limit` places in the window, atomically; False when none is left.

    `hit` counts with get-and-set, which loses counts when requests arrive together;
    here each attempt must win `cache.add` of its own place (0 … limit-1), which the
    cache grants once (the database cache's primary key decides between racers), so
    no burst of parallel requests gets more than `limit` through. For small limits:
    one row per place; `exceeded_claims` reads the last place only.
    """
    base = _key(scope, value or UNKNOWN, window)
    start = min(max(cache.get(f"{base}:next") or 0, 0), limit)
    for place in (*range(start, limit), *range(0, start)):
        if cache.add(f"{base}:{place}", 1, timeout=window):
            cache.set(f"{base}:next", place + 1, timeout=window)  # a hint, not the count
            return True
    return False


def exceeded_claims(scope: str, value: str | None, *, limit: int, window: int) -> bool:
    """Whether every place of the window is taken (without taking one)."""
    base = _key(scope, value or UNKNOWN, window)
    return cache.get(f"{base}:{limit - 1}") is not None
