"""Demo world: the real divisions of Lvliang city (吕梁市) and its neighbours' names."""

from pathlib import Path

from .services import read_region_csv, region_import

REGION_CSV = Path(__file__).resolve().parent / "data" / "shanxi.csv"
DEMO_CITY_CODE = "1411"


def seed(stdout=None) -> None:
    report = region_import(rows=read_region_csv(REGION_CSV, under=DEMO_CITY_CODE))
    if report.errors:
        raise RuntimeError("; ".join(report.errors))
    if stdout:
        stdout.write(f"regions: created {report.created}, unchanged {report.unchanged}")
