"""Signals of the working-day calendar.

`calendar_changed` is sent after an override is created, changed or deleted, or a
year is marked complete or not, with:

- `sender`: `CalendarOverride`, for every kind of change (connect once);
- `years`: the years whose counting may have changed;
- `region_path`: "" for a national change, else the region's path (only that
  subtree is affected).

It is sent inside the writing transaction, after the change is saved: receivers
see the new calendar, and work they queue with `core.outbox.enqueue` commits or
rolls back with the change. Receivers with heavy work (recomputing many due
dates) should queue it rather than do it inline.
"""

from django.dispatch import Signal

calendar_changed = Signal()
