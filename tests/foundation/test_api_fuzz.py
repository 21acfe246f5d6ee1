"""A bounded schemathesis run over the API and the Open311 endpoints (issue 13 point 4,
issue 20 point 4).

The OpenAPI schema the portal serves (/api/schema/, drf-spectacular with
core/api_schema.py's error answers) is handed to schemathesis, which makes requests that
fit it (positive) and requests that break it (negative) for every operation, and sends
them in-process to Django's WSGI application: as the 交城县 county officer with a session
(and its CSRF token, so writes reach the code) and anonymously. The Open311 endpoints
are fuzzed the same way from their description (open311/openapi.py) with the key of a
registered 交城县 client. Every answer must pass schemathesis's checks:

- not_a_server_error: no 5xx;
- status_code_conformance: the status is one the schema documents for the operation;
- content_type_conformance: the body has a documented media type (JSON, not a page);
- response_schema_conformance: the body fits the documented schema of that status.

And no answer may show another county's object: every scoped row carries a marker
(`WK~n~`, the tenancy walk's tests/foundation/walk.py), and no answer may carry the marker
of a row the county officer may not see (the rows of 文水县), nor the code of a region
outside their scope unless the request itself named it. The ids the requests use are
drawn from generated values, the 交城县 objects the tenancy walk builds (so requests get
past the lookups into the services) and the 文水县 objects (which must be "not found").

The seed is fixed (derandomize) and the examples per operation are few, so the run is
the same every time and fits CI's time (well under a minute).
"""

import contextlib
import secrets

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from open311.openapi import SCHEMA as OPEN311_SCHEMA
from tests.foundation import walk
from tests.foundation.test_tenancy_walk import PARAMETERS, _neighbour_group, _neighbour_suggestion

EXAMPLES = 3  # per operation, generation mode and caller
ANONYMOUS_EXAMPLES = 2  # nearly every answer is the login gate's 403: fewer, to fit CI
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@contextlib.contextmanager
def _connection_kept():
    """The test's transaction stays open across requests, as Django's test client keeps it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _served_schema(client, world):
    """The schema as /api/schema/ serves it to a signed-in caller."""
    client.force_login(world.county_officer)
    response = client.get("/api/schema/", {"format": "json"})
    client.logout()
    assert response.status_code == 200
    return _loaded(response.json())


def _loaded(document):
    schema = schemathesis.openapi.from_dict(document)
    schema.app = get_wsgi_application()
    return schema


def _operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


def _path_names(schema) -> set:
    return {p.name for op in _operations(schema) for p in op.path_parameters}


@pytest.fixture
def fuzzed(world, settings, tmp_path):
    """The cast, the tenancy walk's 交城县 objects, 文水县 objects, and a marker in every row.

    `world.references`: for each path parameter and body field, the 交城县 value ("own")
    and, where there is one, the 文水县 value ("foreign"). `world.forbidden`: the markers of
    the rows the county officer may not see; `world.unseen_codes`: their regions' codes."""
    settings.MEDIA_ROOT = tmp_path
    walk.extend_cast(world)
    world.built = {}  # filled per schema (only the parameters it names are built)
    neighbour_suggestion = _neighbour_suggestion(world)
    _neighbour_group(world)
    world.foreign = {
        "path": {
            "region_code": world.neighbour.code,
            "station_pk": world.neighbour_station.pk,
            "deputy_pk": world.neighbour_deputy.pk,
            "unit_pk": world.neighbour_unit.pk,
            "suggestion_pk": neighbour_suggestion.pk,
        },
        "body": {
            "region": world.neighbour_township.code,
            "station": world.neighbour_station.pk,
            "parent": world.neighbour_station.pk,
            "deputies": [world.neighbour_deputy.pk],
            "deputy": world.neighbour_deputy.pk,
            "lead_unit": world.neighbour_unit.pk,
            "co_units": [world.neighbour_unit.pk],
            "unit": world.neighbour_unit.pk,
            "survivor": neighbour_suggestion.pk,
            "deputy_token": world.neighbour_deputy.public_token,
        },
        "query": {
            "region": world.neighbour_township.code,
            "station": world.neighbour_station.pk,
            "unit": world.neighbour_unit.pk,
        },
    }
    world.neighbour_suggestion = neighbour_suggestion
    return world


