"""Background work for points: thin adapters that take ids and call the service.

`recompute_points` and `recompute_region_points` are queued through the outbox by
the services that change records; `recompute_all_points` runs nightly (beat) and
catches what no service queued (suggestions answered in their own workflow, a
schedule changed, a missed duty day turning up as days pass).
"""

from celery import shared_task

from core import clock
from deputies.models import Deputy
from regions.models import Region

from .services import deputy_points_recompute


def recompute_points(*, deputy_ids: list[int], year: int) -> int:
    return deputy_points_recompute(deputies=Deputy.objects.filter(pk__in=deputy_ids), year=year)


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
