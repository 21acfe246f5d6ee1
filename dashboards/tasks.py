"""Beat entry points for the dashboard rollups: thin adapters around `dashboards.rollups`."""

from celery import shared_task

from .rollups import rollup_refresh, rollup_refresh_touched


@shared_task(ignore_result=True, time_limit=600)
def refresh_touched_rollups() -> int:
    """Months whose suggestions or receptions changed since the last run (every 5 min)."""
    return rollup_refresh_touched().months


@shared_task(ignore_result=True, time_limit=1800)
def refresh_all_rollups() -> int:
    """Every month, nightly: deadlines that passed and bulk updates are counted again."""
    return rollup_refresh().months


@shared_task(ignore_result=True, time_limit=1800)
def check_rollups() -> int:
    """Nightly after the full build: a sample of regions against a live count, repaired."""
    from .consistency import check_rollups as check

    return len(check(sample=100).differences)
