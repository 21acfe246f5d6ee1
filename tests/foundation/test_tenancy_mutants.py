"""The mutation check of the tenancy walk (bin/check-tenancy-mutants).

Each call of `access_object` and each `visible_to` in the views and APIs is removed, one
at a time (tests/foundation/mutants.py), and the walk of that app's routes must fail. The
full run is slow, so the suite runs only the checks of the machinery itself; the command
sets LIANXIN_TENANCY_MUTANTS=1.
"""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import transaction

from suggestions import views as suggestion_views
from tests.foundation import mutants, walk
from tests.foundation import test_tenancy_walk as the_walk
from tests.foundation.test_tenancy_walk import (
    EQUIVALENT_MUTANTS,
    ROUTES,
    cross_failures,
    list_failures,
    object_failures,
    owner_failures,
    unchanged_failures,
)

walked = the_walk.walked  # the walk's fixture


def test_the_mutants_cover_the_views_and_apis():
    found = mutants.discover()
    where = {(m.module, m.qualname, m.kind) for m in found}
    keys = {m.key for m in found}
    stale = set(EQUIVALENT_MUTANTS) - keys
    assert not stale, f"equivalent mutants that no longer exist: {stale}"
    # The two the issue found by hand: the citizens' photo and the assessment photo.
    assert ("suggestions.views", "photo", "access_object") in where
    assert ("stations.views", "assessment_photo", "access_object") in where
    assert ("suggestions.api", "HandlingUnitViewSet.get_queryset", "visible_to") in where
    assert len(found) > 100


def test_a_mutant_is_applied_and_taken_back():
    mutant = next(m for m in mutants.discover() if m.qualname == "photo" and m.app == "suggestions")
    function = mutants._live_function(suggestion_views, "photo")
    before = function.__code__
    with mutants.applied(mutant):
        assert function.__code__ is not before
        assert mutants.HELPER in function.__code__.co_names
    assert function.__code__ is before


@contextmanager
def _undone():
    """Whatever a mutant let a visitor write (a colleague deactivated, a row moved) is
    rolled back before the next mutant runs, so no mutant is judged on a world an
    earlier one changed."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def first_failure(client, walked, routes) -> str:
    if failures := cross_failures(client, walked, routes):
        return failures[0]
    # A scoping removed can also lock the owner out (a default region picked from all of
    # them): that is caught too, not only what a visitor is shown.
    if failures := owner_failures(client, walked, routes, stop=True):
        return f"owner: {failures[0]}"
    for check in (object_failures, list_failures, unchanged_failures):
        for visitor in walk.VISITORS:
            failures = check(client, walked, visitor, routes, stop=True)
            if failures:
                return f"{visitor}: {failures[0]}"
    return ""


@pytest.mark.skipif(
    not os.environ.get("LIANXIN_TENANCY_MUTANTS"), reason="slow: bin/check-tenancy-mutants"
)
def test_every_mutant_is_caught(client, walked):
    only = os.environ.get("LIANXIN_TENANCY_MUTANTS_ONLY", "")
    found = [m for m in mutants.discover() if only in str(m)]
    report = Path(os.environ.get("LIANXIN_TENANCY_MUTANTS_REPORT", "var/tenancy-mutants.txt"))
    report.parent.mkdir(parents=True, exist_ok=True)
    lines, caught = [], 0
    with report.open("w") as out:
        for mutant in found:
            if reason := EQUIVALENT_MUTANTS.get(mutant.key):
                caught += 1
                line = f"equal    {mutant}  ({reason})"
                lines.append(line)
                out.write(line + "\n")
                continue
            routes = [r for r in ROUTES if r.module.split(".")[0] == mutant.app] or ROUTES
            try:
                with mutants.applied(mutant), _undone():
                    failure = first_failure(client, walked, routes)
            except RuntimeError as error:
                failure = ""
                lines.append(f"NOT APPLIED {error}")
            caught += bool(failure)
            line = f"{'caught  ' if failure else 'SURVIVED'} {mutant}  {failure[:160]}"
            lines.append(line)
            out.write(line + "\n")
            out.flush()
        summary = f"{len(found)} mutants, {caught} caught"
        out.write(summary + "\n")
    survivors = [line for line in lines if not line.startswith(("caught", "equal"))]
    assert not survivors, summary + "\n" + "\n".join(survivors)
