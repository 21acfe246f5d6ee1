"""The API's phone field: every serializer that carries a phone number uses it."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .phones import shown


@extend_schema_field(OpenApiTypes.STR)
class MaskedPhoneField(serializers.Field):
    """A read-only phone number, masked unless the caller's role needs it in full
    (core/phones.py). `public_if` names a boolean of the object that publishes the
    number (a deputy's phone_public). A dotted `source` through a missing relation
    gives ""."""

    def __init__(self, *, public_if: str = "", **kwargs):
        kwargs["read_only"] = True
        self.public_if = public_if
        super().__init__(**kwargs)

    def get_attribute(self, instance):
        value = instance
        for attr in self.source_attrs:
            value = getattr(value, attr, None) if value is not None else None
        public = bool(self.public_if and getattr(instance, self.public_if, False))
        return (value or "", public)

    def to_representation(self, value):
        number, public = value
        request = self.context.get("request")
        return shown(getattr(request, "user", None), number, public=public)
