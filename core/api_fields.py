"""The API's phone field: every serializer that carries a phone number uses it."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .phones import shown


@extend_schema_field(OpenApiTypes.STR)
class MaskedPhoneField(serializers.Field):
    """A phone number, answered masked unless the caller's role needs it in full
    (core/phones.py). `public_if` names a boolean of the object that publishes the
    number (a deputy's phone_public). A dotted `source` through a missing relation
    gives "". Read-only unless `write=True`: then it also takes a number (a plain
    string up to `max_length`); what it answers is still masked.
    """

    def __init__(self, *, public_if: str = "", write: bool = False, max_length: int = 20, **kw):
        self.public_if = public_if
        self._input = None
        if write:
            kw.setdefault("required", False)
            self._input = serializers.CharField(
                max_length=max_length, allow_blank=True, required=False
            )
        else:
            kw["read_only"] = True
        super().__init__(**kw)

    def to_internal_value(self, data):
        return self._input.run_validation(data)

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
