"""Marks for tests that only mean something on PostgreSQL (CI's `.ci/run` uses it)."""

import pytest
from django.db import connection


def postgresql_only(reason: str):
    """Skip on SQLite, saying why: the test would assert nothing there."""
    return pytest.mark.skipif(
        connection.vendor != "postgresql", reason=f"PostgreSQL only: {reason}"
    )
