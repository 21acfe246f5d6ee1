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
- the *generation*: a random value in one database row (`PageGeneration`), replaced by
  `invalidate()` inside the transaction of every change that can alter a public page
  (a deputy, a station, a membership, a reception rule or exception, a region, a
  holiday: see `public.apps`). Every worker reads the generation on every request,
  as a subquery of the deputy's or station's own row (no query of its own), so after
  a change committed the very next request of any worker builds the page anew:
  nothing is shown late, nothing waits for a timeout.

The deputy or station row itself is read on every request (its status decides
whether the page is shown at all), and the page around the content (the shell, the
CSRF token of the language menu) is rendered on every request: what a phone gets is
the real page, the cache only spares the computation of the duty days.
"""

from __future__ import annotations

import functools
import secrets

from django.core.cache import caches
from django.db.models import Subquery
from django.utils.translation import get_language

from core import clock

LOCAL_ALIAS = "public"
# A day at most: the key changes at midnight anyway, this only bounds memory.
FRAGMENT_SECONDS = 24 * 3600
ROW = 1  # the one PageGeneration row


def generation_subquery() -> Subquery:
    """The generation, to annotate a public page's own row with: no query of its own."""
    from .models import PageGeneration

    return Subquery(PageGeneration.objects.filter(pk=ROW).values("value")[:1])


def invalidate(**_ignored) -> None:
    """Retire every kept public page. Called inside the transaction of the change: the new
    generation commits (or rolls back) with it, and a reader sees either the old rows and
    the old generation or the new rows and the new one."""
    from .models import PageGeneration

    # A random value, not a counter: a generation rolled back with its transaction
    # (a failed change, a test) is never handed out again for other rows.
    value = 1 + secrets.randbits(62)
    if not PageGeneration.objects.filter(pk=ROW).update(value=value):
        PageGeneration.objects.update_or_create(pk=ROW, defaults={"value": value})


def page_version(generation_value) -> str:
    """What a kept fragment varies on besides its page: generation, day and language."""
    return f"{generation_value or 0}:{clock.today().isoformat()}:{get_language()}"


def local_cache():
    return caches[LOCAL_ALIAS]


_MISSING = object()


def kept(name: str, pk, generation_value, build):
    """`build()`, computed once per process for this row, generation and day: for what a
    citizen's request needs beyond the row itself that only staff change (the rows under
    the generation, see `public.apps`), like the region and station a submission goes to.
    """
    key = f"{name}:{pk}:{generation_value or 0}:{clock.today().isoformat()}"
    cache = local_cache()
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = build()
        cache.set(key, value, FRAGMENT_SECONDS)
    return value


def lazy(function, *args, **kwargs):
    """A callable computing `function(*args)` once, for a template context: the template
    calls it only when the kept fragment is missing, so a kept page costs no query."""
    return functools.cache(functools.partial(function, *args, **kwargs))


@functools.lru_cache(maxsize=1024)
def qr_bytes(url: str, fmt: str) -> bytes:
    """The drawn code for `url`: a pure function of the URL, kept per process."""
    from . import qr

    return qr.qr_bytes(url, fmt)
