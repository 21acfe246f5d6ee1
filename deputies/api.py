"""REST API for deputies, scoped to the caller exactly like the pages."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch
from rest_framework import serializers, viewsets

from core.api_fields import MaskedPhoneField
from stations.api import ScopedRegionField, ScopedWritesMixin, raise_as_field_errors

from .filters import DeputyFilter
from .models import Deputy, DeputyGroup
from .selectors import deputies_for
from .services import DEPUTY_FIELDS, DEPUTY_LEVELS, deputy_create, deputy_update


class DeputySerializer(serializers.ModelSerializer):
    region = ScopedRegionField(levels=DEPUTY_LEVELS)
    region_name = serializers.CharField(source="region.name", read_only=True)
    stations = serializers.SerializerMethodField()
    groups = serializers.SerializerMethodField()
    photo = serializers.ImageField(read_only=True)
    phone = MaskedPhoneField(public_if="phone_public", write=True)

    class Meta:
        model = Deputy
        fields = [
            "id",
            "name",
            "gender",
            "photo",
            "level",
            "region",
            "region_name",
            "constituency",
            "work_unit",
            "position",
            "phone",
            "phone_public",
            "professional_field",
            "party",
            "term",
            "commitment",
            "status",
            "stations",
            "groups",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_stations(self, deputy) -> list[int]:
        return [m.station_id for m in getattr(deputy, "current_memberships", [])]

    def get_groups(self, deputy) -> list[int]:
        return [group.pk for group in deputy.groups.all()]


class DeputyViewSet(ScopedWritesMixin, viewsets.ModelViewSet):
    """Deputies inside the caller's scope. Staff create and change them."""

    serializer_class = DeputySerializer
    filterset_class = DeputyFilter
    search_fields = ["name", "work_unit", "constituency"]
    ordering_fields = ["name", "region_path", "level"]
    lookup_url_kwarg = "deputy_pk"

    def get_queryset(self):
        return (
            deputies_for(self.request.user)
            .prefetch_related(Prefetch("groups", queryset=DeputyGroup.objects.only("pk")))
            .order_by("region_path", "name", "pk")
        )

    def perform_create(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k in DEPUTY_FIELDS}
        try:
            deputy = deputy_create(actor=self.request.user, **data)
        except DjangoValidationError as error:
            raise_as_field_errors(error)
        serializer.instance = self.get_queryset().get(pk=deputy.pk)

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k in DEPUTY_FIELDS}
        try:
            deputy_update(actor=self.request.user, deputy=serializer.instance, **data)
        except DjangoValidationError as error:
            raise_as_field_errors(error)
        serializer.instance = self.get_queryset().get(pk=serializer.instance.pk)
