"""What the citizens' pages keep between requests, and when they drop it.

A burst of phones opens one deputy's or station's page (a QR code on a wall, on local
television). What that page shows beyond the deputy's or station's own row, the
stations, the deputies and the next duty days, is computed from reception rules, the
working-day calendar and memberships: about ten milliseconds of Python and queries
that only change when staff change something. So the rendered content of the page is
kept, per process, in the local-memory cache `public` (a request never waits on
Redis or on another process), under a key made of:

- the page (deputy or station) and its primary key;
- the language and the day (`core.clock.today()`: "upcoming" moves at midnight);
- the *generation*: a random value kept in the shared database cache, replaced by
  `invalidate()` inside the transaction of every change that can alter a public page
  (a deputy, a station, a membership, a reception rule or exception, a region, a
  holiday: see `public.apps`). Every worker reads the generation on every request
  (one small query), so after a change committed the very next request of any worker
  builds the page anew: nothing is shown late, nothing waits for a timeout.

The deputy or station row itself is read on every request (its status decides
whether the page is shown at all), and the page around the content (the shell, the
CSRF token of the language menu) is rendered on every request: what a phone gets is
the real page, the cache only spares the computation of the duty days.
"""

from __future__ import annotations

import functools
import uuid

from django.core.cache import cache, caches
from django.utils.translation import get_language

from core import clock

GENERATION_KEY = "~public-pages-generation"  # "~" sorts last: the database cache culls by key
LOCAL_ALIAS = "public"
# A day at most: the key changes at midnight anyway, this only bounds memory.
FRAGMENT_SECONDS = 24 * 3600


def generation() -> str:
    """The current generation of public pages (one query on the shared cache)."""
    value = cache.get(GENERATION_KEY)
    if value is None:  # never set, or culled: a new value, so no old fragment is trusted
        value = uuid.uuid4().hex
        cache.set(GENERATION_KEY, value, None)
    return value


def invalidate(**_ignored) -> None:
    """Retire every kept public page. Call inside the transaction of the change: the new
    generation commits (or rolls back) with it."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, None)


def page_version() -> str:
    """What a kept fragment varies on besides its page: generation, day and language."""
    return f"{generation()}:{clock.today().isoformat()}:{get_language()}"


def local_cache():
    return caches[LOCAL_ALIAS]


def lazy(function, *args, **kwargs):
    """A callable computing `function(*args)` once, for a template context: the template
    calls it only when the kept fragment is missing, so a kept page costs no query."""
    return functools.cache(functools.partial(function, *args, **kwargs))


@functools.lru_cache(maxsize=1024)
def qr_bytes(url: str, fmt: str) -> bytes:
    """The drawn code for `url`: a pure function of the URL, kept per process."""
    from . import qr

    return qr.qr_bytes(url, fmt)
