"""Every list page and API list reads in a number of queries that does not grow with rows.

Issue 11 point 6: each parameterless route of the tenancy walk (LIST_ROUTES) is requested
by its owner (the walk's OWNERS) in the walk's world, then again after the world has grown
(every builder of the walk's PARAMETERS again, the other slice's extras, more deputies,
and a copy of every row of every scoped model, `_clone_rows`). For each route:

- it must answer 200 at both sizes, or be listed in NOT_MEASURED with why;
- its query count in the bigger world must not exceed the smaller one's (an N+1 in the
  view, serializer, selector or a workflow guard shows here);
- it must show more rows in the bigger world (more distinct row markers, table rows,
  options, API `count` or spreadsheet rows), or be listed in NOT_GROWING with why:
  otherwise the two sizes would prove nothing for that list.

Both lists are checked for stale entries, so an exception ends when its reason does.
"""

from __future__ import annotations

import json
import re
from io import BytesIO

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.foundation import test_tenancy_walk as tw
from tests.foundation import walk

pytestmark = pytest.mark.django_db

walked = tw.walked  # the walk's world, as a fixture of this module

GET_LISTS = list(tw.LIST_ROUTES)

# Routes that do not answer 200 to their owner's GET, so there is nothing to count.
_POST_ONLY = "POST only (405 on GET): an action, not a list"
_SIGNED_IN = "redirects a signed-in user (302): the sign-in steps"
NOT_MEASURED = {
    "accounts:login": _SIGNED_IN,
    "accounts:login_verify": _SIGNED_IN,
    "accounts:login_second_factor": _SIGNED_IN,
    "accounts:logout": _POST_ONLY,
    "accounts:security_recovery": _POST_ONLY,
    "accounts:security_remove": _POST_ONLY,
    "stations:import_confirm": _POST_ONLY,
    "stations:standards_home": "redirects (302) to the current year's standards page",
    "deputies:import_confirm": _POST_ONLY,
    "suggestions:bulk_assign": _POST_ONLY,
    "calendars:year_mark": _POST_ONLY,
    "duties:point_rules": "redirects (302) to this year's point rules",
    "dashboards:index": "redirects (302) to the user's own region's dashboard",
    "notifications:mark_read": _POST_ONLY,
    "proposals:ledger": _POST_ONLY + " (orders a ledger job)",
    ":legacy-public-suggestions": "a permanent redirect (308) to /api/public-suggestions/",
    ":notification-mark-read": _POST_ONLY,
    ":public-suggestion-list": _POST_ONLY + " (citizens' intake, no list)",
    ":public-booking-list": _POST_ONLY + " (citizens' booking, no list)",
    ":public-report-vote-list": _POST_ONLY + " (citizens' vote, no list)",
}

