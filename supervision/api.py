"""REST API for the supervision queue (督办台账): read-only, scoped like the page."""

from __future__ import annotations

from rest_framework import serializers, viewsets

from .models import Supervision
from .selectors import queue


class SupervisionSerializer(serializers.ModelSerializer):
    region_name = serializers.CharField(source="region.name", read_only=True)
    reason_display = serializers.CharField(source="get_reason_display", read_only=True)
    subject = serializers.SerializerMethodField()
    unit_name = serializers.CharField(source="unit.name", read_only=True, default=None)

    class Meta:
        model = Supervision
        fields = [
            "id",
            "subject",
            "region",
            "region_name",
            "reason",
            "reason_display",
            "due_date",
            "unit",
            "unit_name",
            "key",
            "created_at",
        ]
        read_only_fields = fields

    def get_subject(self, record) -> dict:
        if record.suggestion_id:
            return {"kind": "suggestion", "code": record.suggestion.tracking_code}
        return {"kind": record.deadline.kind, "title": record.deadline.title}


class SupervisionViewSet(viewsets.ReadOnlyModelViewSet):
    """Supervisions the caller may see; `?state=open|closed|all`, `?key=1`."""

    serializer_class = SupervisionSerializer
    lookup_url_kwarg = "supervision_pk"
    ordering = ["-key", "created_at", "pk"]

    def get_queryset(self):
        params = self.request.query_params
        state = params.get("state", "open")
        return queue(
            self.request.user,
            state=state if state in ("open", "closed") else "",
            key_only=params.get("key") == "1",
        )
