"""Filters for the deputy list, its export and the API (one FilterSet for all three)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.forms import OrderingFilter
from stations.filters import RegionLabelled
from stations.models import Station

from .models import Deputy, DeputyGroup, StationMembership, current_membership_q


def visible_stations(request):
    if request is None:
        return Station.objects.none()
    return Station.objects.visible_to(request.user).order_by("region_path", "name")


def visible_groups(request):
    if request is None:
        return DeputyGroup.objects.none()
    return DeputyGroup.objects.visible_to(request.user).order_by("name")


class DeputyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("姓名或单位"), method="search")
    region = RegionLabelled()
    level = django_filters.ChoiceFilter(
        label=_("代表层级"), choices=Deputy.Level.choices, empty_label=_("全部层级")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=Deputy.Status.choices, empty_label=_("全部状态")
    )
    station = django_filters.ModelChoiceFilter(
        label=_("所在联络站"),
        queryset=visible_stations,
        method="in_station",
        empty_label=_("全部联络站"),
    )
    group = django_filters.ModelChoiceFilter(
        label=_("代表小组"), queryset=visible_groups, method="in_group", empty_label=_("全部小组")
    )
    sort = OrderingFilter(
        label=_("排序"),
        fields=(("region_path", "region"), ("name", "name"), ("level_rank", "level")),
        field_labels={"region": _("按区划"), "name": _("按姓名"), "level": _("按层级")},
        empty_label=_("默认排序"),
    )

    class Meta:
        model = Deputy
        fields = ["q", "region", "level", "status", "station", "group"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(name__icontains=value)
            | Q(work_unit__icontains=value)
            | Q(constituency__icontains=value)
        )

    @extend_schema_field(OpenApiTypes.INT)
    def in_station(self, queryset, name, value):
        members = StationMembership.objects.filter(current_membership_q(), station=value)
        return queryset.filter(pk__in=members.values("deputy_id"))

    @extend_schema_field(OpenApiTypes.INT)
    def in_group(self, queryset, name, value):
        return queryset.filter(pk__in=value.members.values("pk"))
