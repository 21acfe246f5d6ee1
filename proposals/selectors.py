"""Reads of the formal suggestions: lists, sources a deputy may cite, figures, the public page.

Every read goes through `visible_to(user)`; figures are a constant number of
aggregate queries whatever the number of rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.urls import reverse

from regions.models import Region

from . import permissions as can
from .models import (
    Contact,
    Cosignature,
    Proposal,
    ProposalAssignment,
    Rating,
    Reply,
    ReplyClass,
    Source,
)
from .workflow import WORKFLOW

S = Proposal.Status
SOURCE_LIMIT = 8


@dataclass(frozen=True)
class SourceChoice:
    kind: str
    pk: int
    label: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.pk}"


def source_choices(actor, *, keys=None) -> list[SourceChoice]:
    """What the actor may cite as a source: concerns, receptions, visits, activities they see
    (the latest of each kind, or exactly `keys`, a set of (kind, pk))."""
    from receptions.models import Reception, StationActivity, Visit
    from suggestions.models import Suggestion

    kinds = {
        Source.Kind.SUGGESTION: (
            Suggestion,
            lambda s: f"{Source.Kind.SUGGESTION.label} {s.display_code} {s.content[:40]}",
            "-submitted_at",
        ),
        Source.Kind.RECEPTION: (
            Reception,
            lambda r: f"{Source.Kind.RECEPTION.label} {r.date:%Y-%m-%d} {r.notes[:30]}",
            "-date",
        ),
        Source.Kind.VISIT: (
            Visit,
            lambda v: f"{Source.Kind.VISIT.label} {v.date:%Y-%m-%d} {v.place or v.notes[:30]}",
            "-date",
        ),
        Source.Kind.ACTIVITY: (
            StationActivity,
            lambda a: f"{a.get_kind_display()} {a.date:%Y-%m-%d} {a.title}",
            "-date",
        ),
    }
    choices = []
    for kind, (model, label, order) in kinds.items():
        rows = model.objects.visible_to(actor)
        if keys is not None:
            ids = [pk for k, pk in keys if k == kind]
            if not ids:
                continue
            rows = rows.filter(pk__in=ids)
        else:
            rows = rows.order_by(order, "-pk")[:SOURCE_LIMIT]
        choices.extend(SourceChoice(kind, row.pk, label(row)[:200]) for row in rows)
    return choices


def proposals_for(user):
    """The user's proposals with what a list row shows, in a constant number of queries."""
    return (
        Proposal.objects.visible_to(user)
        .select_related("author", "region", "supervisor")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=ProposalAssignment.objects.select_related("unit").order_by("role", "pk"),
            )
        )
    )


def filter_list(queryset, params, *, user=None):
    """The list's filters (status, year, unit, class, key supervision, overdue, replies
    waiting for the user's own rating...). The list and the deputy's workbench count
    read the rows here."""
    if params.get("to_rate") == "1":
        # Replied and not yet rated, of a proposal the user leads (only the author rates).
        queryset = queryset.filter(status=S.REPLIED, author_id__in=can.deputy_ids_of(user))
    status = params.get("status")
    if status in S.values:
        queryset = queryset.filter(status=status)
    year = params.get("year")
    if year and year.isdigit():
        queryset = queryset.filter(submitted_at__year=int(year))
    unit = params.get("unit")
    if unit and unit.isdigit():
        queryset = queryset.filter(
            assignments__unit_id=int(unit), assignments__status__in=["active", "done"]
        ).distinct()
    region = params.get("region_id")
    if region and region.isdigit():
        queryset = queryset.filter(region_id=int(region))
    tree = params.get("region_tree")
    if tree:
        root = Region.objects.filter(code=tree).first()
        queryset = queryset.filter(region_path__startswith=root.path) if root else queryset.none()
    klass = params.get("klass")
    if klass in ReplyClass.values:
        queryset = queryset.filter(replies__klass=klass).distinct()
    if params.get("key") == "1":
        queryset = queryset.filter(key_supervision=True)
    if params.get("overdue") == "1":
        queryset = queryset.filter(Proposal.REPLY_DUE.overdue_q())
    q = (params.get("q") or "").strip()
    if q:
        queryset = queryset.filter(Q(title__icontains=q) | Q(number__icontains=q))
    return queryset


