"""The one clock: what "now" and "today" mean for the whole code base.

Every rule that depends on the date (deadlines, "overdue", reminders, periods,
sweeps) asks `now()` or `today()` here; nothing else reads the system clock (a
test in tests/foundation/test_layers.py fails on `timezone.now()`,
`timezone.localdate()` without an argument, `date.today()` or `datetime.now()`
anywhere else). `today()` is the date in the portal's time zone (Asia/Shanghai).

Tests move time with `frozen(...)` (the `clock` fixture in tests/conftest.py), the
only way to move it. Fields stamped when a row is made that rules count from
(a suggestion's `submitted_at`, a supervision's `created_at`) default to `clock.now`;
`auto_now` fields (`updated_at`) record when a row was really written and do not move.
"""

from __future__ import annotations

import contextlib
import datetime
import threading

from django.utils import timezone

_lock = threading.Lock()
_frozen: datetime.datetime | None = None


def now() -> datetime.datetime:
    """The current moment, timezone-aware."""
    frozen = _frozen
    return frozen if frozen is not None else timezone.now()


def today() -> datetime.date:
    """Today's date where the portal is (TIME_ZONE)."""
    return timezone.localdate(now())


def _moment(value: datetime.date | datetime.datetime) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    # A bare date means the middle of that working day, in the portal's time zone.
    return timezone.make_aware(datetime.datetime.combine(value, datetime.time(10, 0)))


@contextlib.contextmanager
def frozen(value: datetime.date | datetime.datetime):
    """Within the block, `now()` and `today()` answer `value` (for tests and commands)."""
    global _frozen
    with _lock:
        previous, _frozen = _frozen, _moment(value)
    try:
        yield
    finally:
        with _lock:
            _frozen = previous