def _references(world, schema) -> dict:
    """Build the walk's objects for the path parameters `schema` names, then plant markers."""
    path = {
        name: PARAMETERS[name](world) for name in sorted(_path_names(schema) & PARAMETERS.keys())
    }
    body = {
        "region": world.township.code,
        "station": world.station.pk,
        "parent": world.station.pk,
        "deputies": [world.deputy.pk],
        "deputy": world.deputy.pk,
        "lead_unit": world.unit.pk,
        "co_units": [world.unit.pk],
        "unit": world.unit.pk,
        "survivor": path.get("suggestion_pk"),
        "deputy_token": world.deputy.public_token,
    }
    query = {"region": world.township.code, "station": world.station.pk, "unit": world.unit.pk}
    return {
        "path": path,
        "query": query,
        "body": {k: v for k, v in body.items() if v is not None},
    }


def _guard(world):
    """What no answer to the county officer (or to anyone) may carry: 文水县's rows."""
    markers = walk.plant_markers()
    forbidden = walk.foreign_markers(world.county_officer, markers)
    assert {label for label, _pk in forbidden.values()} >= {
        "stations.Station",
        "deputies.Deputy",
        "suggestions.Suggestion",
        "suggestions.HandlingUnit",
    }, "the other county has rows of every kind the API lists"
    codes = {c for c in walk.unseen_regions(world.county_officer) if len(c) >= 6}
    return forbidden, codes


def _plant(case, own, foreign, data) -> None:
    """Replace some generated values with real ones (hypothesis decides which): a 交城县
    object, a 文水县 one (where there is one), or the generated value.

    "own" is what the first drawn value means, so the simplest examples, which
    hypothesis tries first, reach past the lookups into the services."""
    choices = ("own", "generated", "foreign")
    for where, values in (("path", case.path_parameters), ("query", case.query)):
        for name in list(values or {}):
            if name in own.get(where, {}):
                pick = data.draw(st.sampled_from(choices), label=name)
                if pick == "own":
                    values[name] = own[where][name]
                elif pick == "foreign" and name in foreign.get(where, {}):
                    values[name] = foreign[where][name]
    if isinstance(case.body, dict):
        for name, value in own.get("body", {}).items():
            pick = data.draw(st.sampled_from(choices), label=name)
            if pick == "own":
                case.body[name] = value
            elif pick == "foreign" and name in foreign.get("body", {}):
                case.body[name] = foreign["body"][name]


def _asked(case) -> str:
    return " ".join(str(part) for part in (case.path_parameters, case.query, case.body))


def _leaks(response, case, forbidden: dict, codes: set, ids: set = frozenset()) -> list:
    text = response.text or ""
    found = [forbidden[m] for m in walk.MARKER_RE.findall(text) if m in forbidden]
    asked = _asked(case)
    found += [f"region {c}" for c in codes if f'"{c}"' in text and c not in asked]
    found += [f"id {i}" for i in ids if i in text and i not in asked]
    return found


