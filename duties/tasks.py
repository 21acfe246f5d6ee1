"""Background work for points: thin adapters that take ids and call the service.

`recompute_points` and `recompute_region_points` are queued through the outbox by
the services that change records; `recompute_all_points` runs nightly (beat) and
catches what no service queued (suggestions answered in their own workflow, a
schedule changed, a missed duty day turning up as days pass).
"""

from celery import shared_task
from django.db import transaction
from django.db.models import F

from core import clock
from core.models import OutboxMessage
from deputies.models import Deputy
from regions.models import Region

from .services import deputy_points_recompute

# Waiting recomputes folded into one run, at most (the drill's seed queues 7,652).
FOLD_AT_MOST = 1000


def recompute_points(*, deputy_ids: list[int], year: int) -> int:
    """Recompute these deputies' points, and with them every recompute of the same year
    still waiting in the outbox, which are marked done in the same transaction.

    Folding is safe: a waiting message is visible only once the change that queued it
    has committed, and the recompute reads the records after that, so it counts the
    change; a worker given one of the folded messages later finds it done and skips
    it. Rows another worker holds are skipped, not waited for (SKIP LOCKED). A burst
    (a seed, an import, a reception day) then costs a few set-based passes instead of
    one per message.
    """
    ids = set(deputy_ids)
    with transaction.atomic():
        folded = []
        waiting = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(task="duties.tasks.recompute_points", done_at__isnull=True)
            .order_by("pk")
            .values_list("pk", "kwargs")[:FOLD_AT_MOST]
        )
        for pk, kwargs in waiting:
            if kwargs.get("year") == year:
                ids.update(kwargs.get("deputy_ids") or [])
                folded.append(pk)
        written = deputy_points_recompute(deputies=Deputy.objects.filter(pk__in=ids), year=year)
        OutboxMessage.objects.filter(pk__in=folded, done_at__isnull=True).update(
            done_at=clock.now(), attempts=F("attempts") + 1
        )
    return written


def recompute_region_points(*, region_id: int, year: int) -> int:
    region = Region.objects.filter(pk=region_id).first()
    if region is None:
        return 0
    return deputy_points_recompute(
        deputies=Deputy.objects.filter(region_path__startswith=region.path), year=year
    )


@shared_task(ignore_result=True, time_limit=1800)
def recompute_all_points(year: int | None = None) -> int:
    """Every deputy's points for the year (this year by default; in January also last year's)."""
    today = clock.today()
    years = [year] if year else ([today.year - 1, today.year] if today.month == 1 else [today.year])
    written = 0
    for each in years:
        written += deputy_points_recompute(deputies=Deputy.objects.all(), year=each)
    return written
