"""Reads of appointments: bookable days, quarters, summaries, dashboard figures.

Callers pass querysets they already scoped (`visible_to(user)`); every function
loads what it needs in a fixed number of queries.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from core import clock
from deputies.models import Deputy, DeputyGroup
from duties.models import DutyReport

from .models import (
    Booking,
    BookingSlot,
    GroupActivity,
    LeaderVisit,
    LiaisonBinding,
    LiaisonContact,
    MeetingRequest,
    ReportBack,
)

BOOKING_LOOKAHEAD_DAYS = 45


def booking_rows(bookings: QuerySet, params) -> QuerySet:
    """The booking list's rows for its parameters (`status`): the list and the station
    officer's workbench counts read them here."""
    status = params.get("status", "")
    if status in Booking.Status.values:
        bookings = bookings.filter(status=status)
    return bookings


def slot_capacity() -> int:
    """Places per reception day until someone sets the day's own (APPOINTMENT_SLOT_CAPACITY)."""
    return int(getattr(settings, "APPOINTMENT_SLOT_CAPACITY", 5))


@dataclass(frozen=True)
class BookableDay:
    deputy: Deputy
    station_name: str
    rule_id: int
    date: datetime.date
    start_time: datetime.time | None
    end_time: datetime.time | None
    left: int

    @property
    def key(self) -> str:
        return f"{self.rule_id}:{self.date.isoformat()}"


def bookable_days(deputy: Deputy, *, limit: int = 8) -> list[BookableDay]:
    """The deputy's next reception days with the places left (today excluded: a day
    booked today could not be confirmed in time)."""
    from receptions.selectors import duty_days_between

    start = clock.today() + datetime.timedelta(days=1)
    days = duty_days_between(deputy, start, start + datetime.timedelta(days=BOOKING_LOOKAHEAD_DAYS))
    days = [d for d in days if d.rule_id][:limit]
    slots = {
        (s.rule_id, s.date): s
        for s in BookingSlot.objects.filter(
            deputy=deputy, date__gte=start, rule_id__in={d.rule_id for d in days}
        )
    }
    default = slot_capacity()
    made = []
    for day in days:
        slot = slots.get((day.rule_id, day.date))
        made.append(
            BookableDay(
                deputy=deputy,
                station_name=day.station.name,
                rule_id=day.rule_id,
                date=day.date,
                start_time=day.start_time,
                end_time=day.end_time,
                left=slot.left if slot else default,
            )
        )
    return made


def parse_day_key(value: str) -> tuple[int, datetime.date] | None:
    rule, _sep, day = (value or "").partition(":")
    try:
        return int(rule), datetime.date.fromisoformat(day)
    except ValueError:
        return None


def meeting_units(units: QuerySet, deputies: QuerySet) -> QuerySet:
    """The bodies the given deputies may ask to meet: those of their region or above."""
    prefixes = set()
    for path in deputies.values_list("region_path", flat=True).distinct().order_by()[:500]:
        parts = [p for p in path.split("/") if p]
        prefixes.update("/".join(parts[:i]) + "/" for i in range(1, len(parts) + 1))
    return units.filter(region_path__in=sorted(prefixes)).order_by("region_path", "name")


# --- Quarters and groups ------------------------------------------------------------------


