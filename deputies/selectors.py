"""Reads about deputies: lists with their current stations, memberships and groups."""

from django.db.models import Case, IntegerField, Prefetch, QuerySet, Value, When

from stations.models import Station

from .models import Deputy, DeputyGroup, StationMembership, current_membership_q

LEVEL_RANK = Case(
    *[When(level=value, then=Value(rank)) for rank, value in enumerate(Deputy.Level.values)],
    output_field=IntegerField(),
)


def deputies_for(user) -> QuerySet[Deputy]:
    """The deputies `user` may see, each with `current_memberships` (station loaded)."""
    return (
        Deputy.objects.visible_to(user)
        .select_related("region")
        .annotate(level_rank=LEVEL_RANK)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=StationMembership.objects.filter(current_membership_q())
                .select_related("station")
                .order_by("start_date"),
                to_attr="current_memberships",
            )
        )
    )


def deputy_memberships(deputy: Deputy) -> QuerySet[StationMembership]:
    return deputy.memberships.select_related("station", "station__region").order_by(
        "end_date", "-start_date"
    )


def deputy_groups(deputy: Deputy) -> QuerySet[DeputyGroup]:
    return deputy.groups.select_related("region", "station").order_by("name")


def joinable_stations(user) -> QuerySet[Station]:
    """Stations a deputy may be grouped into by `user`: running, inside the write scope."""
    return (
        Station.objects.visible_to(user, for_write=True)
        .filter(status=Station.Status.ACTIVE)
        .select_related("region")
        .order_by("region_path", "name")
    )


def groups_for(user) -> QuerySet[DeputyGroup]:
    return DeputyGroup.objects.visible_to(user).select_related("region", "station")
