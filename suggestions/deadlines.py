"""Deadlines for public suggestions, in Chinese working days.

Which numbers apply comes from `SLAProfile` (nearest region up the tree wins, a
category's own profile beats the general one there); how a date is counted comes
from `calendars.services` (working days skip statutory holidays and count make-up
weekends). A deadline is stored with a small spec ("wd:10", "m:1", "wd:10+wd:5")
and its start, so when the holiday calendar changes, provisional dates are counted
again by `move_deadlines` (every running one, not only provisional dates).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from calendars.deadlines import (  # noqa: F401
    Deadline,
    apply_spec,
    compute,
    describe,
    extend_spec,
    not_before,
)
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


# --- Moving the deadlines when the holiday calendar changes ---------------------


def _recompute(
    model,
    *,
    date_field,
    spec_field,
    start_field,
    running,
    region_field,
    years,
    path,
    calendar,
    today,
    apply,
):
    """Count one kind of running due date again; returns {pk: (old, new)} of moved rows.

    Rows are grouped by (start, spec, region): each group is counted once and
    updated with one UPDATE, whatever the number of rows in it. Passed deadlines
    stay where they are; none moves before today.
    """
    year_filter = Q()
    for year in years:
        year_filter |= Q(**{f"{date_field}__year": year}) | Q(**{f"{start_field}__year": year})
    base = (
        model.objects.filter(year_filter, running, **{f"{date_field}__gte": today})
        .exclude(**{spec_field: ""})
        .exclude(**{f"{start_field}__isnull": True})
    )
    if path:
        # A regional change (a minority holiday) touches that subtree only.
        path_field = "region_path" if model is Suggestion else "suggestion__region_path"
        base = base.filter(**{f"{path_field}__startswith": path})
    groups = base.order_by().values_list(start_field, spec_field, region_field).distinct()
    regions = {r.pk: r for r in Region.objects.filter(pk__in={g[2] for g in groups})}
    flag_field = "due_provisional" if model is Suggestion else f"{date_field[:-4]}_provisional"
    moved: dict[int, tuple] = {}
    for start, spec, region_id in groups:
        date, provisional = apply_spec(spec, start, regions.get(region_id), calendar)
        date = not_before(date, today)
        rows = base.filter(**{start_field: start, spec_field: spec, region_field: region_id})
        for pk, old in rows.exclude(**{date_field: date}).values_list("pk", date_field):
            moved[pk] = (old, date)
        if apply:
            # A counted model's update stamps `updated_at`: the dashboards' next
            # refresh counts the rows' months again.
            rows.update(**{date_field: date, flag_field: provisional})
    return moved


def move_deadlines(*, years, region_path="", calendar=None, today=None, apply=True) -> int:
    """The suggestions' mover (`calendars.deadlines.register_mover`): reply, signing and
    return deadlines counted again; returns how many deadlines moved.

    Each moved reply deadline gets a timeline entry the citizen reads too, and the
    clerks of the units handling it are told.
    """
    from calendars.workdays import WorkingCalendar

    calendar = calendar or WorkingCalendar()
    today = today or clock.today()
    common = {"years": sorted(set(years)), "path": region_path, "calendar": calendar}
    with transaction.atomic():
        moved = _recompute(
            Suggestion,
            date_field="due_date",
            spec_field="due_spec",
            start_field="due_start",
            running=Suggestion.REPLY_DUE.running_q(),
            region_field="region_id",
            today=today,
            apply=apply,
            **common,
        )
        signing = {}
        for prefix, running in (
            ("acknowledge", Assignment.ACKNOWLEDGE_DUE.running_q()),
            ("return", Assignment.ACKNOWLEDGE_DUE.running_q()),
        ):
            signing.update(
                _recompute(
                    Assignment,
                    date_field=f"{prefix}_due",
                    spec_field=f"{prefix}_spec",
                    start_field="due_start",
                    running=running,
                    region_field="suggestion__region_id",
                    today=today,
                    apply=apply,
                    **common,
                )
            )
        if apply and moved:
            _record_moves(moved)
        if apply and (moved or signing):
            _tell_units(moved, signing)
    if moved:
        logger.info("moved %s reply deadlines after a calendar change in %s", len(moved), years)
    return len(moved) + len(signing)


def _record_moves(moved: dict[int, tuple]) -> None:
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


def _tell_units(moved: dict[int, tuple], signing: dict[int, tuple]) -> None:
    """One notice per unit: how many of its deadlines moved."""
    from accounts.selectors import clerks_of_units
    from notifications.services import notify

    per_unit: dict[int, int] = {}
    assignments = Assignment.objects.filter(
        Q(suggestion_id__in=list(moved)) | Q(pk__in=list(signing)),
        status__in=Assignment.ACTIVE_STATUSES,
    ).values_list("unit_id", flat=True)
    for unit_id in assignments:
        per_unit[unit_id] = per_unit.get(unit_id, 0) + 1
    for unit_id, count in sorted(per_unit.items()):
        notify(
            recipients=list(clerks_of_units([unit_id])),
            kind="deadline_moved",
            title=_("节假日安排调整：%(n)s件事项的办理期限已变更") % {"n": count},
            body=_("请在待办列表中查看新的签收和答复期限。"),
            link=reverse("suggestions:unit_detail", kwargs={"unit_pk": unit_id}),
        )
