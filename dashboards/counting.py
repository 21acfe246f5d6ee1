"""Counting the base tables: the one place that says what each figure means.

Both the live dashboard reads and the rollup builds call these functions, so a
rollup row and a live count of the same rows can never disagree on a definition.

Each function takes a `where(prefix)` giving the filter on the counted rows (the
prefix reaches the reception from the through table) and a `key(prefix)` giving
the expression rows are grouped by (a child region's path prefix, a station id, a
leaf region id), and yields `(key, month, category, Counter)` tuples.

Definitions (suggestions are counted by the day they were received, with their
status now: a cohort):
- received: every suggestion except merged duplicates;
- rejected / closed: status 不予受理 / 已办结;
- solved: closed and not rated 不满意 (a second 不满意 closes a matter unsolved);
- due_total: has a reply deadline that was met (replied) or has passed;
- on_time: replied on or before the deadline day (Beijing time);
- rated / satisfied / basically / unsatisfied: the citizen's rating on the return visit.
Receptions are counted by their date: entries, deputies present (人次), people received.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable, Iterator

from django.db.models import Count, Q, Sum
from django.db.models.expressions import Expression
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone

from receptions.models import Reception
from suggestions.models import Satisfaction, Suggestion

Where = Callable[[str], Q]
Key = Callable[[str], Expression]

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


SUGGESTION_METRICS = tuple(suggestion_aggregates(datetime.date.today()))


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
    rows = (
        Suggestion.objects.using(using)
        .filter(where(""), submitted_at__gte=low, submitted_at__lt=high)
        .exclude(status=Status.MERGED)
        .annotate(k=key(""), m=TruncMonth("submitted_at"))
        .values("k", "m", "category")
        .annotate(**suggestion_aggregates(today))
        .order_by()
    )
    for row in rows:
        counts = Counter({name: row[name] for name in SUGGESTION_METRICS if row[name]})
        yield row["k"], as_month(row["m"]), row["category"], counts


def count_receptions(
    where: Where,
    key: Key,
    start: datetime.date,
    end: datetime.date,
    *,
    using: str | None = None,
) -> Iterator[tuple]:
    rows = (
        Reception.objects.using(using)
        .filter(where(""), date__gte=start, date__lte=end)
        .annotate(k=key(""), m=TruncMonth("date"))
        .values("k", "m")
        .annotate(receptions=Count("pk"), people=Sum("people_count"))
        .order_by()
    )
    for row in rows:
        counts = Counter(receptions=row["receptions"], people=row["people"] or 0)
        yield row["k"], as_month(row["m"]), "", counts
    through = Reception.deputies.through
    present = (
        through.objects.using(using)
        .filter(where("reception__"), reception__date__gte=start, reception__date__lte=end)
        .annotate(k=key("reception__"), m=TruncMonth("reception__date"))
        .values("k", "m")
        .annotate(duty_visits=Count("pk"))
        .order_by()
    )
    for row in present:
        yield row["k"], as_month(row["m"]), "", Counter(duty_visits=row["duty_visits"])
