from rest_framework import serializers, viewsets

from .models import Region


class RegionSerializer(serializers.ModelSerializer):
    parent_code = serializers.CharField(source="parent.code", read_only=True, default=None)

    class Meta:
        model = Region
        fields = ["code", "name", "level", "parent_code", "path"]


class RegionViewSet(viewsets.ReadOnlyModelViewSet):
    """Regions inside the caller's scope."""

    serializer_class = RegionSerializer
    lookup_field = "code"
    lookup_url_kwarg = "region_code"
    filterset_fields = ["level", "parent__code"]
    search_fields = ["name", "code"]

    def get_queryset(self):
        return Region.objects.visible_to(self.request.user).select_related("parent")
