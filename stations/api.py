"""REST API for stations and points, scoped to the caller exactly like the pages."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError

from core.params import required_by
from regions.models import Region
from regions.selectors import region_choices
from tenancy.access import can_write

from .filters import StationFilter
from .models import Station
from .permissions import require_staff_writer
from .selectors import stations_for
from .services import (
    STATION_FIELDS,
    STATION_LEVELS,
    station_create,
    station_set_status,
    station_update,
)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class ScopedRegionField(serializers.SlugRelatedField):
    """A region by code, chosen among those the caller may write to (else a field error)."""

    default_error_messages = {
        "does_not_exist": _("区划代码“{value}”不存在。"),
        "invalid": _("区划代码无效。"),
    }

    def __init__(self, *, levels, **kwargs):
        self.levels = levels
        kwargs.setdefault("slug_field", "code")
        kwargs.setdefault("queryset", Region.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Region.objects.none()
        return region_choices(request.user, for_write=True).filter(level__in=self.levels)


class ScopedStationField(serializers.PrimaryKeyRelatedField):
    default_error_messages = {
        "does_not_exist": _("联络站“{pk_value}”不存在。"),
        "incorrect_type": _("联络站编号应为整数。"),
    }

    def __init__(self, *, top_level_only=False, **kwargs):
        self.top_level_only = top_level_only
        kwargs.setdefault("queryset", Station.objects.none())
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        if request is None:
            return Station.objects.none()
        stations = Station.objects.visible_to(request.user)
        return stations.filter(parent__isnull=True) if self.top_level_only else stations


def raise_as_field_errors(error: DjangoValidationError):
    if hasattr(error, "error_dict"):
        raise ValidationError(error.message_dict) from None
    raise ValidationError({"non_field_errors": error.messages}) from None


class StationSerializer(serializers.ModelSerializer):
    region = ScopedRegionField(levels=STATION_LEVELS)
    region_name = serializers.CharField(source="region.name", read_only=True)
    parent = ScopedStationField(top_level_only=True, required=False, allow_null=True)
    deputy_count = serializers.IntegerField(read_only=True)
    point_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Station
        fields = [
            "id",
            "name",
            "kind",
            "region",
            "region_name",
            "parent",
            "is_legislative_point",
            "address",
            "latitude",
            "longitude",
            "opening_hours",
            "phone",
            "head_name",
            "status",
            "stars",
            "deputy_count",
            "point_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["stars", "created_at", "updated_at"]
        # What station_create needs (a keyword without default) the API asks for too:
        # left to the model's default it would reach the service missing (a TypeError).
        extra_kwargs = required_by(station_create, exclude=["actor"])


class ScopedWritesMixin:
    """Writes: staff only (403 otherwise), objects from the scoped queryset (404 outside)."""

    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def create(self, request, *args, **kwargs):
        require_staff_writer(request.user)
        return super().create(request, *args, **kwargs)

    def get_object(self):
        obj = super().get_object()
        if self.request.method not in SAFE_METHODS:
            require_staff_writer(self.request.user)
            if not can_write(self.request.user, obj):
                raise PermissionDenied
        return obj


class StationViewSet(ScopedWritesMixin, viewsets.ModelViewSet):
    """Stations and points inside the caller's scope. Staff create and change them."""

    serializer_class = StationSerializer
    filterset_class = StationFilter
    search_fields = ["name", "address"]
    ordering_fields = ["name", "stars", "region_path", "deputy_count", "created_at"]
    lookup_url_kwarg = "station_pk"

    def get_queryset(self):
        return stations_for(self.request.user).order_by("region_path", "name", "pk")

    def perform_create(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k in STATION_FIELDS}
        try:
            station = station_create(actor=self.request.user, **data)
            status = serializer.validated_data.get("status")
            if status and status != station.status:
                station_set_status(actor=self.request.user, station=station, status=status)
        except DjangoValidationError as error:
            raise_as_field_errors(error)
        serializer.instance = self.get_queryset().get(pk=station.pk)

    def perform_update(self, serializer):
        station = serializer.instance
        data = {k: v for k, v in serializer.validated_data.items() if k in STATION_FIELDS}
        try:
            station_update(actor=self.request.user, station=station, **data)
            status = serializer.validated_data.get("status")
            if status:
                station_set_status(actor=self.request.user, station=station, status=status)
        except DjangoValidationError as error:
            raise_as_field_errors(error)
        serializer.instance = self.get_queryset().get(pk=station.pk)
