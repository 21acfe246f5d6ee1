"""Rows the dashboards count, and the one rule that keeps their rollups fresh.

The five-minute rollup refresh (`dashboards.rollups.rollup_refresh_touched`) finds the
months to rebuild through `updated_at`. `save()` stamps it (`auto_now`), but a
queryset's `.update()` does not, so a bulk write would stay out of the figures until
the nightly full build. Counted models use `CountedQuerySet`, whose `update()` stamps
`updated_at` in the same statement: no caller can forget it.
`tests/dashboards/test_figures_stay_true.py` fails when a counted model does not.
"""

from __future__ import annotations

from core import clock
from tenancy.querysets import ScopedQuerySet


class CountedQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        kwargs.setdefault("updated_at", clock.now())
        return super().update(**kwargs)

    update.alters_data = True
