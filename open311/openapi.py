"""An OpenAPI description of the GeoReport v2 endpoints (JSON format), with their
answer bodies and the specification's error list.

The endpoints are plain Django views (open311/views.py), outside drf-spectacular's
schema; this describes them as the specification and open311/selectors.py have them,
so a client generator or schemathesis (tests/foundation/test_api_fuzz.py) can use them.
Every call but discovery needs the `api_key` of a registered client (a query parameter,
or a form field of a POST).
"""

from __future__ import annotations

from suggestions.models import CONTENT_MAX_LENGTH

from .selectors import MAX_ROWS

_TEXT = {"type": "string"}
_MOMENT = {"type": "string", "format": "date-time"}
_NULLABLE_MOMENT = {"type": "string", "format": "date-time", "nullable": True}
_CODE = {"type": "string", "pattern": r"^[\w-]+$"}  # what the URL patterns match

ERRORS = {
    "type": "array",
    "minItems": 1,
    "items": {
        "type": "object",
        "required": ["code", "description"],
        "properties": {"code": {"type": "integer"}, "description": _TEXT},
        "additionalProperties": False,
    },
}
SERVICE = {
    "type": "object",
    "required": ["service_code", "service_name", "metadata", "type"],
    "properties": {
        "service_code": _TEXT,
        "service_name": _TEXT,
        "description": _TEXT,
        "metadata": {"type": "boolean"},
        "type": {"type": "string", "enum": ["realtime", "batch", "blackbox"]},
        "keywords": _TEXT,
        "group": _TEXT,
    },
    "additionalProperties": False,
}
SERVICE_DEFINITION = {
    "type": "object",
    "required": ["service_code", "attributes"],
    "properties": {"service_code": _TEXT, "attributes": {"type": "array", "items": {}}},
    "additionalProperties": False,
}
REQUEST = {
    "type": "object",
    "required": ["service_request_id", "status", "service_code", "requested_datetime"],
    "properties": {
        "service_request_id": _TEXT,
        "status": {"type": "string", "enum": ["open", "closed"]},
        "status_notes": _TEXT,
        "service_name": _TEXT,
        "service_code": _TEXT,
        "description": {"type": "string", "maxLength": CONTENT_MAX_LENGTH},
        "agency_responsible": _TEXT,
        "service_notice": _TEXT,
        "requested_datetime": _MOMENT,
        "updated_datetime": _NULLABLE_MOMENT,
        "expected_datetime": _NULLABLE_MOMENT,
        "address": _TEXT,
        "address_id": _TEXT,
        "zipcode": _TEXT,
        "lat": {"type": "number", "nullable": True},
        "long": {"type": "number", "nullable": True},
        "media_url": _TEXT,
    },
    "additionalProperties": False,
}
RECEIPT = {
    "type": "object",
    "required": ["service_request_id"],
    "properties": {"service_request_id": _TEXT, "service_notice": _TEXT, "account_id": _TEXT},
    "additionalProperties": False,
}
TOKEN = {
    "type": "object",
    "required": ["service_request_id", "token"],
    "properties": {"service_request_id": _TEXT, "token": _TEXT},
    "additionalProperties": False,
}
DISCOVERY = {
    "type": "object",
    "required": ["changeset", "contact", "endpoints"],
    "properties": {
        "changeset": _MOMENT,
        "contact": _TEXT,
        "key_service": _TEXT,
        "endpoints": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["specification", "url", "type", "formats"],
                "properties": {
                    "specification": _TEXT,
                    "url": _TEXT,
                    "changeset": _MOMENT,
                    "type": {"type": "string", "enum": ["production", "test"]},
                    "formats": {"type": "array", "items": _TEXT},
                },
            },
        },
        "limits": {
            "type": "object",
            "properties": {
                "description_max_length": {"type": "integer"},
                "requests_max_rows": {"type": "integer"},
            },
        },
    },
}


