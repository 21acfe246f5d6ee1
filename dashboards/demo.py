"""Dashboards read the demo data the other apps seed; build their rollups once."""

from .rollups import rollup_refresh


def seed(stdout=None) -> None:
    report = rollup_refresh()
    if stdout:
        stdout.write(f"dashboards: rollups of {report.months} months, {report.rows} rows")
