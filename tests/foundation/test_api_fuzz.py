"""A bounded schemathesis run over the whole API: no request may get a 5xx (issue 13, point 4).

The OpenAPI schema drf-spectacular generates is handed to schemathesis, which makes
requests that fit it (positive) and requests that break it (negative) for every
operation, and sends them in-process to Django's WSGI application: as a county
officer with a session (and its CSRF token, so writes reach the code) and anonymously.
The seed is fixed (derandomize) and the examples per operation are few, so the run is
the same every time and takes well under a minute.
"""

import contextlib
import secrets

import hypothesis
import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given
from hypothesis import strategies as st
from schemathesis import GenerationMode

from suggestions import services

EXAMPLES = 3  # per operation, generation mode and caller


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


def _schema():
    generated = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(generated)
    schema.app = get_wsgi_application()
    return schema


def _operations(schema):
    return [result.ok() for result in schema.get_all_operations()]


def _real_references(world) -> dict:
    """Ids and codes that exist, planted into half the cases so they get past the lookups."""
    suggestion, _ = services.suggestion_submit(
        channel="qr", category="drainage", content="雨后小区门口积水很深。", deputy=world.deputy
    )
    path = {
        "suggestion_pk": suggestion.pk,
        "station_pk": world.station.pk,
        "deputy_pk": world.deputy.pk,
        "unit_pk": world.unit.pk,
        "region_code": world.county.code,
    }
    body = {
        "region": world.township.code,
        "station": world.station.pk,
        "parent": world.station.pk,
        "deputies": [world.deputy.pk],
        "lead_unit": world.unit.pk,
        "co_units": [world.unit.pk],
        "survivor": suggestion.pk,
        "deputy_token": world.deputy.public_token,
    }
    return {"path": path, "body": body}


def _plant(case, references, data) -> None:
    """Replace some generated values with real ones (hypothesis decides which).

    Planting is what a drawn False means, so the simplest examples, which hypothesis
    tries first, reach past the lookups into the services."""
    for name in list(case.path_parameters or {}):
        if name in references["path"] and not data.draw(st.booleans(), label=name):
            case.path_parameters[name] = references["path"][name]
    if isinstance(case.body, dict):
        for name, value in references["body"].items():
            if not data.draw(st.booleans(), label=name):
                case.body[name] = value


def _fuzz(operation, *, credentials, mode, references, problems, statuses, params=None):
    @hypothesis.settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[hypothesis.Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def run(case, data):
        _plant(case, references, data)
        response = case.call(params=params, **credentials)
        if response.status_code >= 500:
            curl = case.as_curl_command(headers=credentials.get("headers"))
            problems.append(f"{response.status_code} {curl}")
        statuses[response.status_code // 100] = statuses.get(response.status_code // 100, 0) + 1

    # An operation with nothing to break (no parameters) has no negative case.
    with contextlib.suppress(hypothesis.errors.Unsatisfiable):
        run()


def _session(client, user) -> dict:
    """A signed-in session's cookies and its CSRF token, for every request of the run."""
    client.force_login(user)
    csrf = secrets.token_hex(16)  # an unmasked 32-character secret, as the cookie holds
    return {
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": csrf},
        "headers": {"X-CSRFToken": csrf},
    }


@pytest.mark.parametrize("caller", ["county_officer", "anonymous"])
def test_no_request_the_schema_allows_or_breaks_gets_a_server_error(client, world, caller):
    credentials = _session(client, world.county_officer) if caller != "anonymous" else {}
    references = _real_references(world)
    problems: list[str] = []
    statuses: dict[int, int] = {}
    operations = _operations(_schema())
    assert len(operations) > 40  # the whole API, not a corner of it
    with _connection_kept():
        for operation in operations:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _fuzz(
                    operation,
                    credentials=credentials,
                    mode=mode,
                    references=references,
                    problems=problems,
                    statuses=statuses,
                )
    assert not problems, "\n".join(problems[:20])
    if caller != "anonymous":  # the requests reached the code, not only the login gate
        assert statuses.get(2, 0) > 40, statuses


# Open311 GeoReport v2 is plain Django views outside the DRF schema: described here, as
# the specification has it, for the JSON format, and fuzzed with a registered key.
_TEXT = {"type": "string"}
OPEN311 = {
    "openapi": "3.0.3",
    "info": {"title": "Open311 GeoReport v2", "version": "2"},
    "paths": {
        "/open311/v2/discovery.json": {"get": {"responses": {"200": {"description": "ok"}}}},
        "/open311/v2/services.json": {
            "get": {
                "parameters": [{"name": "jurisdiction_id", "in": "query", "schema": _TEXT}],
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/open311/v2/services/{service_code}.json": {
            "get": {
                "parameters": [
                    {"name": "service_code", "in": "path", "required": True, "schema": _TEXT}
                ],
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/open311/v2/requests.json": {
            "get": {
                "parameters": [
                    {"name": name, "in": "query", "schema": _TEXT}
                    for name in (
                        "jurisdiction_id",
                        "service_request_id",
                        "service_code",
                        "start_date",
                        "end_date",
                        "status",
                    )
                ],
                "responses": {"200": {"description": "ok"}},
            },
            "post": {
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "required": ["service_code"],
                                "properties": {
                                    "jurisdiction_id": _TEXT,
                                    "service_code": _TEXT,
                                    "lat": {"type": "number"},
                                    "long": {"type": "number"},
                                    "address_string": _TEXT,
                                    "description": _TEXT,
                                    "first_name": _TEXT,
                                    "last_name": _TEXT,
                                    "phone": _TEXT,
                                    "token": _TEXT,
                                },
                            }
                        }
                    },
                },
                "responses": {"200": {"description": "ok"}},
            },
        },
        "/open311/v2/requests/{service_request_id}.json": {
            "get": {
                "parameters": [
                    {"name": "service_request_id", "in": "path", "required": True, "schema": _TEXT}
                ],
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/open311/v2/tokens/{token}.json": {
            "get": {
                "parameters": [{"name": "token", "in": "path", "required": True, "schema": _TEXT}],
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
}


def test_open311_with_a_key_never_answers_a_server_error(world):
    from open311.services import client_register

    _, key = client_register(
        actor=world.county_officer,
        name="交城县12345热线",
        region=world.county,
        access="read_write",
        pipl_notice=True,
    )
    schema = schemathesis.openapi.from_dict(OPEN311)
    schema.app = get_wsgi_application()
    references = {"path": {"service_code": "water"}, "body": {"service_code": "water"}}
    problems: list[str] = []
    statuses: dict[int, int] = {}
    with _connection_kept():
        for operation in _operations(schema):
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _fuzz(
                    operation,
                    credentials={},
                    mode=mode,
                    references=references,
                    problems=problems,
                    statuses=statuses,
                    params={"api_key": key},
                )
    assert not problems, "\n".join(problems[:20])
    assert statuses.get(2, 0) > 5, statuses  # the key was taken: answers, not only 403s
