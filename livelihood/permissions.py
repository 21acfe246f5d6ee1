"""Who may act on a livelihood-project cycle, on top of the tenancy gate.

The gate (`livelihood.models` visibility) decides what a user sees; these predicates
decide what they may do. The workflow tables (`livelihood/workflow.py`) name them.

- congress staff (and system administrators) of the cycle's region, or above, run
  the cycle: settings, proposals entered offline, screening (recorded for the
  government side), candidates, the roster and sign-in, rounds, tellers' entries and
  confirmations, plans, progress, inspections, ratings (`can_manage_cycle`);
- anyone, without an account, proposes a project on the public page while the cycle
  collects;
- a deputy seated in the body votes (electronically) in a round of a meeting they
  were signed in at, and logs inspections of the projects they supervise;
- leaders read and never write.
"""

from __future__ import annotations

from accounts.roles import STAFF, holds
from tenancy.scope import scope_of


def signed_in(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def _staff_over(actor, path: str) -> bool:
    return (
        signed_in(actor)
        and holds(actor, STAFF)
        and scope_of(actor).covers_path(path, for_write=True)
    )


def may_run_cycles(actor) -> bool:
    """Whether the actor starts cycles anywhere (the 'new' page)."""
    scope = scope_of(actor)
    return signed_in(actor) and (
        scope.everything or (holds(actor, STAFF) and bool(scope.write.region_paths))
    )


def can_run_cycle_in(actor, region) -> bool:
    return _staff_over(actor, region.path)


def can_manage_cycle(actor, cycle, **_) -> bool:
    return _staff_over(actor, cycle.region_path)


def can_propose(actor, cycle, **_) -> bool:
    """The public page (no account) or the cycle's staff."""
    return not signed_in(actor) or can_manage_cycle(actor, cycle)


def deputy_ids_of(actor) -> frozenset[int]:
    """The deputy records the actor acts as (a deputy's own account)."""
    if not signed_in(actor):
        return frozenset()
    return scope_of(actor).write.deputy_ids


def seated_deputy(actor, cycle):
    """The actor's deputy record if they are seated in the cycle's body."""
    from .models import Member

    ids = deputy_ids_of(actor)
    if not ids:
        return None
    member = (
        Member.objects.filter(cycle=cycle, deputy_id__in=ids, deputy__status="active")
        .select_related("deputy")
        .order_by("deputy_id")
        .first()
    )
    return member.deputy if member else None


def can_vote(actor, round, **_) -> bool:
    """Vote electronically: a seated deputy (presence is checked by the service)."""
    return seated_deputy(actor, round.cycle) is not None


def can_count_round(actor, round, **_) -> bool:
    """Enter, close and confirm a round's count: the cycle's staff (the tellers' accounts)."""
    return can_manage_cycle(actor, round.cycle)


def can_supervise_project(actor, project, **_) -> bool:
    """A deputy of the project's supervising group."""
    ids = deputy_ids_of(actor)
    return bool(ids) and project.supervisors.filter(pk__in=ids).exists()


def can_inspect_project(actor, project, **_) -> bool:
    """Log an inspection: the cycle's staff or a deputy of the supervising group."""
    return can_manage_cycle(actor, project.cycle) or can_supervise_project(actor, project)
