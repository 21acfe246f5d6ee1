"""A small fixed-window rate limit in the database, shared by every worker.

Public pages use it per client address and per phone number; it never makes a
request wait on Redis. `hit`, `claim` and `exceeded` count in `RateCounter` with one
UPSERT or one read each; they join the caller's transaction, so a submission and its
count commit together.
"""

import hashlib
import time
from datetime import UTC, datetime

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


def _count_sql(scope: str, value: str | None, window: int, below: int | None):
    """Add one to the window's count in one statement, INSERT … ON CONFLICT DO UPDATE …
    RETURNING count (PostgreSQL and SQLite alike, atomic under concurrent requests);
    with `below`, only while the count is below it (no row when it is not)."""
    from .models import RateCounter

    table = connection.ops.quote_name(RateCounter._meta.db_table)
    condition = f" WHERE {table}.count < %s" if below is not None else ""
    params = [_key(scope, value or UNKNOWN, window), _expires(window)]
    sql = (
        f"INSERT INTO {table} (key, count, expires) VALUES (%s, 1, %s) "
        f"ON CONFLICT (key) DO UPDATE SET count = {table}.count + 1{condition} "
        "RETURNING count"
    )
    return sql, params if below is None else [*params, below]


def _count_one(scope: str, value: str | None, window: int, *, below: int | None = None):
    """The count after adding one (None when `below` refused it)."""
    with connection.cursor() as cursor:
        cursor.execute(*_count_sql(scope, value, window, below))
        row = cursor.fetchone()
    return row[0] if row else None


def hit(scope: str, value: str | None, *, limit: int, window: int) -> bool:
    """Count one attempt; False once more than `limit` were made in the window."""
    return _count_one(scope, value, window) <= limit


def submission_refusal(
    scope: str,
    *,
    ip: str | None,
    phone: str,
    per_ip: tuple[int, int],
    per_phone: tuple[int, int],
) -> str | None:
    """Count one citizen's submission of `scope` against its address's limit, then its
    phone number's (`per_ip`, `per_phone`: attempts, seconds), in scopes "<scope>-ip"
    and "<scope>-phone": "address" or "phone" for the limit that refused it, None when
    both admit. No phone is not counted, nor is the phone once the address refused."""
    if not hit(f"{scope}-ip", ip, limit=per_ip[0], window=per_ip[1]):
        return "address"
    if phone and not hit(f"{scope}-phone", phone, limit=per_phone[0], window=per_phone[1]):
        return "phone"
    return None


def hit_or_refuse(scope: str, value: str | None, *, limit: int, window: int, refuse) -> None:
    """Count one attempt as `hit` does, but inside a `core.writes.together()` block
    with the block's rows, in their round trip: over the limit, `refuse()` raises there,
    so the transaction rolls back with the count. Outside a block, at once."""
    from core import writes

    def then(rows) -> None:
        if rows[0][0] > limit:
            refuse()

    writes.later(*_count_sql(scope, value, window, None), then)


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

    Unlike `hit`, a refused attempt is not counted: the count stops at the limit. The
    row lock orders racers, so a burst of parallel requests gets `limit` through."""
    return _count_one(scope, value, window, below=limit) is not None
