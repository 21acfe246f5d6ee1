"""Where each figure leads: the list that shows the rows it counts.

Each URL uses the list's own filter parameters (stations and deputies: `region` by
code; the suggestions inbox: `region` by id, `station`, `status`, `category`,
`overdue`, `counted=received` (merged duplicates left out, as the dashboard counts),
`start`/`end` (received between, Beijing time); the reception register: `station`,
`region`, `start`, `end`).
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse

from regions.models import Region

from .selectors import Dashboard

# The lists' region pickers offer these levels only.
LIST_REGION_LEVELS = (Region.Level.CITY, Region.Level.COUNTY, Region.Level.TOWNSHIP)


def _url(name: str, params: dict, **kwargs) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse(name, kwargs=kwargs or None) + (f"?{query}" if query else "")


def figure_links(dash: Dashboard) -> dict[str, str]:
    slice_ = dash.slice
    period = {"start": dash.period.start.isoformat(), "end": dash.period.end.isoformat()}
    station = slice_.station
    region = slice_.region
    listed = region.level in LIST_REGION_LEVELS
    if station is not None:
        by_region_code: dict = {}
        inbox = {"station": station.pk}
        register = {"station": station.pk}
    else:
        by_region_code = {"region": region.code} if listed else {}
        inbox = {"region": region.pk} if listed else {}
        register = {"region": region.code} if listed else {}

    links = {
        "receptions": _url("receptions:log_list", {**register, **period}),
        # "received" leaves merged duplicates out (counting.py): so does the list.
        "received": _url("suggestions:inbox", {**inbox, "counted": "received", **period}),
        "solved": _url("suggestions:inbox", {**inbox, "outcome": "solved", **period}),
        "rejected": _url("suggestions:inbox", {**inbox, "status": "rejected", **period}),
        "overdue": _url("suggestions:inbox", {**inbox, "overdue": "true"}),
    }
    if station is not None:
        links["stations"] = reverse("stations:detail", kwargs={"station_pk": station.pk})
        links["deputies"] = _url("deputies:list", {"station": station.pk, "status": "active"})
        for stars, _n in dash.stars:
            links[f"stars_{stars}"] = links["stations"]
    else:
        links["stations"] = _url("stations:list", {**by_region_code, "status": "active"})
        links["deputies"] = _url("deputies:list", {**by_region_code, "status": "active"})
        for stars, _n in dash.stars:
            links[f"stars_{stars}"] = _url(
                "stations:list",
                {**by_region_code, "status": "active", "stars": stars or "none"},
            )
    for code, _label, _n in dash.categories:
        links[f"category_{code}"] = _url(
            "suggestions:inbox", {**inbox, "category": code, "counted": "received", **period}
        )
    return links


def drill_url(row, period_params: dict) -> str:
    """The dashboard one level down for a ranking row ("" for the row of no child)."""
    if row.region is not None:
        return _url("dashboards:region", period_params, region_code=row.region.code)
    if row.station is not None:
        return station_dashboard_url(row.station.pk, period_params)
    return ""


def station_dashboard_url(station_pk: int, period_params: dict) -> str:
    """A station's dashboard for the same period (the ranking's rows, the map's points)."""
    return _url("dashboards:station", period_params, station_pk=station_pk)
