"""REST API for one's own inbox (消息): list, and mark as read."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .models import Notification
from .services import notification_mark_read


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "created_at", "read_at"]
        read_only_fields = fields


class NotificationViewSet(viewsets.ReadOnlyModelViewSet):
    """The caller's own notifications, newest first; `?unread=1` for the unread ones."""

    serializer_class = NotificationSerializer
    lookup_url_kwarg = "notification_pk"

    def get_queryset(self):
        rows = Notification.objects.visible_to(self.request.user).order_by("-created_at", "-pk")
        if self.request.query_params.get("unread") == "1":
            rows = rows.filter(read_at__isnull=True)
        return rows

    @extend_schema(request=None, responses={200: dict})
    @action(detail=False, methods=["post"], url_path="mark-read")
    def mark_read(self, request):
        count = notification_mark_read(user=request.user)
        return Response({"marked": count})
