"""Deadlines for public suggestions, in Chinese working days.

Which numbers apply comes from `SLAProfile` (nearest region up the tree wins, a
category's own profile beats the general one there); how a date is counted comes
from `calendars.services` (working days skip statutory holidays and count make-up
weekends). A deadline is stored with a small spec ("wd:10", "m:1", "wd:10+wd:5")
and its start, so when the holiday calendar changes, provisional dates are counted
again by `recompute_provisional`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from calendars.deadlines import Deadline, apply_spec, compute, describe, extend_spec  # noqa: F401
from core import clock
from regions.models import Region

from .models import Assignment, Category, SLAProfile, Suggestion, SuggestionEvent

logger = logging.getLogger("lianxin.suggestions")

# 12345 hotline practice: enquiries and urgent utilities 5 working days, help and
# suggestions 10, complaints and hard cases 15.
DEFAULT_REPLY_DAYS = {
    Category.ROADS: 10,
    Category.GAS: 5,
    Category.WATER: 5,
    Category.HEATING: 5,
    Category.DRAINAGE: 10,
    Category.PARKING: 10,
    Category.OLD_HOUSING: 15,
    Category.SCHOOLS: 10,
    Category.ELDERLY_CARE: 10,
    Category.ENVIRONMENT: 10,
    Category.EMPLOYMENT: 15,
    Category.OTHER: 10,
}
DEFAULT_ACKNOWLEDGE_DAYS = 2
DEFAULT_RETURN_DAYS = 2
DEFAULT_REHANDLE_MONTHS = 1
# Handling units are reminded this many working days before a deadline.
DEFAULT_REMIND_DAYS = 2


@dataclass(frozen=True)
class Terms:
    """The deadline numbers that apply to one suggestion, and where they came from."""

    acknowledge_days: int
    return_days: int
    reply_days: int
    rehandle_months: int
    source: str
    remind_days_before: int = DEFAULT_REMIND_DAYS


def _ancestor_paths(path: str) -> list[str]:
    codes = [code for code in path.split("/") if code]
    return ["".join(f"{code}/" for code in codes[: i + 1]) for i in range(len(codes))]


def terms_for(region: Region, category: str) -> Terms:
    """The SLA terms for a suggestion in `region` (one query)."""
    profiles = list(
        SLAProfile.objects.filter(
            region_path__in=_ancestor_paths(region.path), category__in=[category, ""]
        ).select_related("region")
    )
    if profiles:
        # Nearest region first; there, the category's own profile first.
        profiles.sort(key=lambda p: (-len(p.region_path), p.category == ""))
        best = profiles[0]
        label = best.get_category_display() if best.category else _("所有类别")
        return Terms(
            acknowledge_days=best.acknowledge_days,
            return_days=best.return_days,
            reply_days=best.reply_days,
            rehandle_months=best.rehandle_months,
            source=f"{best.region.name}·{label}",
            remind_days_before=best.remind_days_before,
        )
    return Terms(
        acknowledge_days=DEFAULT_ACKNOWLEDGE_DAYS,
        return_days=DEFAULT_RETURN_DAYS,
        reply_days=DEFAULT_REPLY_DAYS.get(category, 10),
        rehandle_months=DEFAULT_REHANDLE_MONTHS,
        source=_("系统默认"),
    )


# --- Recomputing after the holiday calendar changed ---------------------------


def _recompute(
    model, *, date_field, spec_field, start_field, flag_field, region_field, years, path, calendar
):
    """Recount one kind of provisional due date; returns {pk: (old, new)} of moved rows.

    Rows are grouped by (start, spec, region): each group is counted once and
    updated with one UPDATE, whatever the number of rows in it.
    """
    years = sorted(set(years))
    year_filter = Q()
    for year in years:
        year_filter |= Q(**{f"{date_field}__year": year}) | Q(**{f"{start_field}__year": year})
    base = model.objects.filter(year_filter, **{flag_field: True}).exclude(**{spec_field: ""})
    if path:
        # A regional change (a minority holiday) touches that subtree only.
        path_field = "region_path" if model is Suggestion else "suggestion__region_path"
        base = base.filter(**{f"{path_field}__startswith": path})
    groups = base.order_by().values_list(start_field, spec_field, region_field).distinct()
    regions = {r.pk: r for r in Region.objects.filter(pk__in={g[2] for g in groups})}
    moved: dict[int, tuple] = {}
    for start, spec, region_id in groups:
        date, provisional = apply_spec(spec, start, regions.get(region_id), calendar)
        rows = base.filter(**{start_field: start, spec_field: spec, region_field: region_id})
        for pk, old in rows.exclude(**{date_field: date}).values_list("pk", date_field):
            moved[pk] = (old, date)
        changes = {date_field: date, flag_field: provisional}
        if any(field.name == "updated_at" for field in model._meta.concrete_fields):
            # A queryset update skips auto_now: say the rows changed, so that the
            # dashboards' five-minute rollup refresh counts their months again.
            changes["updated_at"] = clock.now()
        rows.update(**changes)
    return moved


def recompute_provisional(*, years, region_path: str = "") -> int:
    """Count provisional due dates in `years` again; returns how many moved.

    `region_path` limits the work to one subtree ("" for a national change).
    """
    from calendars.workdays import WorkingCalendar

    calendar = WorkingCalendar()
    with transaction.atomic():
        moved = _recompute(
            Suggestion,
            date_field="due_date",
            spec_field="due_spec",
            start_field="due_start",
            flag_field="due_provisional",
            region_field="region_id",
            years=years,
            path=region_path,
            calendar=calendar,
        )
        for prefix in ("acknowledge", "return"):
            _recompute(
                Assignment,
                date_field=f"{prefix}_due",
                spec_field=f"{prefix}_spec",
                start_field="due_start",
                flag_field=f"{prefix}_provisional",
                region_field="suggestion__region_id",
                years=years,
                path=region_path,
                calendar=calendar,
            )
        SuggestionEvent.objects.bulk_create(
            [
                SuggestionEvent(
                    suggestion_id=pk,
                    kind=SuggestionEvent.Kind.DEADLINE_CHANGED,
                    actor_label=_("系统"),
                    public_text=_("因节假日安排调整，答复期限调整为%(date)s。")
                    % {"date": new.isoformat()},
                    staff_text=_("节假日安排调整，答复期限由%(old)s调整为%(new)s。")
                    % {"old": old.isoformat(), "new": new.isoformat()},
                    data={"old": old.isoformat(), "new": new.isoformat()},
                )
                for pk, (old, new) in moved.items()
            ]
        )
    if moved:
        logger.info("recounted %s provisional reply deadlines for %s", len(moved), years)
    return len(moved)


def on_calendar_changed(sender=None, years=None, region_path: str = "", **kwargs) -> None:
    """Receiver of `calendars.signals.calendar_changed`: queue the recount.

    The signal is sent inside the calendar editor's transaction; the recount runs
    in a worker through the outbox, so it commits (or not) with the change.
    """
    if years:
        from core.outbox import enqueue

        enqueue(
            "suggestions.tasks.recompute_deadlines",
            years=sorted(years),
            region_path=region_path or "",
        )
