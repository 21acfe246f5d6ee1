"""Dashboard and ledger reads go to the read replica when one is configured.

In tests the `replica` alias is a TEST MIRROR of default: the same database through
a second connection, so the test can see which connection ran which query.
"""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from congress_portal import db_router
from congress_portal.db_router import ReplicaLag, ReplicaRouter, read_source, replica_reads
from regions.models import Region


def test_reads_go_to_default_unless_a_block_asks_for_the_replica(settings, monkeypatch):
    settings.DASHBOARD_READ_DATABASE = "replica"
    monkeypatch.setattr(db_router, "_replica_lag", FakeLag(0.0))  # a replica in step
    router = ReplicaRouter()
    assert router.db_for_read(Region) == "default"
    with replica_reads() as source:
        assert source.alias == "replica"
        assert router.db_for_read(Region) == "replica"
        assert router.db_for_write(Region) == "default"
    assert router.db_for_read(Region) == "default"


def test_without_a_replica_dashboard_reads_stay_on_default(settings):
    settings.DASHBOARD_READ_DATABASE = "default"
    with replica_reads() as source:
        assert source.alias == "default" and not source.on_replica
        assert ReplicaRouter().db_for_read(Region) == "default"


def test_migrations_run_on_the_primary_only():
    router = ReplicaRouter()
    assert router.allow_migrate("default", "dashboards")
    assert not router.allow_migrate("replica", "dashboards")


def test_the_replica_alias_mirrors_default_in_tests():
    assert connections["replica"].settings_dict["TEST"]["MIRROR"] == "default"


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_dashboard_page_reads_its_figures_from_the_replica(client, world, settings):
    settings.DASHBOARD_READ_DATABASE = "replica"
    client.force_login(world.leader)
    url = reverse("dashboards:region", kwargs={"region_code": world.county.code})
    with (
        CaptureQueriesContext(connections["replica"]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_default,
    ):
        response = client.get(url)
    assert response.status_code == 200
    replica_sql = " ".join(q["sql"] for q in on_replica.captured_queries)
    default_sql = " ".join(q["sql"] for q in on_default.captured_queries)
    for table in ("suggestions_suggestion", "receptions_reception", "deputies_deputy"):
        assert table in replica_sql
        assert table not in default_sql
    # Sessions, the user and the tenancy check stay on the primary.
    assert "django_session" in default_sql and "django_session" not in replica_sql


# --- Replica lag: reads leave a replica that lags past the limit, and come back ---------


class FakeLag:
    """A lag reader the test sets by hand, counting how often it was asked."""

    def __init__(self, seconds: float | None = 0.0) -> None:
        self.seconds = seconds
        self.calls = 0

    def __call__(self, alias: str) -> float | None:
        self.calls += 1
        return self.seconds


@pytest.mark.parametrize(
    ("lag", "alias", "skipped"),
    [
        (0.0, "replica", False),
        (59.5, "replica", False),
        (60.0, "replica", False),
        (60.5, "default", True),
        (3600.0, "default", True),
        (None, "default", True),
    ],
)
def test_dashboard_reads_go_to_the_primary_when_the_replica_lags_past_the_limit(
    settings, lag, alias, skipped
):
    settings.DASHBOARD_READ_DATABASE = "replica"
    settings.REPLICA_MAX_LAG_SECONDS = 60
    source = read_source(lag=FakeLag(lag))
    assert (source.alias, source.replica_skipped) == (alias, skipped)
    assert source.lag == (lag if alias == "replica" else None)


def test_the_limit_is_a_setting(settings):
    settings.DASHBOARD_READ_DATABASE = "replica"
    settings.REPLICA_MAX_LAG_SECONDS = 5
    assert read_source(lag=FakeLag(6)).alias == "default"
    assert read_source(lag=FakeLag(4)).alias == "replica"


def test_without_a_replica_the_lag_is_never_read(settings):
    settings.DASHBOARD_READ_DATABASE = "default"
    reader = FakeLag(0)
    assert read_source(lag=reader).alias == "default"
    assert reader.calls == 0


def test_the_lag_is_read_again_only_after_the_check_interval(settings):
    settings.REPLICA_LAG_CHECK_SECONDS = 5
    reader, now = FakeLag(1.0), [100.0]
    lag = ReplicaLag(reader=reader, clock=lambda: now[0])
    assert lag("replica") == 1.0
    reader.seconds = 90.0
    now[0] = 104.0
    assert lag("replica") == 1.0 and reader.calls == 1  # within the interval
    now[0] = 105.0
    assert lag("replica") == 90.0 and reader.calls == 2


@pytest.mark.django_db(transaction=True, databases=["default", "replica"])
def test_dashboard_leaves_a_lagging_replica_says_so_and_comes_back(
    client, world, settings, monkeypatch
):
    # Given a replica whose lag the test controls, checked on every request
    settings.DASHBOARD_READ_DATABASE = "replica"
    settings.REPLICA_MAX_LAG_SECONDS = 60
    settings.REPLICA_LAG_CHECK_SECONDS = 0
    reader = FakeLag(3.0)
    monkeypatch.setattr(db_router, "_replica_lag", ReplicaLag(reader=reader))
    client.force_login(world.leader)
    url = reverse("dashboards:region", kwargs={"region_code": world.county.code})

    def page():
        with CaptureQueriesContext(connections["replica"]) as on_replica:
            response = client.get(url)
        assert response.status_code == 200
        used_replica = "suggestions_suggestion" in " ".join(
            q["sql"] for q in on_replica.captured_queries
        )
        return response.content.decode(), used_replica

    # When it is 3 s behind, the figures come from it and the page says how fresh they are
    body, used_replica = page()
    assert used_replica
    assert 'data-read-source="replica"' in body and "比主库晚约 3 秒" in body

    # When it falls 2 minutes behind, the page reads the primary and says why
    reader.seconds = 120.0
    body, used_replica = page()
    assert not used_replica
    assert 'data-read-source="primary"' in body and "只读副本延迟超过 60 秒" in body

    # When it does not answer at all, the same
    reader.seconds = None
    body, used_replica = page()
    assert not used_replica and 'data-read-source="primary"' in body

    # And when it has caught up, the figures come from it again
    reader.seconds = 0.0
    body, used_replica = page()
    assert used_replica and 'data-read-source="replica"' in body
