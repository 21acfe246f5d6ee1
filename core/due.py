"""What "overdue" and "due soon" mean, declared once per kind of deadline.

A `DueRule` says which date field holds a deadline and in which states it runs.
Every reader asks the rule: querysets (`overdue_q`, `due_soon_q`), an object
(`is_overdue`), and hand-written SQL kept for speed (`overdue_sql`, generated from
the same fields and states, so the two cannot drift apart). "Today" is always
`core.clock.today()` unless a reader passes its own (a sweep's moment).

Overdue: the deadline runs and its date is before today (the due day itself is
still in time). Due soon: the deadline runs and falls between today and `until`.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q

from core import clock


@dataclass(frozen=True)
class DueRule:
    due_field: str
    state_field: str
    running: tuple[str, ...]

    def running_q(self, prefix: str = "") -> Q:
        return Q(**{f"{prefix}{self.state_field}__in": self.running})

    def overdue_q(self, *, today: datetime.date | None = None, prefix: str = "") -> Q:
        today = today or clock.today()
        return self.running_q(prefix) & Q(**{f"{prefix}{self.due_field}__lt": today})

    def due_soon_q(
        self, *, until: datetime.date, today: datetime.date | None = None, prefix: str = ""
    ) -> Q:
        today = today or clock.today()
        return self.running_q(prefix) & Q(
            **{f"{prefix}{self.due_field}__gte": today, f"{prefix}{self.due_field}__lte": until}
        )

    def is_running(self, obj) -> bool:
        return getattr(obj, self.state_field) in self.running

    def is_overdue(self, obj, *, today: datetime.date | None = None) -> bool:
        due = getattr(obj, self.due_field)
        return self.is_running(obj) and due is not None and due < (today or clock.today())

    def overdue_sql(self, alias: str, today: str) -> str:
        """The same condition in SQL: `alias` a table alias, `today` a placeholder."""
        states = ", ".join("'" + state.replace("'", "''") + "'" for state in self.running)
        column = f"{alias}." if alias else ""
        return f"{column}{self.state_field} IN ({states}) AND {column}{self.due_field} < {today}"