# Measured routes (200, query count compared) that show no more rows in the bigger world.
_FORM = "a form with no list of rows in it (its choices are not of the grown models)"
_UPLOAD = "an upload form: no rows"
_TEMPLATE = "an empty spreadsheet template: no rows"
NOT_GROWING = {
    "accounts:home": "the workbench: counts and a fixed few latest items "
    "(its own two-size count is tests/workbench/test_workbench.py)",
    "accounts:password_change": _FORM,
    "accounts:security": "the user's own second factors: none are grown",
    "accounts:security_totp": "the user's own authenticator setup: no rows",
    "accounts:security_sms": "the user's own SMS setup: no rows",
    "accounts:user_list": "accounts are not scoped rows and are not copied (UNMARKED_MODELS); "
    "its own two-size count is tests/foundation/test_accounts.py",
    "regions:list": "the region tree is not copied (UNMARKED_MODELS)",
    ":region-list": "the region tree is not copied (UNMARKED_MODELS)",
    ":api-root": "the API's index of links: no rows",
    "stations:import": _UPLOAD,
    "stations:import_template": _TEMPLATE,
    "deputies:new": _FORM,
    "deputies:import": _UPLOAD,
    "deputies:import_template": _TEMPLATE,
    "suggestions:unit_new": _FORM,
    "suggestions:template_new": _FORM,
    "suggestions:sla_new": _FORM,
    "calendars:holidays": "the national holiday calendar of one year: a fixed table",
    "calendars:override_new": _FORM,
    "receptions:household_list": "one household per deputy and constituent (unique): "
    "a copy needs a new constituent, which the copying does not make; its own two-size "
    "count is tests/receptions/test_visits_activities.py",
    ":household-list": "as receptions:household_list",
    "audit:list": "audit records are append-only (not copied) and the first page of 50 is "
    "already full in the small world",
    "notifications:preferences": _FORM,
    "supervision:queue": "a supervision names exactly one subject (CHECK "
    "supervision_one_subject, unique per suggestion and region): not copied; its own "
    "two-size count is tests/supervision/test_views.py",
    ":supervision-list": "as supervision:queue",
    "supervision:schedules": "the tracked deadlines of the supervised items above: "
    "not copied with them",
    "open311:client_new": _FORM,
    "legislation:list": "a copied consultation gets a fresh public token but no "
    "participation (unique per consultation and station), so the owner's list, of "
    "consultations their stations take part in, stays the same",
    ":legislation-consultation-list": "as legislation:list",
    ":duty-points-list": "one points row per deputy and year: a copy moves to another "
    "year, and the list shows one year",
    "appointments:index": "the appointments landing page: links and counts",
    "livelihood:new": _FORM,
    "livelihood:mine": "the signed-in deputy's own ballots: the owner is staff, none",
    "proposals:figures": "figures: counts per category, a fixed table",
    "proposals:supervised": "supervised proposals: supervisions are not copied "
    "(see supervision:queue)",
    "public_suggestions:track": "the citizens' tracking form: no rows until a code is given",
}

OUTER_MARKER_RE = re.compile(r"(?<!~)WK~\d+~")  # a row's own (outermost) marker


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
    _clone_rows()
    return grown


def _unique_sets(model) -> list[list]:
    """The field groups of `model` that must be unique together."""
    from django.db import models

    sets = [list(group) for group in model._meta.unique_together]
    for constraint in model._meta.constraints:
        if isinstance(constraint, models.UniqueConstraint) and constraint.fields:
            sets.append(list(constraint.fields))
    return [[model._meta.get_field(name) for name in group] for group in sets]


def _fresh(field, value, n: int):
    """A value of `field` unlike `value`, or raise LookupError when there is none."""
    import datetime
    import uuid

    from django.db import models

    if field.is_relation:
        if field.null:
            return None
        raise LookupError(field.name)
    if field.choices:
        others = [choice for choice, _label in field.flatchoices if choice != value]
        if not others:
            raise LookupError(field.name)
        return others[(n - 1) % len(others)]
    if isinstance(field, models.CharField | models.TextField):
        return uuid.uuid4().hex[: min(field.max_length or 12, 12)]
    if isinstance(field, models.IntegerField):
        return (value or 0) + 1000 * n + 7
    if isinstance(field, models.DateField) and value is not None:
        return value + datetime.timedelta(days=n)
    raise LookupError(field.name)


