"""Who may act on appointments, report-backs, groups' activities, contacts and duties.

The tenancy gate (`Model.objects.visible_to`) decides what a user sees; these
predicates decide what they may do. The workflow tables (`appointments/workflow.py`)
name them; services, pages and the API ask the tables.

- a booking is answered (confirm, another time, decline) and recorded as held by
  the deputy booked, the station's officer, or congress staff over the station;
  the citizen's phone shows in full only to the deputy and the station's officer;
- a meeting with a body's head is asked for by a deputy (for themselves and
  others) or by staff; the office (staff over the body's region) reviews it; the
  body's clerks (or staff for them) fix the date, record the minutes and answer;
  each deputy named rates the answer once;
- a report-back is kept by the station's officer or staff over the station;
- groups' activities, leaders' station days: the station's officer or staff;
- standing-committee members' contacts and other duties: staff;
- leaders read and never write; citizens act only through their receipt link.
"""

from __future__ import annotations

from accounts.roles import STAFF, holds
from tenancy.scope import granted_ids, scope_of


def signed_in(actor) -> bool:
    return actor is not None and getattr(actor, "is_authenticated", False)


def staff_over(actor, path: str) -> bool:
    return (
        signed_in(actor)
        and holds(actor, STAFF)
        and scope_of(actor).covers_path(path, for_write=True)
    )


def may_staff_write(actor) -> bool:
    """Congress staff who write somewhere (the 'new' buttons of staff-only registers)."""
    scope = scope_of(actor)
    return signed_in(actor) and (
        scope.everything or (holds(actor, STAFF) and bool(scope.write.region_paths))
    )


def station_officer_of(actor, station_id: int | None) -> bool:
    return (
        signed_in(actor) and station_id is not None and station_id in granted_ids(actor, "station")
    )


def own_deputy_ids(actor) -> frozenset[int]:
    if not signed_in(actor):
        return frozenset()
    return frozenset(scope_of(actor).write.deputy_ids)


def is_citizen(actor, *_args, **_context) -> bool:
    """No account: the citizen on their receipt page (the token proved the booking)."""
    return not signed_in(actor)


# --- Bookings -----------------------------------------------------------------------


def can_answer_booking(actor, booking, **_) -> bool:
    """The deputy booked, the station's officer, or staff over the station."""
    return (
        booking.deputy_id in own_deputy_ids(actor)
        or station_officer_of(actor, booking.station_id)
        or staff_over(actor, booking.region_path)
    )


def can_see_booking_phone(actor, booking) -> bool:
    """The citizen's full phone number: only the deputy booked and the station's officer."""
    return booking.deputy_id in own_deputy_ids(actor) or station_officer_of(
        actor, booking.station_id
    )


def can_set_slot_capacity(actor, slot) -> bool:
    return station_officer_of(actor, slot.station_id) or staff_over(actor, slot.region_path)


# --- Meetings with the heads of bodies ------------------------------------------------


def may_request_meeting(actor) -> bool:
    return bool(own_deputy_ids(actor)) or may_staff_write(actor)


def can_request_meeting_for(actor, deputies) -> bool:
    """A deputy asks with others (they must be among them), or staff over each deputy."""
    deputies = list(deputies)
    mine = own_deputy_ids(actor)
    if mine and any(d.pk in mine for d in deputies):
        return True
    return bool(deputies) and all(staff_over(actor, d.region_path) for d in deputies)


def can_review_meeting(actor, request, **_) -> bool:
    """The congress office whose region the body belongs to."""
    return staff_over(actor, request.region_path)


def _unit_clerk(actor, request) -> bool:
    return signed_in(actor) and request.unit_id in granted_ids(actor, "unit")


def can_keep_meeting(actor, request, **_) -> bool:
    """The body's clerks fix the date, record minutes and answer; the office may for them."""
    return _unit_clerk(actor, request) or staff_over(actor, request.region_path)


def rating_deputy(actor, request):
    """The deputy of the actor among the request's, who has not rated yet (or None)."""
    mine = own_deputy_ids(actor)
    if not mine:
        return None
    rated = {r.deputy_id for r in request.ratings.all()}
    for deputy in request.deputies.all():
        if deputy.pk in mine and deputy.pk not in rated:
            return deputy
    return None


def can_rate_meeting(actor, request, **_) -> bool:
    return rating_deputy(actor, request) is not None


# --- Report-backs -------------------------------------------------------------------


def can_schedule_report_back(actor, station) -> bool:
    return station_officer_of(actor, station.pk) or staff_over(actor, station.region_path)


def can_keep_report_back(actor, report_back, **_) -> bool:
    return station_officer_of(actor, report_back.station_id) or staff_over(
        actor, report_back.region_path
    )


def may_schedule_report_backs(actor) -> bool:
    return may_staff_write(actor) or bool(granted_ids(actor, "station"))


def can_vote(actor, report_back, **_) -> bool:
    """Anyone present votes from their phone; the poll's window and one vote per phone
    are the conditions (`workflow._poll_open`)."""
    return True


# --- Groups, leaders' days, contacts, other duties --------------------------------------


def can_keep_group(actor, group) -> bool:
    return station_officer_of(actor, group.station_id) or staff_over(actor, group.region_path)


def can_record_at_station(actor, station) -> bool:
    return station_officer_of(actor, station.pk) or staff_over(actor, station.region_path)


def may_record_at_stations(actor) -> bool:
    return may_staff_write(actor) or bool(granted_ids(actor, "station"))


def can_bind_member(actor, deputy) -> bool:
    return staff_over(actor, deputy.region_path)


def can_record_contact(actor, binding) -> bool:
    return staff_over(actor, binding.region_path)


def can_record_duty_event(actor, region) -> bool:
    return staff_over(actor, region.path)


# --- Who is told / who may be chosen (role lookups live here, with the roles) -----------


def office_staff(region) -> list:
    """Congress staff bound to `region` itself (its office): told of requests and flags."""
    from accounts.models import User
    from accounts.roles import STAFF_ROLE_LEVEL

    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__role__in=list(STAFF_ROLE_LEVEL),
            role_assignments__region_id=region.pk,
        ).distinct()
    )


def is_committee_member(user) -> bool:
    """A standing-committee member keeps contact with deputies from a leader account."""
    from accounts.roles import Role

    return user is not None and holds(user, {Role.LEADER})


def committee_members(region_path: str):
    """Leader accounts bound to `region_path` or a region above it (for the choices)."""
    from accounts.models import User
    from accounts.roles import Role

    prefixes = []
    parts = [p for p in region_path.split("/") if p]
    for i in range(1, len(parts) + 1):
        prefixes.append("/".join(parts[:i]) + "/")
    return (
        User.objects.filter(
            is_active=True,
            role_assignments__role=Role.LEADER,
            role_assignments__region__path__in=prefixes,
        )
        .distinct()
        .order_by("full_name", "pk")
    )


def is_leader_for(user, station) -> bool:
    """A leader account bound to the station's region or above (领导干部进站)."""
    return committee_members(station.region_path).filter(pk=getattr(user, "pk", None)).exists()


def may_act_anywhere(actor) -> bool:
    """Whether the actor writes anything at all (a leader does not: refused up front)."""
    scope = scope_of(actor)
    return signed_in(actor) and (scope.everything or bool(scope.write))
