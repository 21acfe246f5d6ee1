"""The province seed and the dashboard benchmark, at a tiny scale: they run end to end
and print a line per slice (the numbers themselves are for the real-size run)."""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from dashboards.models import RegionMonth, StationMonth
from suggestions.models import Suggestion


@pytest.mark.django_db(transaction=True)
def test_seed_and_benchmark_report_every_slice(tmp_path):
    call_command("seed_province", scale=0.002, stdout=io.StringIO())
    assert Suggestion.objects.count() >= 1000
    assert RegionMonth.objects.exists() and StationMonth.objects.exists()

    output = tmp_path / "dashboard.md"
    printed = io.StringIO()
    call_command("benchmark_dashboard", repeat=2, warmup=1, output=output, stdout=printed)

    report = output.read_text(encoding="utf-8")
    assert report.strip() in printed.getvalue().replace(f"\nwritten to {output}", "")
    rows = [line for line in report.splitlines() if line.startswith("| ") and " ms " in line]
    assert [row.split()[1] for row in rows] == [
        "province",
        "city",
        "county",
        "township",
        "a",
    ]
    if connection.vendor == "postgresql":
        assert all(row.rstrip(" |").endswith("x") for row in rows[:4])  # page / floor
