"""Counting the base tables: the one place that says what each figure means.

Both the live dashboard reads and the rollup builds call these functions, so a
rollup row and a live count of the same rows can never disagree on a definition.

Each function takes a `where(prefix)` giving the filter on the counted rows (a
prefix, for callers that reach the rows through a relation) and a `key(prefix)` giving
the expression rows are grouped by (a child region's path prefix, a station id, a
leaf region id), or a tuple of such expressions for a composite key, and yields
`(key, month, category, Counter)` tuples (the key a tuple when the expressions were).

Definitions (suggestions are counted by the day they were received, with their
status now: a cohort):
- received: every suggestion except merged duplicates;
- rejected / closed: status 不予受理 / 已办结;
- solved: closed and not rated 不满意 (a second 不满意 closes a suggestion unsolved);
- due_total: has a reply deadline that was met (replied) or has passed;
- on_time: replied on or before the deadline day (Beijing time);
- rated / satisfied / basically / unsatisfied: the citizen's rating on the return visit.
Receptions are counted by their date: entries, deputies present (人次), people received.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterator

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.expressions import Expression
from django.db.models.functions import Coalesce, TruncDate, TruncMonth
from django.utils import timezone

from core import clock
from receptions.models import Reception
from suggestions.models import Satisfaction, Suggestion

Where = Callable[[str], Q]
Key = Callable[[str], Expression | tuple[Expression, ...]]

Status = Suggestion.Status


def aware_bounds(start: datetime.date, end: datetime.date) -> tuple:
    """[start 00:00, end+1 00:00) in the portal's time zone, for datetime columns."""
    tz = timezone.get_current_timezone()
    low = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    high = datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    return low, high


def as_month(value) -> datetime.date:
    """TruncMonth gives a date for date columns and an aware datetime for datetimes."""
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.date().replace(day=1)
    return value.replace(day=1)


def _keys(key: Key, prefix: str) -> tuple[dict, Callable[[dict], object]]:
    """The annotations for `key`, and how to read the key back from a result row."""
    expression = key(prefix)
    if not isinstance(expression, tuple):
        return {"k": expression}, lambda row: row["k"]
    names = [f"k{i}" for i in range(len(expression))]
    return dict(zip(names, expression, strict=True)), lambda row: tuple(row[n] for n in names)


def suggestion_aggregates(today: datetime.date) -> dict:
    replied = Q(replied_at__isnull=False)
    return {
        "received": Count("pk"),
        "rejected": Count("pk", filter=Q(status=Status.REJECTED)),
        "closed": Count("pk", filter=Q(status=Status.CLOSED)),
        "solved": Count(
            "pk", filter=Q(status=Status.CLOSED) & ~Q(satisfaction=Satisfaction.UNSATISFIED)
        ),
        "due_total": Count(
            "pk", filter=Q(due_date__isnull=False) & (replied | Q(due_date__lt=today))
        ),
        "on_time": Count(
            "pk", filter=replied & Q(due_date__isnull=False, due_date__gte=TruncDate("replied_at"))
        ),
        "rated": Count("pk", filter=~Q(satisfaction="")),
        "satisfied": Count("pk", filter=Q(satisfaction=Satisfaction.SATISFIED)),
        "basically": Count("pk", filter=Q(satisfaction=Satisfaction.BASICALLY)),
        "unsatisfied": Count("pk", filter=Q(satisfaction=Satisfaction.UNSATISFIED)),
    }


SUGGESTION_METRICS = tuple(suggestion_aggregates(clock.today()))


def count_suggestions(
    where: Where,
    key: Key,
    start: datetime.date,
    end: datetime.date,
    *,
    today: datetime.date,
    using: str | None = None,
) -> Iterator[tuple]:
    low, high = aware_bounds(start, end)
    keys, key_of = _keys(key, "")
    rows = (
        Suggestion.objects.using(using)
        .filter(where(""), submitted_at__gte=low, submitted_at__lt=high)
        .exclude(status=Status.MERGED)
        .annotate(**keys, m=TruncMonth("submitted_at"))
        .values(*keys, "m", "category")
        .annotate(**suggestion_aggregates(today))
        .order_by()
    )
    for row in rows:
        counts = Counter({name: row[name] for name in SUGGESTION_METRICS if row[name]})
        yield key_of(row), as_month(row["m"]), row["category"], counts


def count_receptions(
    where: Where,
    key: Key,
    start: datetime.date,
    end: datetime.date,
    *,
    using: str | None = None,
) -> Iterator[tuple]:
    keys, key_of = _keys(key, "")
    # Deputies present at each entry, summed: one statement instead of a second pass
    # through the deputies table joined back to the register.
    present = (
        Reception.deputies.through.objects.filter(reception_id=OuterRef("pk"))
        .order_by()
        .values("reception_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    rows = (
        Reception.objects.using(using)
        .filter(where(""), date__gte=start, date__lte=end)
        .annotate(**keys, m=TruncMonth("date"))
        .values(*keys, "m")
        .annotate(
            receptions=Count("pk"),
            people=Sum("people_count"),
            duty_visits=Sum(Coalesce(Subquery(present), 0)),
        )
        .order_by()
    )
    for row in rows:
        counts = Counter(
            receptions=row["receptions"],
            people=int(row["people"] or 0),
            duty_visits=int(row["duty_visits"] or 0),  # PostgreSQL sums counts as numeric
        )
        yield key_of(row), as_month(row["m"]), "", +counts
