"""The public page of a body's handling results (代表建议办理结果公开), without login.

The Deputies Law asks for the results to be public: the title, the deputies who raised
it, the units, the class and the reply text; never a citizen's personal data (a
proposal carries none of its own; its sources are not shown). Staff withhold one with
a reason.
"""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from regions.models import Region

from . import selectors


@require_safe
def body_results(request, region_code: str):
    body = get_object_or_404(Region, code=region_code, level__in=("city", "county", "township"))
    page = Paginator(selectors.public_results(body), 20).get_page(request.GET.get("page"))
    return render(request, "proposals/public/results.html", {"body": body, "page": page})