def _clone_rows(rounds: int = 2) -> int:
    """Copy every row of every scoped model `rounds` times, with fresh values where they
    must be unique (and no many-to-many links): each list then has more rows of the same
    kinds to show. A row whose uniqueness rests on its references alone (one extension
    per suggestion) is not copied."""
    from django.db import IntegrityError

    copied = 0
    for model in walk.scoped_models():
        if model._meta.label in walk.UNMARKED_MODELS | set(walk.APPEND_ONLY):
            continue
        groups = _unique_sets(model)
        for row in list(model._default_manager.all()):
            for n in range(1, rounds + 1):
                clone = model._default_manager.get(pk=row.pk)
                clone.pk = clone.id = None
                clone._state.adding = True
                try:
                    for field in model._meta.concrete_fields:
                        if field.primary_key or not field.unique:
                            continue
                        if field.has_default() and not field.is_relation:
                            setattr(clone, field.attname, field.get_default())
                        else:
                            value = getattr(clone, field.attname)
                            setattr(clone, field.attname, _fresh(field, value, n))
                    for group in groups:
                        for field in group:
                            try:
                                value = getattr(clone, field.attname)
                                setattr(clone, field.attname, _fresh(field, value, n))
                                break
                            except LookupError:
                                continue
                        else:
                            raise LookupError(group)
                    with transaction.atomic():
                        clone.save()
                    copied += 1
                except (LookupError, IntegrityError):
                    break
    return copied


def _rows(response, api: bool) -> tuple:
    """How many rows a response shows, as several measures (any one growing will do)."""
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind:
        from openpyxl import load_workbook

        book = load_workbook(BytesIO(response.content), read_only=True)
        return (sum(sheet.max_row or 0 for sheet in book.worksheets),)
    text = response.content.decode(errors="replace")
    if api:
        data = json.loads(text or "null")
        if isinstance(data, dict) and "count" in data:
            return (data["count"],)
        return (len(data) if isinstance(data, list) else 0,)
    if "csv" in kind:
        return (text.count("\n"),)
    markers = len(set(OUTER_MARKER_RE.findall(text)))
    return markers, text.count("<tr"), text.count("<option"), text.count("<li")


def _count(client, path, api) -> tuple[int, int, tuple]:
    kwargs = {"HTTP_ACCEPT": "application/json"} if api else {}
    client.get(path, **kwargs)  # the session's one-off costs
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **kwargs)
    rows = _rows(response, api) if response.status_code == 200 else ()
    return response.status_code, len(queries), rows


def test_the_exceptions_name_walked_routes():
    names = {route.name for route in GET_LISTS}
    assert not set(NOT_MEASURED) - names, sorted(set(NOT_MEASURED) - names)
    assert not set(NOT_GROWING) - names, sorted(set(NOT_GROWING) - names)
    assert not set(NOT_MEASURED) & set(NOT_GROWING)


def test_no_list_reads_more_queries_with_more_rows(client, walked):
    small = {}
    for route in GET_LISTS:
        client.force_login(tw._owner_of(walked, route))
        small[route.name] = (route, *_count(client, walk.fill(route.route, {}), route.api))
    from suggestions.models import Suggestion

    before_rows = Suggestion.objects.count()
    assert _grow(walked) > 10
    assert Suggestion.objects.count() > before_rows  # the lists have more rows to show
    walk.plant_markers()  # the new rows get markers of their own
    failures = []
    for name, (route, status, before, rows_before) in small.items():
        client.force_login(tw._owner_of(walked, route))
        path = walk.fill(route.route, {})
        status_after, after, rows_after = _count(client, path, route.api)
        if name in NOT_MEASURED:
            if 200 in (status, status_after):
                failures.append(f"{name} {path}: answers 200 now, measure it (NOT_MEASURED)")
            continue
        if (status, status_after) != (200, 200):
            failures.append(
                f"{name} {path}: {status}/{status_after}, not measured and not in NOT_MEASURED"
            )
            continue
        if after > before:
            failures.append(f"{name} {path}: {before} -> {after} queries")
        grew = any(b > a for a, b in zip(rows_before, rows_after, strict=True))
        if not grew and name not in NOT_GROWING:
            failures.append(
                f"{name} {path}: shows no more rows ({rows_before} -> "
                f"{rows_after}), so the two sizes prove nothing"
            )
        if grew and name in NOT_GROWING:
            failures.append(f"{name} {path}: shows more rows now, drop it from NOT_GROWING")
    assert not failures, "\n".join(failures)
