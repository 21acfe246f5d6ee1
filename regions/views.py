from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from tenancy.access import access_object
from tenancy.scope import root_paths

from .models import Region
from .selectors import child_counts


def _scope_roots(user) -> list[Region]:
    roots = root_paths(user)
    if roots is None:
        return list(Region.objects.filter(parent__isnull=True))
    return list(Region.objects.filter(path__in=roots))


@login_required
def region_list(request):
    roots = _scope_roots(request.user)
    if not roots:
        raise PermissionDenied
    if len(roots) == 1:
        return region_detail(request, roots[0].code)
    return render(request, "regions/region_list.html", {"roots": roots})


@login_required
def region_detail(request, region_code: str):
    region = access_object(Region, request.user, region_code, field="code")
    children = list(region.children.order_by("code"))
    counts = child_counts(region, children)
    rows = [(child, counts[child.path]) for child in children]
    roots = {root.path for root in _scope_roots(request.user)}
    breadcrumbs = [r for r in region.ancestors() if any(r.path.startswith(p) for p in roots)]
    return render(
        request,
        "regions/region_detail.html",
        {"region": region, "rows": rows, "breadcrumbs": breadcrumbs},
    )
