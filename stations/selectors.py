"""Reads about stations: lists with their counts, officers, the checklist in force."""

from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import RoleAssignment
from accounts.selectors import officer_assignments
from deputies.models import Deputy, StationMembership, current_membership_q
from regions.models import Region

from .models import StandardItem, Station, StationAssessment


def current_deputy_count() -> Coalesce:
    """How many serving deputies a station has now, as a subquery (no row duplication)."""
    counted = (
        StationMembership.objects.filter(current_membership_q(), station=OuterRef("pk"))
        .exclude(deputy__status=Deputy.Status.TERMINATED)
        .order_by()
        .values("station")
        .annotate(n=Count("deputy", distinct=True))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def point_count() -> Coalesce:
    counted = (
        Station.objects.filter(parent=OuterRef("pk"))
        .order_by()
        .values("parent")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def stations_for(user) -> QuerySet[Station]:
    """The stations and points `user` may see, with deputy and point counts."""
    return (
        Station.objects.visible_to(user)
        .select_related("region", "parent")
        .annotate(deputy_count=current_deputy_count(), point_count=point_count())
    )


def station_officers(station: Station) -> list[RoleAssignment]:
    """Liaison officers (联络员): accounts holding the officer role at this station."""
    return list(officer_assignments(station))


def station_points(station: Station) -> QuerySet[Station]:
    return station.points.select_related("region").annotate(deputy_count=current_deputy_count())


def station_current_members(station: Station) -> QuerySet[StationMembership]:
    return (
        StationMembership.objects.filter(current_membership_q(), station=station)
        .select_related("deputy")
        .order_by("deputy__name")
    )


def station_assessments(station: Station) -> QuerySet[StationAssessment]:
    return station.assessments.select_related("assessor", "withdrawn_by").prefetch_related(
        "items_met", "photos"
    )


def _ancestor_paths(region: Region) -> list[str]:
    codes = [code for code in region.path.split("/") if code]
    return ["".join(f"{code}/" for code in codes[: i + 1]) for i in range(len(codes))]


def standard_source(region: Region) -> Region | None:
    """The region whose checklist applies to `region`: itself or its nearest ancestor with one."""
    paths = set(
        StandardItem.objects.filter(region_path__in=_ancestor_paths(region)).values_list(
            "region_path", flat=True
        )
    )
    if not paths:
        return None
    return Region.objects.get(path=max(paths, key=len))


def standard_checklist(region: Region, *, include_inactive: bool = False) -> list[StandardItem]:
    """The checklist in force for stations of `region`: the nearest ancestor's list wins."""
    items = list(
        StandardItem.objects.filter(region_path__in=_ancestor_paths(region)).order_by("order", "pk")
    )
    if not items:
        return []
    deepest = max((item.region_path for item in items), key=len)
    return [
        item for item in items if item.region_path == deepest and (include_inactive or item.active)
    ]
