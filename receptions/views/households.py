"""Each deputy's fixed contact households (固定联系户)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from audit.services import history_of
from core.forms import add_service_errors as _add_errors
from deputies.models import Deputy
from tenancy.access import access_object, can_write

from ..forms import (
    HouseholdEditForm,
    HouseholdForm,
)
from ..models import (
    ContactHousehold,
)
from ..permissions import sees_only_own_record
from ..services import (
    household_add,
    household_update,
    own_deputy,
)
from .registers import (
    LOG_PAGE_SIZE,
    require_register_reader,
)


@login_required
def household_list(request):
    """Fixed contact households the user may see; a deputy goes to their own list."""
    require_register_reader(request.user)
    me = own_deputy(request.user)
    if me is not None and sees_only_own_record(request.user):
        return redirect("receptions:deputy_households", deputy_pk=me.pk)
    households = (
        ContactHousehold.objects.visible_to(request.user)
        .select_related("deputy", "constituent")
        .annotate(visit_count=Count("visits"))
        .order_by("deputy__name", "deputy_id", "-active", "pk")
    )
    query = request.GET.get("q", "").strip()
    if query:
        households = households.filter(deputy__name__contains=query)
    page = Paginator(households, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "receptions/household_list.html",
        {
            "page": page,
            "q": query,
            "deputy": None,
            "tab": "households",
        },
    )


@login_required
def deputy_households(request, deputy_pk: int):
    deputy = access_object(Deputy, request.user, deputy_pk)
    # A household is seen wherever its deputy is (its region is a copy of the deputy's, its
    # stations are the deputy's), so the deputy's access check is the one scoping needed.
    households = (
        ContactHousehold.objects.filter(deputy=deputy)
        .select_related("deputy", "constituent")
        .annotate(visit_count=Count("visits"))
        .order_by("-active", "pk")
    )
    page = Paginator(households, LOG_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "receptions/household_list.html",
        {
            "page": page,
            "deputy": deputy,
            "active_count": households.filter(active=True).count(),
            "can_add": can_write(request.user, deputy),
            "tab": "households",
        },
    )


@login_required
def household_new(request, deputy_pk: int):
    deputy = access_object(Deputy, request.user, deputy_pk, for_write=True)
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            household_add(actor=request.user, deputy=deputy, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("已添加固定联系户。"))
            if "again" in request.POST:
                return redirect("receptions:household_new", deputy_pk=deputy.pk)
            return redirect("receptions:deputy_households", deputy_pk=deputy.pk)
    return render(
        request,
        "receptions/household_form.html",
        {"form": form, "deputy": deputy, "household": None, "tab": "households"},
    )


@login_required
def household_edit(request, household_pk: int):
    household = access_object(
        ContactHousehold.objects.select_related("deputy", "constituent"),
        request.user,
        household_pk,
        for_write=True,
    )
    initial = {"address": household.address, "note": household.note, "active": household.active}
    form = HouseholdEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        household_update(actor=request.user, household=household, **form.cleaned_data)
        messages.success(request, _("联系户已保存。"))
        return redirect("receptions:deputy_households", deputy_pk=household.deputy_id)
    return render(
        request,
        "receptions/household_form.html",
        {
            "form": form,
            "deputy": household.deputy,
            "household": household,
            "history": history_of(household)[:20],
            "tab": "households",
        },
    )
