"""A small fixed-window rate limit on Django's cache (the database cache in this project).

Public pages use it per client address and per phone number. The database cache
is shared by every worker and never makes a request wait on Redis.
"""

import hashlib
import time

from django.core.cache import cache


def _key(scope: str, value: str, window: int) -> str:
    digest = hashlib.sha256(value.encode()).hexdigest()[:32]
    return f"rl:{scope}:{digest}:{int(time.time() // window)}"


# Requests whose origin cannot be told (no usable address) share one bucket rather
# than escaping the limit.
UNKNOWN = "unknown"


def hit(scope: str, value: str | None, *, limit: int, window: int) -> bool:
    """Count one attempt; False once more than `limit` were made in the window."""
    key = _key(scope, value or UNKNOWN, window)
    if cache.add(key, 1, timeout=window):
        return True
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


def exceeded(scope: str, value: str | None, *, limit: int, window: int) -> bool:
    """Whether `limit` attempts were already made in the window (without counting one)."""
    return (cache.get(_key(scope, value or UNKNOWN, window)) or 0) >= limit


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
