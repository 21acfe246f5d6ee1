"""The API's OpenAPI schema: every operation also documents the errors it can answer.

drf-spectacular documents an operation's success only. Every view of the portal can
also answer: 400 with field errors (a bad body or a bad filter), 403 (not signed in, no
role for it, or a missing CSRF token), 404 (an object outside the caller's scope is
"not found", like a missing one), 415 (a body in a type the view does not parse) and 429
(a throttled public form; 415 only where a body is read). They are written into the
schema here, once, so a client (and the schemathesis run, tests/foundation/
test_api_fuzz.py) knows every answer a view may give and the body each one has.
"""

from __future__ import annotations

from drf_spectacular.openapi import AutoSchema

# DRF's error bodies: {"detail": "..."} for a refusal, {field: [messages]} (or a list of
# messages for the body as a whole) for invalid input.
DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "oneOf": [
        {
            "type": "object",
            "description": "字段错误：字段名 → 错误信息 / field errors by field name",
            "additionalProperties": {},
        },
        {"type": "array", "items": {"type": "string"}},
    ]
}

ERRORS = {
    "400": ("输入有误 / invalid input: field errors", FIELD_ERRORS),
    "403": ("未登录、无权限或缺少 CSRF 令牌 / not signed in, no permission, no CSRF", DETAIL),
    "404": ("不存在或不在本人范围内 / missing, or outside the caller's scope", DETAIL),
    "415": ("不支持的请求体类型 / unsupported media type", DETAIL),
    "429": ("请求过于频繁 / throttled", DETAIL),
}


class PortalAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, with the error answers every view can give."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        reads_body = self.method in ("POST", "PUT", "PATCH")
        for code, (description, schema) in ERRORS.items():
            if code in responses or (code == "415" and not reads_body):
                continue
            responses[code] = {
                "description": description,
                "content": {"application/json": {"schema": schema}},
            }
        return responses
