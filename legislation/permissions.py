"""Who may act on consultations and comments, on top of the tenancy gate.

The gate (`legislation.models` visibility, through `tenancy`) decides what a user
sees; these predicates decide what they may do with it. The workflow tables
(`legislation/workflow.py`) name them; services, pages and the API ask the tables.

- congress staff (and system administrators) of a region publish consultations
  there and keep them (`can_manage_consultation`);
- a point's part (recording offline comments, importing them, the summary, sending,
  marking adopted comments, the feedback, meetings) is kept by the point's liaison
  officer, or by congress staff whose region covers the point (the county's office
  for its points: `can_keep_participation`);
- the collectors' register of a point: the same people (`can_keep_collectors`);
- a deputy grouped into a point comments there in their own name;
- anyone, without an account, comments through the point's public page;
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


def may_write_somewhere(actor) -> bool:
    """Whether the actor writes anything at all (a leader does not: refused up front)."""
    scope = scope_of(actor)
    return signed_in(actor) and (scope.everything or bool(scope.write))


def may_publish_consultations(actor) -> bool:
    """Whether the actor publishes consultations anywhere (the 'new' page)."""
    scope = scope_of(actor)
    return signed_in(actor) and (
        scope.everything or (holds(actor, STAFF) and bool(scope.write.region_paths))
    )


def can_publish_in(actor, region) -> bool:
    """Publish a consultation for `region`: its staff (or staff above it)."""
    return _staff_over(actor, region.path)


def can_manage_consultation(actor, consultation, **_) -> bool:
    """Edit, give the text, choose the points, publish: staff over the issuing region."""
    return _staff_over(actor, consultation.region_path)


def is_point_officer(actor, station_id: int) -> bool:
    return signed_in(actor) and station_id in scope_of(actor).write.station_ids


def can_keep_participation(actor, participation, **_) -> bool:
    """A point's part: its officer, or staff whose region covers the point."""
    return is_point_officer(actor, participation.station_id) or _staff_over(
        actor, participation.region_path
    )


def can_keep_collectors(actor, station) -> bool:
    """The collectors' register of a point: its officer, or staff over the point."""
    return is_point_officer(actor, station.pk) or _staff_over(actor, station.region_path)


def may_keep_collectors(actor) -> bool:
    """Whether the actor keeps a collectors' register anywhere (the 'new' button)."""
    scope = scope_of(actor)
    return signed_in(actor) and (
        scope.everything
        or bool(scope.write.station_ids)
        or (holds(actor, STAFF) and bool(scope.write.region_paths))
    )


def deputy_at_point(actor, participation):
    """The actor's deputy record, if the actor is a deputy grouped into the point now."""
    from deputies.models import Deputy, StationMembership, current_membership_q

    if not signed_in(actor) or not scope_of(actor).write.deputy_ids:
        return None
    membership = (
        StationMembership.objects.filter(
            current_membership_q(),
            station_id=participation.station_id,
            deputy_id__in=scope_of(actor).write.deputy_ids,
            deputy__status=Deputy.Status.ACTIVE,
        )
        .select_related("deputy")
        .order_by("deputy_id")
        .first()
    )
    return membership.deputy if membership else None


def can_comment(actor, participation, **_) -> bool:
    """Comment in one's own name: anyone without an account (the public page), or a
    deputy grouped into the point."""
    if not signed_in(actor):
        return True
    return deputy_at_point(actor, participation) is not None


def can_reveal_collector_phone(actor, collector) -> bool:
    """A collector's number in full (audited): whoever keeps the point's register."""
    return can_keep_collectors(actor, collector.station)
