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

from core import clock
from tenancy.scope import granted_ids, root_paths

from . import permissions as can
from .models import (
    Assignment,
    Constituent,
    ExtensionRequest,
    HandlingUnit,
    ReplyTemplate,
    Suggestion,
)
from .workflow import ASSIGNMENT, EXTENSION, SUGGESTION

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
    roots = root_paths(user, for_write=True)
    if roots is None:
        return HandlingUnit.objects.filter(is_active=True)
    paths = {p for root in roots for p in _ancestor_paths(root)}
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


UNIT_QUEUE_STATES = ("pending", "acknowledged", "overdue", "reopened")


def unit_queue(
    user, unit: HandlingUnit, *, done: bool = False, state: str = ""
) -> QuerySet[Assignment]:
    """A unit's assignments the user may see, overdue first, then by the nearest deadline.

    `state` narrows the open queue: "pending" (to sign), "acknowledged" (signed, to
    reply), "overdue" (late to sign or to reply), "reopened" (sent back to be handled
    again after the citizen was not satisfied).

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
            # Overdue to sign, or (signed) the suggestion's reply is overdue.
            overdue=Case(
                When(Assignment.ACKNOWLEDGE_DUE.overdue_q(today=today), then=Value(True)),
                When(
                    Q(status=Assignment.Status.ACKNOWLEDGED)
                    & Suggestion.REPLY_DUE.overdue_q(today=today, prefix="suggestion__"),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )
    if not done and state == "pending":
        queryset = queryset.filter(status=Assignment.Status.PENDING)
    elif not done and state == "acknowledged":
        queryset = queryset.filter(status=Assignment.Status.ACKNOWLEDGED)
    elif not done and state == "overdue":
        queryset = queryset.filter(overdue=True)
    elif not done and state == "reopened":
        queryset = queryset.filter(suggestion__reopened_count__gt=0)
    if done:
        # A suggestion the unit sent back or had taken away is no longer the clerk's to
        # open: its row stays as a record, without the link or the text.
        visible = Suggestion.objects.visible_to(user).filter(pk=OuterRef("suggestion_id"))
        return queryset.annotate(suggestion_open=Exists(visible)).order_by("-assigned_at")
    return queryset.order_by("-overdue", F("next_due").asc(nulls_last=True), "assigned_at")


def units_of(user) -> list[HandlingUnit]:
    """The units a user is a clerk of."""
    ids = granted_ids(user, "unit")
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
    """What the current user may do with a suggestion now (the detail page's forms).

    Read from the workflow tables, which the services enforce: the page offers
    exactly what would succeed.
    """

    accept: bool = False
    reject: bool = False
    answer: bool = False
    handle: bool = False
    assign: bool = False
    merge: bool = False
    extend: bool = False
    extension_decide: ExtensionRequest | None = None
    reply: bool = False
    follow_up: bool = False
    reveal: bool = False
    acknowledge: tuple[Assignment, ...] = ()
    send_back: tuple[Assignment, ...] = ()
    # Region staff acting in a unit's place see "代…签收 / 代…答复".
    on_behalf: frozenset[int] = frozenset()
    reply_for: str = ""

    def __bool__(self) -> bool:
        return any(
            getattr(self, name) for name in self.__dataclass_fields__ if name not in _NOT_ACTIONS
        )


_NOT_ACTIONS = {"reveal", "on_behalf", "reply_for"}


def actions_for(user, suggestion: Suggestion, assignments: list[Assignment]) -> Actions:
    """The actions the workflow tables allow `user` on `suggestion` now."""
    allowed = set(SUGGESTION.available(user, suggestion))
    pending = next(
        (e for e in suggestion.extensions.all() if e.status == ExtensionRequest.Status.PENDING),
        None,
    )
    decide = (
        pending
        if pending is not None
        and set(EXTENSION.available(user, pending, suggestion=suggestion)) & {"approve", "refuse"}
        else None
    )
    return Actions(
        **{name: name in allowed for name in SUGGESTION.by_name},
        extension_decide=decide,
        reveal=can.can_reveal_phone(user, suggestion)
        and suggestion.constituent_id is not None
        and bool(suggestion.constituent.phone),
        acknowledge=tuple(
            a for a in assignments if ASSIGNMENT.can("acknowledge", user, a, suggestion=suggestion)
        ),
        send_back=tuple(
            a for a in assignments if ASSIGNMENT.can("return", user, a, suggestion=suggestion)
        ),
        on_behalf=frozenset(
            a.unit_id for a in assignments if can.acts_for_unit(user, a.unit_id, suggestion)
        ),
        reply_for=lead.unit.name
        if "reply" in allowed
        and suggestion.handling == Suggestion.Handling.ASSIGNED
        and (lead := can.lead_assignment(suggestion)) is not None
        and can.acts_for_unit(user, lead.unit_id, suggestion)
        else "",
    )


def constituents(user) -> QuerySet[Constituent]:
    return Constituent.objects.visible_to(user).select_related("region")


def counts_by_status(queryset: QuerySet[Suggestion]) -> dict[str, int]:
    from django.db.models import Count

    rows = queryset.order_by().values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}
