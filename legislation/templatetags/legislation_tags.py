"""The legislative-point figures other apps' pages include (the station page)."""

from django import template

from stations.models import Station

from ..selectors import point_figures

register = template.Library()


@register.inclusion_tag("legislation/_station_figures.html", takes_context=True)
def legislative_point_figures(context, station):
    """{% load legislation_tags %}{% legislative_point_figures station %}: a point's yearly
    consultations, comments and adopted comments (nothing for other stations)."""
    is_point = station.is_legislative_point or station.kind == Station.Kind.LEGISLATIVE
    if not is_point:
        return {"show": False}
    return {
        "show": True,
        "station": station,
        "years": point_figures(context["request"].user, station),
    }