def detail(user, proposal: Proposal) -> dict:
    """What the detail page shows, with the actions the table offers the user."""
    from supervision.tracking import deadlines_of

    replies = list(proposal.replies.select_related("unit").prefetch_related("letters"))
    return {
        "proposal": proposal,
        "cosignatures": list(proposal.cosignatures.select_related("deputy")),
        "sources": list(proposal.sources.all()),
        "attachments": [a for a in proposal.attachments.all() if a.reply_id is None],
        "assignments": sorted(
            ProposalAssignment.objects.visible_to(user)
            .filter(proposal=proposal)
            .select_related("unit", "meeting"),
            key=lambda a: (a.role != ProposalAssignment.Role.LEAD, a.pk),
        ),
        "contacts": list(proposal.contacts.all()),
        "replies": replies,
        "extensions": list(proposal.extensions.all()),
        "deadlines": deadlines_of(proposal),
        "actions": WORKFLOW.available(user, proposal),
    }


# --- Figures -------------------------------------------------------------------------------


def _pct(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


@dataclass
class Figures:
    received: int = 0
    registered: int = 0
    assigned: int = 0
    replied: int = 0
    replied_on_time: int = 0
    face_to_face: int = 0
    rated: int = 0
    satisfied: int = 0
    basically: int = 0
    class_counts: dict = None

    @property
    def completion_rate(self):  # 办结率
        return _pct(self.replied, self.assigned)

    @property
    def face_rate(self):  # 面商率
        return _pct(self.face_to_face, self.assigned)

    @property
    def satisfied_rate(self):  # 满意率（满意）
        return _pct(self.satisfied, self.rated)

    @property
    def satisfied_or_basic_rate(self):  # 满意率（满意+基本满意）
        return _pct(self.satisfied + self.basically, self.rated)

    @property
    def solved_rate(self):  # 问题解决率
        return _pct((self.class_counts or {}).get("A", 0), self.replied)

    def class_shares(self) -> list[tuple[str, int, float | None]]:
        counts = self.class_counts or {}
        return [(k, counts.get(k, 0), _pct(counts.get(k, 0), self.replied)) for k in "ABCD"]


FACE_TO_FACE = (Contact.Mode.FACE, Contact.Mode.SITE)
RECEIVED = ~Q(status__in=Proposal.PRIVATE_STATUSES)
REGISTERED = Q(registered_at__isnull=False)
ASSIGNED = Q(assigned_at__isnull=False)


def figures(user, *, year: int, region: Region | None = None, group_by: str | None = None):
    """Figures of the proposals received in `year` (submitted), for the user's slice, optionally
    under `region`; grouped by "body" (the region), "unit" (the lead unit) or not at all.
    Returns {key: Figures} (key None when not grouped). Six aggregate queries."""
    base = Proposal.objects.visible_to(user).filter(RECEIVED, submitted_at__year=year)
    if region is not None:
        base = base.filter(region_path__startswith=region.path)
    if group_by == "body":
        key = "region_id"
    elif group_by == "unit":
        base = base.filter(assignments__role="lead", assignments__status__in=["active", "done"])
        key = "assignments__unit_id"
    else:
        key = None

    def grouped(qs, **aggregates):
        if key is None:
            row = qs.aggregate(**aggregates)
            return {None: row}
        return {row[key]: row for row in qs.values(key).annotate(**aggregates).order_by()}

    # 面商: met in person, at a table or on the site together.
    face = Contact.objects.filter(proposal=OuterRef("pk"), mode__in=FACE_TO_FACE)
    counts = grouped(
        base.annotate(has_face=Exists(face)),
        received=Count("pk", distinct=True),
        registered=Count("pk", filter=REGISTERED, distinct=True),
        assigned=Count("pk", filter=ASSIGNED, distinct=True),
        face_to_face=Count("pk", filter=ASSIGNED & Q(has_face=True), distinct=True),
    )
    replies = Reply.objects.filter(proposal__in=base.values("pk"), round=1)
    if key is None:
        reply_key = None
    elif group_by == "body":
        reply_key = "proposal__region_id"
    else:
        reply_key = "unit_id"

    def grouped_replies(qs, **aggregates):
        if reply_key is None:
            return {None: qs.aggregate(**aggregates)}
        return {r[reply_key]: r for r in qs.values(reply_key).annotate(**aggregates).order_by()}

    reply_rows = grouped_replies(
        replies,
        replied=Count("pk"),
        on_time=Count("pk", filter=Q(on_time=True)),
        a=Count("pk", filter=Q(klass="A")),
        b=Count("pk", filter=Q(klass="B")),
        c=Count("pk", filter=Q(klass="C")),
        d=Count("pk", filter=Q(klass="D")),
    )
    # Satisfaction: the last rating of each proposal (a re-handled one is rated twice).
    last_round = Reply.objects.filter(proposal__in=base.values("pk"), rated_at__isnull=False)
    last_round = last_round.exclude(
        Exists(
            Reply.objects.filter(
                proposal=OuterRef("proposal"), round__gt=OuterRef("round"), rated_at__isnull=False
            )
        )
    )
    rating_rows = grouped_replies(
        last_round,
        rated=Count("pk"),
        satisfied=Count("pk", filter=Q(result=Rating.SATISFIED)),
        basically=Count("pk", filter=Q(result=Rating.BASICALLY)),
    )
    result = {}
    for k in set(counts) | set(reply_rows) | set(rating_rows):
        c, r, s = counts.get(k, {}), reply_rows.get(k, {}), rating_rows.get(k, {})
        result[k] = Figures(
            received=c.get("received") or 0,
            registered=c.get("registered") or 0,
            assigned=c.get("assigned") or 0,
            face_to_face=c.get("face_to_face") or 0,
            replied=r.get("replied") or 0,
            replied_on_time=r.get("on_time") or 0,
            rated=s.get("rated") or 0,
            satisfied=s.get("satisfied") or 0,
            basically=s.get("basically") or 0,
            class_counts={x.upper(): r.get(x) or 0 for x in "abcd"},
        )
    if key is None and None not in result:
        result[None] = Figures(class_counts={})
    return result


def figures_rows(user, *, year: int, region: Region | None, group_by: str):
    """(label, key, Figures) rows for the figures page, named."""
    from suggestions.models import HandlingUnit

    grouped = figures(user, year=year, region=region, group_by=group_by)
    model = Region if group_by == "body" else HandlingUnit
    names = dict(model.objects.filter(pk__in=[k for k in grouped if k]).values_list("pk", "name"))
    return sorted(
        ((names.get(k, "—"), k, f) for k, f in grouped.items() if k is not None),
        key=lambda row: (-row[2].received, row[0]),
    )


def dashboard_panel(user, region, period):
    """The region dashboard's panel: this year's figures for the region's subtree."""
    if not Proposal.objects.visible_to(user).filter(region_path__startswith=region.path).exists():
        return None
    year = period.start.year
    total = figures(user, year=year, region=region)[None]
    return {
        "figures": total,
        "year": year,
        "region": region,
        "list_url": reverse("proposals:list") + f"?region_tree={region.code}&year={year}",
        "figures_url": reverse("proposals:figures") + f"?region={region.code}&year={year}",
    }


# --- Public -------------------------------------------------------------------------------


def public_results(body: Region):
    """Published handling results of a body: replied or closed, not withheld. No citizen's
    data: the title, the deputies, the units, the class and the reply text only."""
    confirmed = Cosignature.objects.filter(status=Cosignature.Status.CONFIRMED).select_related(
        "deputy"
    )
    return (
        Proposal.objects.filter(
            region=body, status__in=[S.REPLIED, S.REHANDLING, S.CLOSED], withheld=False
        )
        .select_related("author")
        .prefetch_related(
            Prefetch("cosignatures", queryset=confirmed, to_attr="confirmed_cosigners"),
            Prefetch(
                "assignments",
                queryset=ProposalAssignment.objects.filter(status="done").select_related("unit"),
                to_attr="answered_assignments",
            ),
            Prefetch("replies", queryset=Reply.objects.order_by("round"), to_attr="reply_rows"),
        )
        .order_by("-submitted_at", "-pk")
    )


def supervised_by(user):
    """The 重点督办 proposals the user leads the supervision of (领衔督办)."""
    return proposals_for(user).filter(key_supervision=True, supervisor=user)
