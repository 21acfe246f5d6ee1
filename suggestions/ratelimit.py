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
