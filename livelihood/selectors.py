"""Reads of the livelihood-project cycle: lists, the results, the dashboard summary."""

from __future__ import annotations

from django.db.models import Count, Q, Sum

from .models import Cycle, Project, Proposal, Round, Tally
from .workflow import CYCLE


def cycles_for(user, *, year: int | None = None, q: str = ""):
    rows = (
        Cycle.objects.visible_to(user)
        .select_related("region")
        .annotate(
            proposal_count=Count("proposals", distinct=True),
            project_count=Count("projects", distinct=True),
        )
    )
    if year:
        rows = rows.filter(year=year)
    if q:
        rows = rows.filter(Q(title__icontains=q) | Q(region__name__icontains=q))
    return rows.order_by("-year", "region_path", "pk")


def proposals_of(cycle: Cycle, *, decision: str = "", q: str = ""):
    rows = Proposal.objects.filter(cycle=cycle).select_related("project", "merged_into")
    if decision:
        rows = rows.filter(decision=decision)
    if q:
        rows = rows.filter(Q(title__icontains=q) | Q(content__icontains=q))
    return rows.order_by("number")


def projects_of(cycle: Cycle):
    return (
        Project.objects.filter(cycle=cycle)
        .select_related("lead_unit")
        .prefetch_related("co_units", "supervisors")
        .order_by("number")
    )


def results_of(cycle: Cycle) -> list[dict]:
    """Each candidate's votes in its last counted selection round, adopted or not, rank."""
    last = {}
    for tally in (
        Tally.objects.filter(
            round__cycle=cycle, round__purpose="select", round__status=Round.Status.CONFIRMED
        )
        .select_related("round")
        .order_by("round__number")
    ):
        last[tally.project_id] = tally
    rows = []
    for project in Project.objects.filter(cycle=cycle).order_by("number"):
        tally = last.get(project.pk)
        rows.append({"project": project, "tally": tally})
    rows.sort(
        key=lambda r: (
            r["project"].rank is None,
            r["project"].rank or 0,
            -(r["tally"].yes if r["tally"] else 0),
            r["project"].number,
        )
    )
    return rows


def counted_rounds(cycle: Cycle, purpose: str | None = "select"):
    rows = Round.objects.filter(cycle=cycle)
    if purpose:
        rows = rows.filter(purpose=purpose)
    return (
        rows.exclude(status__in=[Round.Status.OPEN, Round.Status.COUNTING])
        .prefetch_related("tallies__project", "confirmations")
        .order_by("number")
    )


def turnout(cycle: Cycle) -> dict | None:
    """The selection vote's turnout and validity: its first counted round."""
    first = counted_rounds(cycle).first()
    if first is None:
        return None
    return {
        "seated": first.seated,
        "present": first.present,
        "issued": first.issued,
        "returned": first.returned,
        "invalid": first.invalid,
        "valid": first.valid_ballots,
        "rounds": counted_rounds(cycle).count(),
        "void_rounds": counted_rounds(cycle).filter(status=Round.Status.VOID).count(),
    }


def summary(cycles) -> dict:
    """Adopted, done, on time, money and ratings over some cycles (one query)."""
    adopted = Project.objects.filter(cycle__in=cycles, status=Project.Status.ADOPTED)
    figures = adopted.aggregate(
        adopted=Count("pk"),
        done=Count("pk", filter=Q(completed_on__isnull=False)),
        on_time=Count("pk", filter=Q(completed_on__isnull=False, completed_on__lte=models_f())),
        investment=Sum("investment"),
        spent=Sum("spent"),
        satisfied=Count("pk", filter=Q(rating=Project.Rating.SATISFIED)),
        basic=Count("pk", filter=Q(rating=Project.Rating.BASIC)),
        unsatisfied=Count("pk", filter=Q(rating=Project.Rating.UNSATISFIED)),
    )
    return figures


def models_f():
    from django.db.models import F

    return F("due_by")


def dashboard_panel(user, region, period) -> dict | None:
    """The cycles of `region` and below whose year falls in `period` (three queries)."""
    cycles = list(
        Cycle.objects.visible_to(user)
        .filter(
            region_path__startswith=region.path,
            year__gte=period.start.year,
            year__lte=period.end.year,
        )
        .select_related("region")
        .order_by("-year", "region_path")
    )
    if not cycles:
        return None
    figures = summary([c.pk for c in cycles])
    proposals = Proposal.objects.filter(cycle__in=[c.pk for c in cycles]).count()
    return {
        "region": region,
        "period": period,
        "cycles": cycles[:10],
        "more": max(0, len(cycles) - 10),
        "count": len(cycles),
        "proposals": proposals,
        **figures,
    }


def available(user, cycle: Cycle) -> list[str]:
    return CYCLE.available(user, cycle)