def _fuzz(operation, *, credentials, mode, own, foreign, guard, report, params, examples):
    forbidden, codes, ids = guard

    @hypothesis.settings(
        max_examples=examples,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def run(case, data):
        _plant(case, own, foreign, data)
        response = case.call(params=params, **credentials)
        report["statuses"][response.status_code // 100] += 1
        curl = case.as_curl_command(headers=credentials.get("headers"))
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as failures:
            for failure in failures.exceptions:
                key = (operation.label, response.status_code, failure.title)
                report["problems"].setdefault(key, f"{failure.message[:400]}\n  {curl}")
        if leaks := _leaks(response, case, forbidden, codes, ids):
            key = (operation.label, response.status_code, "another county's object")
            report["problems"].setdefault(key, f"{leaks}\n  {curl}")

    # An operation with nothing to break (no parameters) has no negative case.
    with contextlib.suppress(hypothesis.errors.Unsatisfiable):
        run()


def _run(schema, *, credentials, own, foreign, guard, params=None, examples=EXAMPLES) -> dict:
    report = {"problems": {}, "statuses": {n: 0 for n in range(1, 6)}}
    with _connection_kept():
        for operation in _operations(schema):
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _fuzz(
                    operation,
                    credentials=credentials,
                    mode=mode,
                    own=own,
                    foreign=foreign,
                    guard=guard,
                    report=report,
                    params=params,
                    examples=examples,
                )
    return report


def _described(problems: dict) -> str:
    """One line per operation, status and kind of failure, with the first case's message."""
    return "\n".join(
        f"{op} -> {status} {title}: {text}" for (op, status, title), text in problems.items()
    )


def _session(client, user) -> dict:
    """A signed-in session's cookies and its CSRF token, for every request of the run."""
    client.force_login(user)
    csrf = secrets.token_hex(16)  # an unmasked 32-character secret, as the cookie holds
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf},
        "headers": {"X-CSRFToken": csrf},
    }


@pytest.mark.parametrize("caller", ["county_officer", "anonymous"])
def test_the_api_answers_what_its_schema_says_and_nothing_of_another_county(client, fuzzed, caller):
    schema = _served_schema(client, fuzzed)
    operations = _operations(schema)
    assert len(operations) > 80  # the whole API, not a corner of it
    own = _references(fuzzed, schema)
    forbidden, codes = _guard(fuzzed)
    credentials = _session(client, fuzzed.county_officer) if caller != "anonymous" else {}
    report = _run(
        schema,
        credentials=credentials,
        own=own,
        foreign=fuzzed.foreign,
        guard=(forbidden, codes, frozenset()),
        examples=EXAMPLES if caller != "anonymous" else ANONYMOUS_EXAMPLES,
    )
    assert not report["problems"], _described(report["problems"])
    if caller != "anonymous":  # the requests reached the code, not only the login gate
        assert report["statuses"][2] > 60, report["statuses"]


def test_open311_with_a_key_answers_what_its_description_says_and_nothing_of_another_county(
    fuzzed,
):
    from open311.services import client_register

    _, key = client_register(
        actor=fuzzed.county_officer,
        name="交城县12345热线",
        region=fuzzed.county,
        access="read_write",
        pipl_notice=True,
    )
    own_suggestion = PARAMETERS["suggestion_pk"](fuzzed)
    from suggestions.models import Suggestion

    tracking = Suggestion.objects.get(pk=own_suggestion).tracking_code
    own = {
        "path": {"service_code": "water", "service_request_id": tracking},
        "query": {"jurisdiction_id": fuzzed.county.code, "service_request_id": tracking},
        "body": {
            "jurisdiction_id": fuzzed.county.code,
            "service_code": "water",
            "description": "小区门口积水。",
            "address_string": "天宁镇新华路",
        },
    }
    theirs = fuzzed.neighbour_suggestion.tracking_code
    foreign = {
        "path": {"service_request_id": theirs},
        "query": {"jurisdiction_id": fuzzed.neighbour.code, "service_request_id": theirs},
        "body": {"jurisdiction_id": fuzzed.neighbour.code},
    }
    forbidden, codes = _guard(fuzzed)
    ids = frozenset({theirs})
    report = _run(
        _loaded(OPEN311_SCHEMA),
        credentials={},
        own=own,
        foreign=foreign,
        guard=(forbidden, codes, ids),
        params={"api_key": key},
    )
    assert not report["problems"], _described(report["problems"])
    assert report["statuses"][2] > 8, report["statuses"]  # the key was taken: not only 403s
