"""The benchmark command runs end to end on a small count (the real run is on PostgreSQL)."""

import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from supervision.models import Supervision


@pytest.mark.django_db(transaction=True)
def test_benchmark_sweeps_seeds_times_and_cleans_up(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    options = {"count": 2000, "backlog": 50}
    if connection.vendor == "sqlite":
        options["allow_sqlite"] = True

    call_command("benchmark_sweeps", **options)

    figures = json.loads((tmp_path / "benchmarks" / "sweeps.json").read_text())
    assert figures["count"] == 2000 and figures["supervisions"] == 100
    assert figures["sweep_first_escalated"] == {
        "acknowledge": 50,
        "reply": 50,
        "further": 0,
        "tracked": 0,
    }
    assert figures["sweep_second_escalated"] == 0 and figures["reminders_second"] == 0
    assert not Supervision.objects.exists()  # cleaned up


def test_benchmark_refuses_sqlite_without_the_flag(db, monkeypatch):
    # On the PostgreSQL CI run, present the connection as SQLite: the refusal comes
    # before any query, so the check is the same on both databases.
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("benchmark_sweeps", count=1000)
    with pytest.raises(CommandError, match="at most"):
        call_command("benchmark_sweeps", count=500_000, allow_sqlite=True)
