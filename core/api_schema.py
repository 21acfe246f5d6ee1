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

from django.core.exceptions import FieldDoesNotExist
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

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


def _model_field(field):
    """The model field a serializer field reads, if it reads one directly."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    attrs = getattr(field, "source_attrs", None) or []
    if model is None or len(attrs) != 1:
        return None
    try:
        return model._meta.get_field(attrs[0])
    except FieldDoesNotExist:
        return next((f for f in model._meta.concrete_fields if f.attname == attrs[0]), None)


def _through_null(field) -> bool:
    """Whether a dotted source passes through a relation that may be missing."""
    model = getattr(getattr(field.parent, "Meta", None), "model", None)
    attrs = getattr(field, "source_attrs", None) or []
    for attr in attrs[:-1]:
        try:
            relation = model._meta.get_field(attr) if model is not None else None
        except FieldDoesNotExist:
            return False
        if relation is None or not relation.is_relation:
            return False
        if relation.null or relation.one_to_many or relation.one_to_one and relation.auto_created:
            return True
        model = relation.related_model
    return False


def answers(field) -> dict:
    """What a field may answer beyond what its serializer declares, as allow_* flags.

    A declared `default=None` answers null when the source is missing; a read-only field
    of a nullable model field answers null, and of a blank choice field "" (DRF drops
    allow_blank from read-only fields, so drf-spectacular would leave "" out of the enum)."""
    found = {}
    model_field = _model_field(field)
    if field.default is None or (field.read_only and _through_null(field)):
        found["allow_null"] = True
    if field.read_only and model_field is not None and getattr(model_field, "null", False):
        found["allow_null"] = True
    if (
        isinstance(field, serializers.ChoiceField)
        and model_field is not None
        and getattr(model_field, "blank", False)
    ):
        found["allow_blank"] = True
    return {k: v for k, v in found.items() if getattr(field, k, None) is not v}


class PortalAutoSchema(AutoSchema):
    """drf-spectacular's AutoSchema, with the error answers every view can give, and the
    null and "" a field answers written into its schema."""

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        extra = answers(field) if isinstance(field, serializers.Field) else {}
        saved = {name: getattr(field, name, None) for name in extra}
        for name, value in extra.items():
            setattr(field, name, value)
        try:
            return super()._map_serializer_field(field, direction, bypass_extensions)
        finally:
            for name, value in saved.items():
                setattr(field, name, value)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        # A view whose create is idempotent on a client's token (`idempotent_create = True`)
        # answers a retry 200 with the first object.
        if getattr(self.view, "idempotent_create", False) and "201" in responses:
            responses.setdefault("200", {**responses["201"], "description": "重复提交 / a retry"})
        reads_body = self.method in ("POST", "PUT", "PATCH")
        for code, (description, schema) in ERRORS.items():
            if code in responses or (code == "415" and not reads_body):
                continue
            responses[code] = {
                "description": description,
                "content": {"application/json": {"schema": schema}},
            }
        return responses