def quarter_of(day: datetime.date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    start = datetime.date(year, 3 * (quarter - 1) + 1, 1)
    end_month = 3 * quarter
    end = (
        datetime.date(year + 1, 1, 1) if end_month == 12 else datetime.date(year, end_month + 1, 1)
    ) - datetime.timedelta(days=1)
    return start, end


def previous_quarter(day: datetime.date) -> tuple[int, int]:
    year, quarter = quarter_of(day)
    return (year - 1, 4) if quarter == 1 else (year, quarter - 1)


def quiet_groups(groups: QuerySet, start: datetime.date, end: datetime.date) -> QuerySet:
    """Groups that held no activity between `start` and `end`."""
    held = GroupActivity.objects.filter(group=OuterRef("pk"), date__gte=start, date__lte=end)
    return groups.annotate(held=Exists(held)).filter(held=False).select_related("region")


def groups_with_quarter(groups: QuerySet, year: int, quarter: int) -> list:
    """Each group with its activities in the quarter (count) and a quiet flag."""
    start, end = quarter_bounds(year, quarter)
    rows = list(
        groups.select_related("region", "station").annotate(
            held=Count(
                "group_activities",
                filter=Q(group_activities__date__gte=start, group_activities__date__lte=end),
            ),
            member_count=Count("members", distinct=True),
        )
    )
    return rows


def group_activities(group: DeputyGroup) -> list[dict]:
    """The group's activities with attendance (members present / members)."""
    members = set(group.members.values_list("pk", flat=True))
    links = list(
        GroupActivity.objects.filter(group=group)
        .select_related("activity", "convenor")
        .prefetch_related("activity__deputies")
    )
    made = []
    for link in links:
        present = [d for d in link.activity.deputies.all()]
        attended = sum(1 for d in present if d.pk in members)
        made.append(
            {
                "link": link,
                "activity": link.activity,
                "present": present,
                "attended": attended,
                "members": len(members),
            }
        )
    return made


# --- Report-backs -------------------------------------------------------------------------


def term_start() -> datetime.date:
    value = getattr(settings, "DEPUTY_TERM_START", "2021-10-01")
    return datetime.date.fromisoformat(str(value))


def not_reported(deputies: QuerySet) -> QuerySet:
    """Serving deputies with no report-back to voters since the term began."""
    reported = DutyReport.objects.filter(deputy=OuterRef("pk"), date__gte=term_start())
    return (
        deputies.filter(status=Deputy.Status.ACTIVE)
        .annotate(reported=Exists(reported))
        .filter(reported=False)
        .select_related("region")
        .order_by("region_path", "name")
    )


# --- Members' contacts (双联系) -------------------------------------------------------------


def liaison_summary(bindings: QuerySet, year: int, quarter: int) -> dict:
    """Per member: deputies bound, who was contacted in the quarter and who was not; per
    region: the same counted."""
    start, end = quarter_bounds(year, quarter)
    rows = list(
        bindings.filter(active=True)
        .select_related("member", "deputy", "region")
        .annotate(
            contacts_in_quarter=Count(
                "contacts", filter=Q(contacts__date__gte=start, contacts__date__lte=end)
            )
        )
        .order_by("member__full_name", "member_id", "deputy__name")
    )
    members: dict[int, dict] = {}
    regions: dict[int, dict] = defaultdict(lambda: {"region": None, "bound": 0, "contacted": 0})
    for row in rows:
        entry = members.setdefault(
            row.member_id, {"member": row.member, "contacted": [], "not_contacted": []}
        )
        (entry["contacted"] if row.contacts_in_quarter else entry["not_contacted"]).append(row)
        region = regions[row.region_id]
        region["region"] = row.region
        region["bound"] += 1
        region["contacted"] += 1 if row.contacts_in_quarter else 0
    return {
        "members": list(members.values()),
        "regions": sorted(regions.values(), key=lambda r: r["region"].path),
        "start": start,
        "end": end,
    }


def recent_contacts(contacts: QuerySet, *, limit: int = 50) -> list[LiaisonContact]:
    return list(
        contacts.select_related("binding__member", "binding__deputy").order_by("-date", "-pk")[
            :limit
        ]
    )


# --- Leaders' station days and the dashboard ------------------------------------------------


CLOSED_STATES = ("closed",)


def leader_visit_figures(visits: QuerySet) -> dict:
    """Visits, people received, matters collected and closed (the figures of seed 003)."""
    totals = visits.aggregate(visits=Count("pk"), people=Sum("people_count"))
    matters = visits.aggregate(
        collected=Count("suggestions", distinct=True),
        closed=Count("suggestions", filter=Q(suggestions__status__in=CLOSED_STATES), distinct=True),
    )
    return {
        "visits": totals["visits"] or 0,
        "people": totals["people"] or 0,
        "collected": matters["collected"] or 0,
        "closed": matters["closed"] or 0,
        "leaders": visits.values("leader_id").distinct().count(),
    }


def dashboard_panel(user, region, period) -> dict | None:
    """The figures under `region` in `period`, read like the dashboard's own (from the
    replica when there is one), or None when there is none."""
    from congress_portal.db_router import replica_reads

    with replica_reads():
        return _dashboard_figures(user, region, period)


def _dashboard_figures(user, region, period) -> dict | None:
    start, end, path = period.start, period.end, region.path
    visits = LeaderVisit.objects.visible_to(user).filter(
        region_path__startswith=path, date__gte=start, date__lte=end
    )
    figures = leader_visit_figures(visits)
    bookings = Booking.objects.visible_to(user).filter(
        region_path__startswith=path, created_at__date__gte=start, created_at__date__lte=end
    )
    meetings = MeetingRequest.objects.visible_to(user).filter(
        region_path__startswith=path, created_at__date__gte=start, created_at__date__lte=end
    )
    reports = ReportBack.objects.visible_to(user).filter(
        region_path__startswith=path, starts_at__date__gte=start, starts_at__date__lte=end
    )
    booking_counts = bookings.aggregate(
        total=Count("pk"), held=Count("pk", filter=Q(status=Booking.Status.HELD))
    )
    meeting_counts = meetings.aggregate(
        total=Count("pk"),
        held=Count("pk", filter=Q(status__in=MEETING_HELD)),
    )
    report_counts = reports.aggregate(
        total=Count("pk", filter=~Q(status=ReportBack.Status.CANCELLED)),
        evaluated=Count("pk", filter=Q(status=ReportBack.Status.EVALUATED)),
        satisfied=Sum("satisfied"),
        basically=Sum("basically"),
        unsatisfied=Sum("unsatisfied"),
    )
    if not any(
        [
            figures["visits"],
            booking_counts["total"],
            meeting_counts["total"],
            report_counts["total"],
        ]
    ):
        return None
    good = (report_counts["satisfied"] or 0) + (report_counts["basically"] or 0)
    votes = good + (report_counts["unsatisfied"] or 0)
    return {
        "period": period,
        "leaders": figures,
        "bookings": booking_counts,
        "meetings": meeting_counts,
        "reports": report_counts,
        "satisfaction": round(100 * good / votes) if votes else None,
    }


MEETING_HELD = [
    MeetingRequest.Status.HELD,
    MeetingRequest.Status.ANSWERED,
    MeetingRequest.Status.CLOSED,
]


__all__ = ["LiaisonBinding"]
