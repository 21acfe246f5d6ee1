"""Reads for the suggestion pages and API. Visibility always starts at `visible_to`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    DateField,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)

from accounts.models import Role
from core import clock
from tenancy.scope import scope_of

from . import services
from .models import (
    Assignment,
    Constituent,
    ExtensionRequest,
    HandlingUnit,
    ReplyTemplate,
    Suggestion,
)

Status = Suggestion.Status


def _ancestor_paths(path: str) -> list[str]:
    codes = [code for code in path.split("/") if code]
    return ["".join(f"{code}/" for code in codes[: i + 1]) for i in range(len(codes))]


def assignable_units(actor, suggestion: Suggestion) -> QuerySet[HandlingUnit]:
    """Active units a suggestion may be assigned to by `actor`.

    Units of the suggestion's own region and the regions above it (a township's suggestion
    goes to the county's water bureau), plus the units the actor manages inside the
    suggestion's county (another township's government): never another county's.
    """
    above = _ancestor_paths(suggestion.region_path)
    # The suggestion's county (or the deepest region above the township level).
    county_path = above[min(2, len(above) - 1)]
    mine = HandlingUnit.objects.visible_to(actor, for_write=True).values("pk")
    return HandlingUnit.objects.filter(is_active=True).filter(
        Q(region_path__in=above) | (Q(pk__in=mine) & Q(region_path__startswith=county_path))
    )


def bulk_assignable_units(user) -> QuerySet[HandlingUnit]:
    """Units offered for bulk assignment: those of the user's regions and the regions above."""
    scope = scope_of(user)
    if scope.everything:
        return HandlingUnit.objects.filter(is_active=True)
    paths = {p for root in scope.write.region_paths for p in _ancestor_paths(root)}
    mine = HandlingUnit.objects.visible_to(user, for_write=True).values("pk")
    return HandlingUnit.objects.filter(is_active=True).filter(
        Q(region_path__in=paths) | Q(pk__in=mine)
    )


def inbox(user) -> QuerySet[Suggestion]:
    """The suggestions a user sees, with what a list row shows (constant number of queries)."""
    return (
        Suggestion.objects.visible_to(user)
        .select_related("region", "deputy", "station", "constituent")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.filter(role=Assignment.Role.LEAD).select_related(
                    "unit"
                ),
                to_attr="lead_assignments",
            )
        )
    )


def overdue_q(prefix: str = "") -> Q:
    today = clock.today()
    return Q(**{f"{prefix}status__in": Suggestion.RUNNING_STATUSES}) & Q(
        **{f"{prefix}due_date__lt": today}
    )


