"""Every list page and API list reads in a number of queries that does not grow with rows.

Issue 11 point 6: each list is requested by its owner (the tenancy walk's OWNERS) in the
walk's world, then again after the world's objects are built a second time (every builder
of the walk's PARAMETERS, the other slice's extras), and the second count must not exceed
the first. A count that grows is an N+1 in the view, serializer or selector.
"""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.foundation import test_tenancy_walk as tw
from tests.foundation import walk

pytestmark = pytest.mark.django_db

walked = tw.walked  # the walk's world, as a fixture of this module

GET_LISTS = list(tw.LIST_ROUTES)


def _grow(world) -> int:
    """Build every object of the walk again; returns how many builders added rows."""
    grown = 0
    for build in tw.PARAMETERS.values():
        try:
            with transaction.atomic():
                build(world)
            grown += 1
        except Exception:  # a builder that is get-or-create or unique per world
            continue
    for extra in (walk.other_slice_extras, tw._neighbour_suggestion, tw._co_handled):
        try:
            with transaction.atomic():
                extra(world)
        except Exception:
            continue
    from deputies.models import DeputyGroup
    from tests import factories as f
    from tests.stations.helpers import group_into

    for index in range(3):  # more deputies, in stations and groups, of the walked slice
        deputy = f.DeputyFactory(name=f"增代表{index}", region=world.township)
        group_into(deputy, world.station)
        DeputyGroup.objects.get_or_create(name=f"增组{index}", region=world.county)
    return grown


def _count(client, path, api) -> tuple[int, int]:
    kwargs = {"HTTP_ACCEPT": "application/json"} if api else {}
    client.get(path, **kwargs)  # the session's one-off costs
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **kwargs)
    return response.status_code, len(queries)


def test_no_list_reads_more_queries_with_more_rows(client, walked):
    small = {}
    for route in GET_LISTS:
        client.force_login(tw._owner_of(walked, route))
        small[route.name] = (route, *_count(client, walk.fill(route.route, {}), route.api))
    from suggestions.models import Suggestion

    before_rows = Suggestion.objects.count()
    assert _grow(walked) > 10
    assert Suggestion.objects.count() > before_rows  # the lists have more rows to show
    grew = []
    for name, (route, status, before) in small.items():
        client.force_login(tw._owner_of(walked, route))
        status_after, after = _count(client, walk.fill(route.route, {}), route.api)
        if status == 200 and after > before:
            grew.append(f"{name} /{route.route}: {before} -> {after}")
    assert not grew, "\n".join(grew)
