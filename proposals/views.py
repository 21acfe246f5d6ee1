"""Pages of the deputies' formal suggestions (代表建议)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from tenancy.access import access_object

from . import selectors
from .models import Proposal


@login_required
def proposal_detail(request, proposal_pk: int):
    proposal = access_object(
        Proposal.objects.select_related("author", "region"), request.user, proposal_pk
    )
    return render(request, "proposals/detail.html", selectors.detail(request.user, proposal))
