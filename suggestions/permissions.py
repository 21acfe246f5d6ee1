"""Who may act on the people's suggestions (群众意见建议), on top of the tenancy gate.

The gate (`tenancy.access`) decides which rows a user sees; these predicates decide
what they may do with what they see. The workflow table (`suggestions/workflow.py`)
names one of them for each action; services, pages and the API ask the table.

- region staff (city/county/township staff, sysadmin) whose region covers the
  suggestion: everything except the citizen's own follow-up; they record steps for
  units and deputies without an account;
- the liaison officer of the suggestion's station: accept, reject, answer on the
  spot, handle locally, reply to and follow up what the station handles itself;
- the deputy whose code it came through: answer on the spot, follow up;
- a handling unit's clerk: sign, return, ask for an extension and (lead unit only)
  reply, for what was assigned to their unit;
- leaders: nothing (read-only);
- the citizen (actor None, after proving code and phone digits on the tracking
  page): rate the reply.
"""

from __future__ import annotations

from tenancy.scope import scope_of


def _signed_in(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


# --- Relations between an actor and a suggestion ------------------------------------


def is_region_staff(actor, suggestion) -> bool:
    """Staff (not leaders) whose region covers the suggestion."""
    return scope_of(actor).covers_path(suggestion.region_path, for_write=True)


def is_station_officer(actor, suggestion) -> bool:
    scope = scope_of(actor)
    return suggestion.station_id is not None and suggestion.station_id in scope.write.station_ids


def is_deputy_of(actor, suggestion) -> bool:
    scope = scope_of(actor)
    return suggestion.deputy_id is not None and suggestion.deputy_id in scope.write.deputy_ids


def is_unit_clerk(actor, unit_id: int | None) -> bool:
    return unit_id is not None and unit_id in scope_of(actor).write.unit_ids


def lead_assignment(suggestion):
    """The running lead assignment, from the prefetched list when there is one."""
    from .models import Assignment

    cached = getattr(suggestion, "_prefetched_objects_cache", {}).get("assignments")
    rows = cached if cached is not None else suggestion.assignments.all()
    return next(
        (a for a in rows if a.role == Assignment.Role.LEAD and a.is_active),
        None,
    )


def is_handler(actor, suggestion) -> bool:
    """Who handles it now: the lead unit's clerk when assigned, else the station's officer."""
    from .models import Suggestion

    if suggestion.handling == Suggestion.Handling.ASSIGNED:
        lead = lead_assignment(suggestion)
        return lead is not None and is_unit_clerk(actor, lead.unit_id)
    return is_station_officer(actor, suggestion)


# --- Predicates the workflow table names ---------------------------------------------


def can_register_suggestion(actor, *, region=None, station_id=None, deputy=None) -> bool:
    """Record a suggestion received at a reception, by phone or mail, for a place one covers."""
    grants = scope_of(actor).write
    return bool(
        (region is not None and scope_of(actor).covers_path(region.path, for_write=True))
        or (station_id is not None and station_id in grants.station_ids)
        or (deputy is not None and deputy.pk in grants.deputy_ids)
    )


def may_register_suggestions(actor) -> bool:
    """Whether the actor records suggestions anywhere (the 'new' page)."""
    scope = scope_of(actor)
    return scope.everything or bool(
        scope.write.region_paths or scope.write.station_ids or scope.write.deputy_ids
    )


def can_triage_suggestion(actor, suggestion, **_) -> bool:
    """Accept, refuse or handle locally: region staff or the station's officer."""
    return is_region_staff(actor, suggestion) or is_station_officer(actor, suggestion)


def can_answer_suggestion(actor, suggestion, **_) -> bool:
    """Answer on the spot: the deputy, the station's officer, or staff recording it."""
    return (
        is_deputy_of(actor, suggestion)
        or is_station_officer(actor, suggestion)
        or is_region_staff(actor, suggestion)
    )


def can_assign_suggestion(actor, suggestion, **_) -> bool:
    """Assign to units, merge duplicates, decide extensions: region staff."""
    return is_region_staff(actor, suggestion)


can_merge_suggestion = can_assign_suggestion
can_decide_extension = can_assign_suggestion


def can_handle_suggestion(actor, suggestion, **_) -> bool:
    """Reply or ask for more time: the handler, or region staff on the handler's behalf."""
    return is_region_staff(actor, suggestion) or is_handler(actor, suggestion)


def can_follow_up_suggestion(actor, suggestion, **_) -> bool:
    """Record the follow-up: staff, the station's officer, the deputy; or the citizen."""
    if not _signed_in(actor):
        return True  # the tracking page checked the citizen's proof before calling
    return (
        is_region_staff(actor, suggestion)
        or is_station_officer(actor, suggestion)
        or is_deputy_of(actor, suggestion)
    )


def can_act_for_assignment(actor, assignment, *, suggestion, **_) -> bool:
    """Sign for or send back an assignment: the unit's clerk, or region staff for the unit."""
    return is_unit_clerk(actor, assignment.unit_id) or is_region_staff(actor, suggestion)


def acts_for_unit(actor, unit_id: int | None, suggestion) -> bool:
    """Region staff acting in the place of a unit they are not clerks of (代签收, 代答复)."""
    return not is_unit_clerk(actor, unit_id) and is_region_staff(actor, suggestion)


def can_reveal_phone(actor, suggestion) -> bool:
    """See the citizen's full number (audited): staff, the station's officer, the deputy."""
    return (
        is_region_staff(actor, suggestion)
        or is_station_officer(actor, suggestion)
        or is_deputy_of(actor, suggestion)
    )


def can_reveal_constituent(actor, constituent) -> bool:
    """From the constituents directory: region staff covering the person's county."""
    return scope_of(actor).covers_path(constituent.region_path, for_write=True)


def can_manage_region(actor, region) -> bool:
    """Keep a region's directories (units, templates, deadline rules): its staff."""
    return scope_of(actor).covers_path(region.path, for_write=True)


def may_manage_directories(actor) -> bool:
    """Staff who may edit directories and settings somewhere (not leaders, not clerks)."""
    scope = scope_of(actor)
    return scope.everything or bool(scope.write.region_paths)
