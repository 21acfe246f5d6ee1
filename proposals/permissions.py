"""Who may act on deputies' formal suggestions (代表建议), on top of the tenancy gate.

The gate (`proposals.models.proposal_q`, through `tenancy`) decides which rows a user
sees; these predicates decide what they may do with them. The workflow table
(`proposals/workflow.py`) names one for each action; services, pages and the API
ask the table.

- the author (领衔代表, a deputy's account): write, edit and submit a draft, gather
  co-signers, rate the reply;
- an invited deputy of the same body: confirm or decline co-signing, on their own account;
- the congress office of the body (staff whose region covers it): register, refuse,
  merge, assign (also at an assignment meeting), decide the extension, mark 重点督办,
  withhold from publication; and, on a unit's behalf, record what the unit did;
- the lead unit's clerk (主办): plan, the three contacts, ask for the extension, reply,
  report on a promise (回头看); every assigned unit's clerk: send a misrouted one back;
  a co-handling unit's clerk: give its view to the lead;
- leaders (and the 领衔督办 supervisor among them): read only.
"""

from __future__ import annotations

from accounts.roles import CONGRESS_STAFF, STAFF, Role, holds
from tenancy.scope import scope_of


def signed_in(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def deputy_ids_of(actor) -> frozenset[int]:
    return scope_of(actor).write.deputy_ids if signed_in(actor) else frozenset()


def unit_ids_of(actor) -> frozenset[int]:
    return scope_of(actor).write.unit_ids if signed_in(actor) else frozenset()


# --- Relations -------------------------------------------------------------------------


def is_author(actor, proposal) -> bool:
    return proposal.author_id in deputy_ids_of(actor)


def is_office(actor, proposal) -> bool:
    """Staff (not leaders) whose region covers the body."""
    return (
        signed_in(actor)
        and holds(actor, STAFF)
        and scope_of(actor).covers_path(proposal.region_path, for_write=True)
    )


def may_keep_office_anywhere(actor) -> bool:
    scope = scope_of(actor)
    return signed_in(actor) and (
        scope.everything or (holds(actor, STAFF) and bool(scope.write.region_paths))
    )


def can_keep_office_of(actor, region) -> bool:
    """Hold a body's assignment meetings and settings: its staff (or staff above)."""
    return (
        signed_in(actor)
        and holds(actor, STAFF)
        and scope_of(actor).covers_path(region.path, for_write=True)
    )


def may_raise_proposals(actor) -> bool:
    """Whether the actor writes formal suggestions (a deputy's account)."""
    return bool(deputy_ids_of(actor))


def may_handle_proposals(actor) -> bool:
    """Whether the actor records contacts and replies at all (a unit's clerk, or congress
    staff recording for it); decided before a request's body is read."""
    return signed_in(actor) and holds(actor, (Role.UNIT_CLERK, *STAFF))


def acting_deputy(actor):
    """The deputy record the actor writes as (the first of their deputy grants)."""
    from deputies.models import Deputy

    ids = sorted(deputy_ids_of(actor))
    return Deputy.objects.filter(pk__in=ids).order_by("pk").first() if ids else None


def pending_cosignature(actor, proposal):
    """The actor's own invitation to co-sign, still unanswered."""
    ids = deputy_ids_of(actor)
    if not ids:
        return None
    return next(
        (c for c in proposal.cosignatures.all() if c.deputy_id in ids and c.status == "invited"),
        None,
    )


def _assignments(proposal):
    cached = getattr(proposal, "_prefetched_objects_cache", {}).get("assignments")
    return cached if cached is not None else list(proposal.assignments.all())


def lead_of_round(proposal):
    """The lead assignment now running or answered (not returned or withdrawn)."""
    return next(
        (a for a in _assignments(proposal) if a.role == "lead" and a.status in ("active", "done")),
        None,
    )


def is_lead_clerk(actor, proposal) -> bool:
    lead = lead_of_round(proposal)
    return lead is not None and lead.unit_id in unit_ids_of(actor)


# --- Predicates the workflow table names ----------------------------------------------------


def can_edit_proposal(actor, proposal, **_) -> bool:
    """Write, change, gather co-signers for and submit a draft: its author."""
    return is_author(actor, proposal)


def can_answer_cosign(actor, proposal, **_) -> bool:
    """Confirm or decline co-signing: the invited deputy, on their own account."""
    return pending_cosignature(actor, proposal) is not None


def can_manage_proposal(actor, proposal, **_) -> bool:
    """Register, refuse, merge, assign, extension, 重点督办, publication: the office."""
    return is_office(actor, proposal)


def can_handle_proposal(actor, proposal, **_) -> bool:
    """Plan, contacts, extension request, reply, 回头看: the lead unit's clerk, or the office
    recording it on the unit's behalf."""
    return is_lead_clerk(actor, proposal) or is_office(actor, proposal)


def can_return_assignment(actor, proposal, *, assignment=None, **_) -> bool:
    """Send a misrouted assignment back: the clerk of that unit (or the office for it)."""
    if assignment is None or assignment.proposal_id != proposal.pk:
        return False
    return assignment.unit_id in unit_ids_of(actor) or is_office(actor, proposal)


def can_give_co_view(actor, proposal, *, assignment=None, **_) -> bool:
    """A co-handling unit's view to the lead: that unit's clerk (or the office for it)."""
    if assignment is None or assignment.proposal_id != proposal.pk or assignment.role != "co":
        return False
    return assignment.unit_id in unit_ids_of(actor) or is_office(actor, proposal)


def can_rate_proposal(actor, proposal, **_) -> bool:
    """Rate the reply (attitude and result): the author, or the office entering the
    author's returned paper form (代表意见征询表)."""
    return is_author(actor, proposal) or is_office(actor, proposal)


def can_record_paper_proposal(actor, region) -> bool:
    """Enter a proposal handed in on paper (often during the session): the body's office."""
    return can_keep_office_of(actor, region)


def can_raise_from_suggestion(actor, suggestion) -> bool:
    """ "转为代表建议" on a concern: the deputy who handled it (it came through their code,
    or they answered it)."""
    return suggestion.deputy_id is not None and suggestion.deputy_id in deputy_ids_of(actor)


def is_supervisor_of(actor, proposal) -> bool:
    return signed_in(actor) and proposal.supervisor_id == actor.pk


# --- People ---------------------------------------------------------------------------------


def office_staff(region):
    """Active congress staff bound to the body's own region: who a submitted proposal reaches."""
    from accounts.models import User

    return User.objects.filter(
        is_active=True,
        role_assignments__role__in=list(CONGRESS_STAFF),
        role_assignments__region=region,
    ).distinct()


def supervisor_candidates(region):
    """Leaders bound to the body's region or above it: who may lead the supervision."""
    from accounts.models import User

    codes = [c for c in region.path.split("/") if c]
    paths = ["".join(f"{c}/" for c in codes[: i + 1]) for i in range(len(codes))]
    return (
        User.objects.filter(
            is_active=True,
            role_assignments__role=Role.LEADER,
            role_assignments__region_path__in=paths,
        )
        .distinct()
        .order_by("username")
    )
