"""REST API for the registers: receptions (with the suggestions raised), visits, contact
households and station activities, scoped to the caller exactly like the pages.

Receptions may be logged through the API too (a county's own app): the same service as
the phone page, idempotent on `form_token`. Phones never leave unmasked.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from core.api_fields import MaskedPhoneField
from core.params import required_by
from deputies.models import Deputy
from stations.api import raise_as_field_errors
from stations.models import Station
from suggestions.models import Category, Suggestion

from .models import ContactHousehold, Reception, StationActivity, Visit
from .services import MAX_RAISED, RaisedSuggestion, loggable_stations, reception_log


def _raised(suggestions) -> list[dict]:
    return [
        {
            "tracking_code": s.tracking_code,
            "category": s.category,
            "status": s.status,
            "content": s.content,
        }
        for s in suggestions
    ]


class DateRangeFilter(django_filters.FilterSet):
    start = django_filters.DateFilter(field_name="date", lookup_expr="gte", label=_("起始日期"))
    end = django_filters.DateFilter(field_name="date", lookup_expr="lte", label=_("截止日期"))


class ReceptionFilter(DateRangeFilter):
    class Meta:
        model = Reception
        fields = ["station", "start", "end"]


class VisitFilter(DateRangeFilter):
    class Meta:
        model = Visit
        fields = ["deputy", "start", "end"]


class ActivityFilter(DateRangeFilter):
    class Meta:
        model = StationActivity
        fields = ["station", "kind", "start", "end"]


class RaisedInput(serializers.Serializer):
    category = serializers.ChoiceField(choices=Category.choices, label=_("类别"))
    content = serializers.CharField(max_length=1000, label=_("反映内容"))
    contact_name = serializers.CharField(max_length=64, required=False, default="")
    contact_phone = serializers.CharField(max_length=20, required=False, default="")
    answer = serializers.CharField(max_length=1000, required=False, default="")


class ReceptionSerializer(serializers.ModelSerializer):
    station = serializers.PrimaryKeyRelatedField(queryset=Station.objects.none())
    station_name = serializers.CharField(source="station.name", read_only=True)
    deputies = serializers.PrimaryKeyRelatedField(many=True, queryset=Deputy.objects.none())
    deputy_names = serializers.SerializerMethodField()
    raised = RaisedInput(many=True, required=False, write_only=True)
    suggestions = serializers.SerializerMethodField()
    form_token = serializers.CharField(max_length=64, write_only=True)

    class Meta:
        model = Reception
        fields = [
            "id",
            "station",
            "station_name",
            "date",
            "deputies",
            "deputy_names",
            "people_count",
            "notes",
            "raised",
            "suggestions",
            "form_token",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        # What reception_log cannot do without is asked for (people_count has a model
        # default, so the serializer would pass over it and the service raise KeyError).
        extra_kwargs = required_by(reception_log, exclude=["actor"])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["station"].queryset = loggable_stations(request.user)
            # Deputies the caller sees, or grouped into a station they may log at; the
            # service checks each against the station itself.
            visible = Deputy.objects.visible_to(request.user).values("pk")
            grouped = Deputy.objects.filter(
                memberships__station__in=loggable_stations(request.user)
            ).values("pk")
            self.fields["deputies"].child_relation.queryset = Deputy.objects.filter(
                Q(pk__in=visible) | Q(pk__in=grouped), status=Deputy.Status.ACTIVE
            )

    def validate_raised(self, value):
        if len(value) > MAX_RAISED:
            raise serializers.ValidationError(_("每次最多登记%(n)s条。") % {"n": MAX_RAISED})
        return value

    def get_deputy_names(self, reception) -> list[str]:
        return [deputy.name for deputy in reception.deputies.all()]

    def get_suggestions(self, reception) -> list[dict]:
        return _raised(reception.suggestions.all())


@extend_schema_view(
    create=extend_schema(
        examples=[
            OpenApiExample(
                "接待登记",
                value={
                    "station": 1,
                    "date": "2026-03-20",
                    "deputies": [1, 2],
                    "people_count": 3,
                    "notes": "接待群众3人。",
                    "raised": [{"category": "roads", "content": "坡底社区的路坑洼不平。"}],
                    "form_token": "app-20260320-001",
                },
                request_only=True,
            )
        ]
    )
)
class ReceptionViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Logged receptions the caller may see; POST logs one (like the phone page)."""

    serializer_class = ReceptionSerializer
    idempotent_create = True  # a retried token answers 200 (core/api_schema.py)
    lookup_url_kwarg = "reception_pk"
    filterset_class = ReceptionFilter
    ordering_fields = ["date", "created_at"]
    ordering = ["-date", "-pk"]

    def get_queryset(self):
        return (
            Reception.objects.visible_to(self.request.user)
            .select_related("station")
            .prefetch_related(
                Prefetch("deputies", queryset=Deputy.objects.only("pk", "name")),
                Prefetch("suggestions", queryset=Suggestion.objects.order_by("pk")),
            )
        )

    def create(self, request, *args, **kwargs):
        # Decided before the payload is read: a leader's write is a 403, not a 400.
        if not loggable_stations(request.user).exists():
            raise PermissionDenied
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            reception, created = reception_log(
                actor=request.user,
                form_token=data["form_token"],
                station=data["station"],
                date=data["date"],
                deputies=data["deputies"],
                people_count=data["people_count"],
                notes=data.get("notes", ""),
                raised=[RaisedSuggestion(**row) for row in data.get("raised", [])],
            )
        except DjangoValidationError as error:
            raise_as_field_errors(error)
        fresh = self.get_queryset().get(pk=reception.pk)
        return Response(self.get_serializer(fresh).data, status=201 if created else 200)


