"""Who may read and write the reception schedule and the registers, on top of the gate.

- the schedule and the registers are read by staff, leaders, station officers and
  deputies (units have no part in them);
- an entry (a reception, a visit, an activity) is corrected by congress staff
  covering its region at any time, and by the person who recorded it or the
  station's officer within LOG_EDIT_WINDOW of recording it;
- a deputy logs receptions at the stations they are grouped into.
"""

from __future__ import annotations

import datetime

from accounts.roles import REGION_READERS, STATION_PEOPLE, holds
from core import clock
from tenancy.scope import granted_ids, scope_of, sees_only_own_record  # noqa: F401

# How long the recorder or the station's officer may correct an entry themselves.
LOG_EDIT_WINDOW = datetime.timedelta(hours=24)


def can_read_schedule(user) -> bool:
    return holds(user, REGION_READERS | STATION_PEOPLE)


can_read_registers = can_read_schedule


def deputy_ids_of(user) -> frozenset[int]:
    """The deputy records of a signed-in deputy."""
    return granted_ids(user, "deputy")


def officer_station_ids(user) -> frozenset[int]:
    return granted_ids(user, "station")


def is_log_staff(actor, obj) -> bool:
    """Congress staff whose write scope covers the entry's region."""
    from stations.permissions import is_staff_writer

    return is_staff_writer(actor) and scope_of(actor).covers_path(obj.region_path, for_write=True)


def can_edit_entry(actor, obj, *, now: datetime.datetime | None = None) -> bool:
    """Staff at any time; the recorder or the station's officer within the window."""
    if is_log_staff(actor, obj):
        return True
    now = now or clock.now()
    if now - obj.created_at > LOG_EDIT_WINDOW:
        return False
    station_id = getattr(obj, "station_id", None)
    officer = station_id is not None and station_id in officer_station_ids(actor)
    return officer or (obj.recorded_by_id is not None and obj.recorded_by_id == actor.pk)


def can_reveal_household_phone(actor, household) -> bool:
    """A household's number in full (audited): its deputy, the station's officer, staff
    writing over it; never a leader."""
    from tenancy.access import can_write

    return can_write(actor, household)
