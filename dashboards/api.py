"""Read-only dashboard figures per region and period: the same numbers as the page.

`/api/dashboards/{region_code}/?period=year&year=2026` (the page's period parameters:
`period` year/quarter/month/custom with `year`, `quarter`, `month`, `start`, `end`).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from congress_portal.db_router import replica_reads
from core import clock
from regions.models import Region
from tenancy.access import access_object

from . import selectors
from .periods import parse_period
from .permissions import can_read_region_dashboard


def _figures(counts, rates) -> dict:
    figures = {str(k): int(v) for k, v in counts.items()}
    figures.update(
        {name: (round(value, 4) if value is not None else None) for name, value in rates}
    )
    return figures


class FiguresSerializer(serializers.Serializer):
    region = serializers.CharField()
    name = serializers.CharField()
    period = serializers.DictField()
    totals = serializers.DictField()
    children = serializers.ListField(child=serializers.DictField())


@extend_schema(
    parameters=[
        OpenApiParameter("period", str, enum=["year", "quarter", "month", "custom"]),
        OpenApiParameter("year", int),
        OpenApiParameter("quarter", int),
        OpenApiParameter("month", int),
        OpenApiParameter("start", str, description="YYYY-MM-DD（custom）"),
        OpenApiParameter("end", str, description="YYYY-MM-DD（custom）"),
    ],
    responses=FiguresSerializer,
)
class DashboardViewSet(viewsets.ViewSet):
    """A region's figures for a period, and its children's (the ranking)."""

    lookup_url_kwarg = "region_code"
    lookup_value_regex = r"\d{2,12}"

    def retrieve(self, request, region_code=None):
        region = access_object(Region, request.user, region_code, field="code")
        if not can_read_region_dashboard(request.user):
            raise PermissionDenied
        today = clock.today()
        period = parse_period(request.query_params, today=today)
        with replica_reads(snapshot=True):
            dash = selectors.dashboard(selectors.Slice(region=region), period, today=today)
        data = {
            "region": region.code,
            "name": region.name,
            "period": {
                "kind": period.kind,
                "start": period.start.isoformat(),
                "end": period.end.isoformat(),
                "label": str(period.label),
            },
            "totals": _figures(
                dash.totals,
                [
                    ("completion", dash.completion),
                    ("on_time", dash.on_time),
                    ("satisfaction", dash.satisfaction),
                ],
            ),
            "children": [
                {
                    "name": row.name,
                    "region": row.region.code if row.region else None,
                    "station": row.station.pk if row.station else None,
                    "direct": row.is_direct,
                    "figures": _figures(
                        row.counts,
                        [
                            ("completion", row.completion),
                            ("on_time", row.on_time),
                            ("satisfaction", row.satisfaction),
                        ],
                    ),
                }
                for row in dash.rows
            ],
        }
        return Response(data)
