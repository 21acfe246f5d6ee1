"""Dashboard and ledger reads go to the read replica when one is configured.

In tests the `replica` alias is a TEST MIRROR of default: the same database through
a second connection, so the test can see which connection ran which query.
"""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from congress_portal.db_router import ReplicaRouter, replica_reads
from regions.models import Region


def test_reads_go_to_default_unless_a_block_asks_for_the_replica(settings):
    settings.DASHBOARD_READ_DATABASE = "replica"
    router = ReplicaRouter()
    assert router.db_for_read(Region) == "default"
    with replica_reads() as alias:
        assert alias == "replica"
        assert router.db_for_read(Region) == "replica"
        assert router.db_for_write(Region) == "default"
    assert router.db_for_read(Region) == "default"


def test_without_a_replica_dashboard_reads_stay_on_default(settings):
    settings.DASHBOARD_READ_DATABASE = "default"
    with replica_reads() as alias:
        assert alias == "default"
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