def _json(schema, description="ok"):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _answers(schema, *codes: int) -> dict:
    """The success answer and the errors an endpoint can give, each in the error list."""
    reasons = {
        400: "参数有误 / invalid argument",
        403: "api_key 无效、已停用或无写权限 / invalid key, or a read-only key",
        404: "不存在或不在本客户端的辖区内 / missing, or outside the client's region",
        429: "调用过于频繁 / rate limited per key",
    }
    out = {"200": _json(schema)}
    out.update({str(code): _json(ERRORS, reasons[code]) for code in codes})
    return out


def _query(name, description="", schema=_TEXT):
    return {"name": name, "in": "query", "schema": schema, "description": description}


def _path(name, schema=_CODE):
    return {"name": name, "in": "path", "required": True, "schema": schema}


KEYED = [{"api_key": []}]

SCHEMA = {
    "openapi": "3.0.3",
    "info": {
        "title": "连心桥 Open311 GeoReport v2",
        "version": "2",
        "description": "http://wiki.open311.org/GeoReport_v2 (JSON format; .xml answers alike)",
    },
    "components": {
        "securitySchemes": {"api_key": {"type": "apiKey", "in": "query", "name": "api_key"}}
    },
    "paths": {
        "/open311/v2/discovery.json": {
            "get": {"operationId": "discovery", "responses": _answers(DISCOVERY, 404)}
        },
        "/open311/v2/services.json": {
            "get": {
                "operationId": "services",
                "security": KEYED,
                "parameters": [_query("jurisdiction_id", "the region code of the deployment")],
                "responses": _answers({"type": "array", "items": SERVICE}, 403, 404, 429),
            }
        },
        "/open311/v2/services/{service_code}.json": {
            "get": {
                "operationId": "service_definition",
                "security": KEYED,
                "parameters": [_path("service_code"), _query("jurisdiction_id")],
                "responses": _answers(SERVICE_DEFINITION, 403, 404, 429),
            }
        },
        "/open311/v2/requests.json": {
            "get": {
                "operationId": "requests",
                "security": KEYED,
                "description": f"90 days and {MAX_ROWS} rows by default",
                "parameters": [
                    _query("jurisdiction_id"),
                    _query("service_request_id", "comma-separated; overrides the others"),
                    _query("service_code"),
                    _query("start_date", "ISO 8601", _MOMENT),
                    _query("end_date", "ISO 8601", _MOMENT),
                    _query("status", "", {"type": "string", "enum": ["open", "closed"]}),
                ],
                "responses": _answers(
                    {"type": "array", "maxItems": MAX_ROWS, "items": REQUEST}, 400, 403, 404, 429
                ),
            },
            "post": {
                "operationId": "request_create",
                "security": KEYED,
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
                                    "description": {
                                        "type": "string",
                                        "maxLength": CONTENT_MAX_LENGTH,
                                    },
                                    "first_name": _TEXT,
                                    "last_name": _TEXT,
                                    "phone": _TEXT,
                                    "email": _TEXT,
                                    "token": _TEXT,
                                },
                            }
                        }
                    },
                },
                "responses": _answers(
                    {"type": "array", "minItems": 1, "maxItems": 1, "items": RECEIPT},
                    400,
                    403,
                    404,
                    429,
                ),
            },
        },
        "/open311/v2/requests/{service_request_id}.json": {
            "get": {
                "operationId": "request",
                "security": KEYED,
                "parameters": [_path("service_request_id"), _query("jurisdiction_id")],
                "responses": _answers(
                    {"type": "array", "minItems": 1, "maxItems": 1, "items": REQUEST},
                    403,
                    404,
                    429,
                ),
            }
        },
        "/open311/v2/tokens/{token}.json": {
            "get": {
                "operationId": "token",
                "security": KEYED,
                "parameters": [_path("token"), _query("jurisdiction_id")],
                "responses": _answers(
                    {"type": "array", "minItems": 1, "maxItems": 1, "items": TOKEN},
                    403,
                    404,
                    429,
                ),
            }
        },
    },
}
