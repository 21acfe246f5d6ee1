"""Demo: run the sweeps once over the demo city's suggestions, so the queue is not empty.

Idempotent like the sweeps themselves: a second run escalates and reminds nothing
new. One escalated suggestion per county is marked for key supervision.
"""

from django.db.models import Min

from .models import Supervision
from .sweeps import escalate_overdue, remind_due


def seed(stdout=None) -> None:
    escalated = escalate_overdue()
    reminded = remind_due()
    first_per_region = (
        Supervision.objects.filter(created_by__isnull=True)
        .values("region")
        .annotate(first=Min("pk"))
        .values_list("first", flat=True)
    )
    Supervision.objects.filter(pk__in=list(first_per_region), key=False).update(key=True)
    if stdout is not None:
        stdout.write(
            f"supervision: {escalated.total} escalated, {reminded.total} reminded "
            f"({Supervision.objects.count()} supervisions in all)"
        )
