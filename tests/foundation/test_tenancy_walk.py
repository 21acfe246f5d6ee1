"""Walk every URL pattern with another region's objects: the answer must be 404.

A new URL whose parameters this walk does not know fails `test_every_parameter_is_known`,
so a view cannot join the portal without joining this test.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Which object of the cast each URL parameter names. Values are taken from the
# 交城县 side of the world; the visitors below sit in the neighbouring 文水县.
PARAMETERS = {
    "region_code": lambda w: w.county.code,
    "user_pk": lambda w: w.county_officer.pk,
    "station_pk": lambda w: w.station.pk,
    "deputy_pk": lambda w: w.deputy.pk,
    "unit_pk": lambda w: w.unit.pk,
}

# Not tenancy-scoped, on purpose: Django's own admin (superusers only), i18n switch,
# API root and schema; public pages reached by an unguessable token are listed here too.
SKIP_PREFIXES = ("django-admin/", "i18n/", "media/")
PUBLIC_URL_NAMES: set[str] = set()

PARAM_RE = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def _walk(resolver: URLResolver, prefix: str = ""):
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry, pattern)
        elif isinstance(entry, URLPattern):
            yield pattern, entry


def _routes():
    for pattern, entry in _walk(get_resolver()):
        route = pattern.lstrip("^")
        if route.startswith(SKIP_PREFIXES) or entry.name in PUBLIC_URL_NAMES:
            continue
        params = [a or b for a, b in PARAM_RE.findall(route)]
        if params and "format" not in params:
            yield route, entry.name, params


def _fill(route: str, values: dict) -> str:
    def replace(match):
        return str(values[match.group(1) or match.group(2)])

    path = PARAM_RE.sub(replace, route)
    path = path.replace("\\.", ".").replace("$", "").replace("^", "")
    return "/" + path


ROUTES = list(_routes())


def test_every_parameter_is_known():
    unknown = {(route, p) for route, _, params in ROUTES for p in params if p not in PARAMETERS}
    assert not unknown, f"add these URL parameters to the cross-region walk: {sorted(unknown)}"


def test_walk_covers_the_object_pages():
    walked = {p for _, _, params in ROUTES for p in params}
    assert {"user_pk", "region_code"} <= walked


@pytest.mark.parametrize("visitor", ["outsider", "neighbour_clerk"])
@pytest.mark.parametrize(("route", "name", "params"), ROUTES, ids=[r[0] for r in ROUTES])
def test_other_region_objects_are_404(client, world, visitor, route, name, params):
    client.force_login(getattr(world, visitor))
    path = _fill(route, {p: PARAMETERS[p](world) for p in params})
    # A method the view does not take is refused before any lookup (405); the one
    # it takes must not tell a foreign row from a missing one.
    answers = {method: getattr(client, method)(path).status_code for method in ("get", "post")}
    assert set(answers.values()) <= {404, 405}, f"{path} as {visitor}: {answers}"
    assert 404 in answers.values(), f"{path} as {visitor}: {answers}"


def test_own_objects_are_reachable_for_the_county_officer(client, world):
    """The walk's paths are real: the same URLs answer 200 inside the region."""
    client.force_login(world.county_officer)
    for route, _name, params in ROUTES:
        if not route.startswith(("regions/", "accounts/")) or "api/" in route:
            continue
        values = {p: PARAMETERS[p](world) for p in params}
        if "user_pk" in values:
            values["user_pk"] = world.township_officer.pk
        path = _fill(route, values)
        if path.endswith(("/active/", "/password/")):
            continue
        assert client.get(path).status_code == 200, path