def unit_queue(user, unit: HandlingUnit, *, done: bool = False) -> QuerySet[Assignment]:
    """A unit's assignments the user may see, overdue first, then by the nearest deadline.

    A county may assign a township's suggestion to another township's government, so
    seeing a unit does not mean seeing every suggestion it holds.
    """
    today = clock.today()
    statuses = (
        [Assignment.Status.DONE, Assignment.Status.RETURNED, Assignment.Status.WITHDRAWN]
        if done
        else list(Assignment.ACTIVE_STATUSES)
    )
    queryset = (
        Assignment.objects.visible_to(user)
        .filter(unit=unit, status__in=statuses)
        .select_related("suggestion", "suggestion__region", "unit")
        .annotate(
            next_due=Case(
                When(status=Assignment.Status.PENDING, then=F("acknowledge_due")),
                default=F("suggestion__due_date"),
                output_field=DateField(),
            )
        )
        .annotate(
            overdue=Case(
                When(next_due__lt=today, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )
    if done:
        # A suggestion the unit sent back or had taken away is no longer the clerk's to
        # open: its row stays as a record, without the link or the text.
        visible = Suggestion.objects.visible_to(user).filter(pk=OuterRef("suggestion_id"))
        return queryset.annotate(suggestion_open=Exists(visible)).order_by("-assigned_at")
    return queryset.order_by("-overdue", F("next_due").asc(nulls_last=True), "assigned_at")


def units_of(user) -> list[HandlingUnit]:
    """The units a user is a clerk of."""
    ids = scope_of(user).write.unit_ids
    return list(HandlingUnit.objects.filter(pk__in=ids)) if ids else []


def reply_templates_for(user, suggestion: Suggestion) -> QuerySet[ReplyTemplate]:
    """Templates offered when replying: the suggestion's category or general ones.

    Staff see their region's templates; a clerk or station officer gets those of
    the regions above the suggestion (the county's templates for a township suggestion).
    """
    paths = _ancestor_paths(suggestion.region_path)
    return ReplyTemplate.objects.filter(
        Q(region_path__in=paths) | Q(pk__in=ReplyTemplate.objects.visible_to(user).values("pk")),
        is_active=True,
        category__in=[suggestion.category, ""],
    ).order_by("-category", "title")


def timeline(suggestion: Suggestion):
    return suggestion.events.all().order_by("at", "pk")


def public_timeline(suggestion: Suggestion):
    return suggestion.events.exclude(public_text="").order_by("at", "pk")


@dataclass(frozen=True)
class Actions:
    """What the current user may do with a suggestion now (the detail page's forms)."""

    accept: bool = False
    reject: bool = False
    answer: bool = False
    handle: bool = False
    assign: bool = False
    merge: bool = False
    extension_request: bool = False
    extension_decide: ExtensionRequest | None = None
    reply: bool = False
    follow_up: bool = False
    reveal: bool = False
    acknowledge: tuple[Assignment, ...] = ()
    send_back: tuple[Assignment, ...] = ()

    def __bool__(self) -> bool:
        return any(getattr(self, name) for name in self.__dataclass_fields__ if name != "reveal")


def actions_for(user, suggestion: Suggestion, assignments: list[Assignment]) -> Actions:
    """Mirror of the checks in `suggestions.services`, to offer only what would succeed."""
    staff = services.is_region_staff(user, suggestion)
    station = services.is_station_officer(user, suggestion)
    deputy = services.is_deputy_of(user, suggestion)
    status = suggestion.status
    triage = status in (Status.SUBMITTED, Status.ACCEPTED)
    running = status in (Status.ASSIGNED, Status.HANDLING)
    today = clock.today()
    lead = next((a for a in assignments if a.role == Assignment.Role.LEAD and a.is_active), None)
    if suggestion.handling == Suggestion.Handling.ASSIGNED:
        handler = staff or (lead is not None and services.is_unit_clerk(user, lead.unit_id))
    else:
        handler = staff or station
    pending_extension = next(
        (e for e in suggestion.extensions.all() if e.status == ExtensionRequest.Status.PENDING),
        None,
    )
    return Actions(
        accept=status == Status.SUBMITTED and (staff or station),
        reject=triage and (staff or station),
        answer=triage and (staff or station or deputy),
        handle=triage and (staff or station),
        assign=triage and staff,
        merge=triage and staff,
        extension_request=running
        and handler
        and pending_extension is None
        and (suggestion.due_date is None or today <= suggestion.due_date),
        extension_decide=pending_extension if staff and running else None,
        reply=status == Status.HANDLING and handler,
        follow_up=status == Status.REPLIED and (staff or station or deputy),
        reveal=services.may_reveal_phone(user, suggestion)
        and suggestion.constituent_id is not None
        and bool(suggestion.constituent.phone),
        acknowledge=tuple(
            a
            for a in assignments
            if a.status == Assignment.Status.PENDING
            and (staff or services.is_unit_clerk(user, a.unit_id))
        ),
        send_back=tuple(
            a
            for a in assignments
            if a.is_active
            and running
            and (a.return_due is None or today <= a.return_due)
            and (staff or services.is_unit_clerk(user, a.unit_id))
        ),
    )


def constituents(user) -> QuerySet[Constituent]:
    return Constituent.objects.visible_to(user).select_related("region")


def is_clerk_only(user) -> bool:
    """A user whose only way into suggestions is a handling unit."""
    scope = scope_of(user)
    return not scope.everything and scope.roles == frozenset({Role.UNIT_CLERK})


def counts_by_status(queryset: QuerySet[Suggestion]) -> dict[str, int]:
    from django.db.models import Count

    rows = queryset.order_by().values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}