class VisitSerializer(serializers.ModelSerializer):
    deputy_name = serializers.CharField(source="deputy.name", read_only=True)
    household_count = serializers.IntegerField(read_only=True)
    suggestions = serializers.SerializerMethodField()

    class Meta:
        model = Visit
        fields = [
            "id",
            "deputy",
            "deputy_name",
            "date",
            "place",
            "notes",
            "household_count",
            "suggestions",
        ]
        read_only_fields = fields

    def get_suggestions(self, visit) -> list[dict]:
        return _raised(visit.suggestions.all())


class VisitViewSet(viewsets.ReadOnlyModelViewSet):
    """Deputies' home visits (走访) the caller may see."""

    serializer_class = VisitSerializer
    lookup_url_kwarg = "visit_pk"
    filterset_class = VisitFilter
    ordering = ["-date", "-pk"]

    def get_queryset(self):
        return (
            Visit.objects.visible_to(self.request.user)
            .select_related("deputy")
            .annotate(household_count=Count("households", distinct=True))
            .prefetch_related(Prefetch("suggestions", queryset=Suggestion.objects.order_by("pk")))
        )


class HouseholdSerializer(serializers.ModelSerializer):
    deputy_name = serializers.CharField(source="deputy.name", read_only=True)
    name = serializers.CharField(source="constituent.name", read_only=True)
    phone = MaskedPhoneField(source="constituent.phone")

    class Meta:
        model = ContactHousehold
        fields = ["id", "deputy", "deputy_name", "name", "phone", "address", "active"]
        read_only_fields = fields


class HouseholdViewSet(viewsets.ReadOnlyModelViewSet):
    """Deputies' fixed contact households (固定联系户) the caller may see."""

    serializer_class = HouseholdSerializer
    lookup_url_kwarg = "household_pk"
    filterset_fields = ["deputy", "active"]
    ordering = ["deputy_id", "pk"]

    def get_queryset(self):
        return ContactHousehold.objects.visible_to(self.request.user).select_related(
            "deputy", "constituent"
        )


class ActivitySerializer(serializers.ModelSerializer):
    station_name = serializers.CharField(source="station.name", read_only=True)
    deputies = serializers.SerializerMethodField()
    photo_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = StationActivity
        fields = [
            "id",
            "station",
            "station_name",
            "kind",
            "title",
            "date",
            "deputies",
            "other_attendees",
            "notes",
            "photo_count",
        ]
        read_only_fields = fields

    def get_deputies(self, activity) -> list[int]:
        return [deputy.pk for deputy in activity.deputies.all()]


class ActivityViewSet(viewsets.ReadOnlyModelViewSet):
    """Station activities (联络站活动) the caller may see."""

    serializer_class = ActivitySerializer
    lookup_url_kwarg = "activity_pk"
    filterset_class = ActivityFilter
    ordering = ["-date", "-pk"]

    def get_queryset(self):
        return (
            StationActivity.objects.visible_to(self.request.user)
            .select_related("station")
            .annotate(photo_count=Count("photos", distinct=True))
            .prefetch_related(Prefetch("deputies", queryset=Deputy.objects.only("pk")))
        )
