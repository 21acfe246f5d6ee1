"""Filters for the station list, the export and the API (one FilterSet for all three).

Dropdown choices come from the request user's scope; the queryset being filtered is
already scoped, so a region filter only narrows it further.
"""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from core.forms import OrderingFilter
from core.params import IdFilter
from regions.models import Region
from regions.selectors import region_choices

from .models import Station

FILTER_LEVELS = (Region.Level.CITY, Region.Level.COUNTY, Region.Level.TOWNSHIP)


def filter_regions(request):
    if request is None:
        return Region.objects.none()
    return region_choices(request.user, for_write=False).filter(level__in=FILTER_LEVELS)


def subtree(queryset, name, value):
    """Rows in `value` or below it (an already-scoped queryset, narrowed)."""
    if not value:
        return queryset
    return queryset.filter(**{f"{name}__startswith": value.path})


class RegionLabelled(django_filters.ModelChoiceFilter):
    """A region picker that shows counties and townships indented under their parents."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", filter_regions)
        kwargs.setdefault("to_field_name", "code")
        kwargs.setdefault("method", lambda qs, name, value: subtree(qs, "region_path", value))
        kwargs.setdefault("label", _("区划"))
        kwargs.setdefault("empty_label", _("全部区划"))
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        field = super().field
        field.label_from_instance = region_label
        return field


def region_label(region: Region) -> str:
    indent = {"city": "", "county": "　", "township": "　　", "village": "　　　"}
    return f"{indent.get(region.level, '')}{region.name}"


class StationFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("名称"), method="search")
    region = RegionLabelled()
    kind = django_filters.ChoiceFilter(
        label=_("类型"), choices=Station.Kind.choices, empty_label=_("全部类型")
    )
    stars = django_filters.ChoiceFilter(
        label=_("星级"),
        choices=[
            ("none", _("未评定")),
            *[(str(n), format_lazy("{}{}", n, _("星"))) for n in range(5, 0, -1)],
        ],
        method="by_stars",
        empty_label=_("全部星级"),
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=Station.Status.choices, empty_label=_("全部状态")
    )
    # Points of one station (API and links from a station page; hidden in the list form).
    parent = IdFilter(label=_("所属联络站"), field_name="parent_id", widget=forms.HiddenInput)
    sort = OrderingFilter(
        label=_("排序"),
        fields=(
            ("region_path", "region"),
            ("name", "name"),
            ("stars", "stars"),
            ("deputy_count", "deputies"),
            ("created_at", "created"),
        ),
        field_labels={
            "region": _("按区划"),
            "name": _("按名称"),
            "stars": _("按星级"),
            "deputies": _("按代表人数"),
            "created": _("按创建时间"),
        },
        empty_label=_("默认排序"),
    )

    class Meta:
        model = Station
        fields = ["q", "region", "kind", "stars", "status", "parent"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(address__icontains=value))

    def by_stars(self, queryset, name, value):
        if value == "none":
            return queryset.filter(stars__isnull=True)
        return queryset.filter(stars=int(value))
