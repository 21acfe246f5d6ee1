"""Reads over the region tree."""

from django.db.models import Count
from django.db.models.functions import Substr

from deputies.models import Deputy
from stations.models import Station
from tenancy.scope import restrict

from .models import Region


def region_choices(user, *, for_write: bool = True):
    """Regions a user may pick in a form or filter."""
    return restrict(Region.objects.all(), user, for_write=for_write)


def child_counts(region: Region, children: list[Region]) -> dict[str, dict[str, int]]:
    """Stations and deputies under each child, in a constant number of queries."""
    counts = {child.path: {"stations": 0, "deputies": 0} for child in children}
    if not children:
        return counts
    lengths = {len(child.path) for child in children}
    for key, model in (("stations", Station), ("deputies", Deputy)):
        for length in lengths:
            rows = (
                model.objects.filter(region_path__startswith=region.path)
                .annotate(prefix=Substr("region_path", 1, length))
                .values("prefix")
                .annotate(n=Count("pk"))
            )
            for row in rows:
                if row["prefix"] in counts:
                    counts[row["prefix"]][key] = row["n"]
    return counts
