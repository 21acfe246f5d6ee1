"""REST API for duty records and points (履职档案、积分), scoped like the pages.

`/api/duty-points/?year=` lists the stored yearly points of the deputies the caller
sees, with how they were made and when they were last computed;
`/api/duty-records/{deputy}/?year=` is one deputy's record: the counts and the entries.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from core import clock
from core.params import parse_int
from deputies.models import Deputy
from tenancy.access import access_object

from .models import DeputyPoints
from .selectors import duty_counts, duty_timeline, linkable_timeline

YEAR = OpenApiParameter("year", int, description="年度（默认今年）")


def _year(request) -> int:
    raw = request.query_params.get("year")
    if raw is None:
        return clock.today().year
    year = parse_int(raw, low=2000, high=2100)
    if year is None:
        raise ValidationError({"year": ["年度应为2000至2100之间的整数。"]})
    return year


class PointsSerializer(serializers.ModelSerializer):
    deputy_name = serializers.CharField(source="deputy.name", read_only=True)

    class Meta:
        model = DeputyPoints
        fields = ["deputy", "deputy_name", "year", "points", "breakdown", "computed_at"]
        read_only_fields = fields


@extend_schema(parameters=[YEAR])
class PointsViewSet(viewsets.ReadOnlyModelViewSet):
    """Stored yearly points, best first."""

    serializer_class = PointsSerializer
    lookup_url_kwarg = "duty_points_pk"
    ordering = ["-points", "deputy_id"]
    ordering_fields = ["points", "computed_at"]

    def get_queryset(self):
        return (
            DeputyPoints.objects.visible_to(self.request.user)
            .filter(year=_year(self.request))
            .select_related("deputy")
        )


class RecordEntrySerializer(serializers.Serializer):
    date = serializers.DateField()
    kind = serializers.CharField()
    label = serializers.CharField()
    title = serializers.CharField()
    detail = serializers.CharField()
    url = serializers.CharField()


class RecordSerializer(serializers.Serializer):
    deputy = serializers.IntegerField()
    name = serializers.CharField()
    year = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())
    entries = RecordEntrySerializer(many=True)


@extend_schema(
    parameters=[YEAR, OpenApiParameter("deputy_pk", int, OpenApiParameter.PATH)],
    responses=RecordSerializer,
)
class RecordViewSet(viewsets.ViewSet):
    """One deputy's duty record (一人一档) for a year."""

    lookup_url_kwarg = "deputy_pk"
    lookup_value_regex = r"\d+"

    def retrieve(self, request, deputy_pk=None):
        deputy = access_object(Deputy, request.user, deputy_pk)
        year = _year(request)
        counts = duty_counts(Deputy.objects.filter(pk=deputy.pk), year).get(deputy.pk, {})
        entries = linkable_timeline(duty_timeline(deputy, year), request.user)
        data = {
            "deputy": deputy.pk,
            "name": deputy.name,
            "year": year,
            "counts": {str(k): int(v) for k, v in counts.items()},
            "entries": [
                {
                    "date": e.date,
                    "kind": str(e.kind),
                    "label": str(e.label),
                    "title": e.title,
                    "detail": e.detail,
                    "url": e.url,
                }
                for e in entries
            ],
        }
        return Response(RecordSerializer(data).data)
