"""Editing the working-day calendar: holidays and make-up days, and years marked complete.

The arithmetic over the calendar lives in `calendars.workdays`. Writes
(`calendar_override_*`, `calendar_year_set_complete`) are audited and send
`calendars.signals.calendar_changed`. Who may write
(`calendars.permissions`):

- a superuser: anything, including national rows (region empty);
- a system administrator (role sysadmin): regional rows for regions inside the
  subtree they administer, their own region included. A province-level
  administrator covers its province by choosing the province as the region.
- National rows are for superusers only: they change deadlines on every tenant of
  the platform, other provinces included, which no regional administrator may do.
- nobody else.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record, diff, snapshot
from regions.models import Region

from .deadlines import move_open_deadlines
from .models import CalendarOverride, CalendarYear
from .permissions import may_write_region
from .signals import calendar_changed
from .workdays import ONE_DAY, region_path_of

OVERRIDE_FIELDS = ["date", "kind", "name", "region"]
# Editing ranges by hand is for holiday blocks (the longest, 春节, is 9 days).
MAX_RANGE_DAYS = 31


def _ensure_may_write(actor, region: Region | None) -> None:
    if not may_write_region(actor, region):
        raise PermissionDenied


def _ensure_free(day: datetime.date, region: Region | None, *, exclude_pk=None) -> None:
    clash = CalendarOverride.objects.filter(date=day, region=region)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError(
            {"date": _("%(date)s 在该适用范围内已有调整记录。") % {"date": day.isoformat()}}
        )


_preview = threading.local()


def _changed(*, years, region: Region | None) -> None:
    collected = getattr(_preview, "changes", None)
    if collected is not None:  # a preview: note what would change, queue nothing
        collected.append((sorted(set(years)), region_path_of(region)))
        return
    # One sender for every kind of change, so a receiver connects once.
    calendar_changed.send(
        sender=CalendarOverride, years=sorted(set(years)), region_path=region_path_of(region)
    )


def calendar_change_preview(write: Callable[[], object]) -> int:
    """How many open deadlines the change `write()` would move (a call of one of the
    writers below); the change is made in a transaction that is rolled back, so the
    count comes from the same movers that will run after the real save."""
    _preview.changes = []
    with transaction.atomic():
        try:
            write()
        finally:
            changes, _preview.changes = _preview.changes, None
        moved = sum(
            sum(move_open_deadlines(years=years, region_path=path, apply=False).values())
            for years, path in changes
        )
        transaction.set_rollback(True)
    return moved


def calendar_overrides_create(
    *,
    actor,
    start: datetime.date,
    end: datetime.date | None = None,
    kind: str,
    name: str,
    region: Region | None = None,
) -> list[CalendarOverride]:
    """Add one override per day from `start` to `end` (inclusive; default: `start` only)."""
    _ensure_may_write(actor, region)
    end = end or start
    if end < start:
        raise ValidationError({"end": _("截止日期不能早于开始日期。")})
    if (end - start).days >= MAX_RANGE_DAYS:
        raise ValidationError({"end": _("一次最多录入%(n)s天。") % {"n": MAX_RANGE_DAYS}})
    days = [start + ONE_DAY * offset for offset in range((end - start).days + 1)]
    created = []
    with transaction.atomic():
        for day in days:
            _ensure_free(day, region)
            override = CalendarOverride(
                date=day, kind=kind, name=name, region=region, created_by=actor
            )
            override.full_clean(exclude=["created_by"], validate_constraints=False)
            override.save()
            audit_record(
                actor=actor,
                action=AuditRecord.Action.CREATE,
                obj=override,
                changes=diff({}, snapshot(override, OVERRIDE_FIELDS)),
            )
            created.append(override)
        _changed(years={day.year for day in days}, region=region)
    return created


def calendar_override_update(
    *,
    actor,
    override: CalendarOverride,
    date: datetime.date,
    kind: str,
    name: str,
    region: Region | None,
) -> CalendarOverride:
    """Change one override; the actor must be allowed both its old and its new region."""
    _ensure_may_write(actor, override.region)
    _ensure_may_write(actor, region)
    before = snapshot(override, OVERRIDE_FIELDS)
    old_year, old_region = override.date.year, override.region
    with transaction.atomic():
        _ensure_free(date, region, exclude_pk=override.pk)
        override.date, override.kind, override.name, override.region = date, kind, name, region
        override.full_clean(exclude=["created_by"], validate_constraints=False)
        changes = diff(before, snapshot(override, OVERRIDE_FIELDS))
        if not changes:
            return override
        override.save(update_fields=["date", "kind", "name", "region", "updated_at"])
        audit_record(actor=actor, action=AuditRecord.Action.UPDATE, obj=override, changes=changes)
        _changed(years={old_year, date.year}, region=old_region)
        if region != old_region:
            _changed(years={old_year, date.year}, region=region)
    return override


def calendar_override_delete(*, actor, override: CalendarOverride) -> None:
    _ensure_may_write(actor, override.region)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditRecord.Action.DELETE,
            obj=override,
            changes=diff(snapshot(override, OVERRIDE_FIELDS), {}),
        )
        year, region = override.date.year, override.region
        override.delete()
        _changed(years=[year], region=region)


def calendar_year_set_complete(
    *, actor, year: int, region: Region | None = None, complete: bool
) -> CalendarYear:
    """Mark (or unmark) a year's holidays as fully entered for `region` (None: national).

    Once marked, counting in that year is no longer provisional in the region's
    subtree: days without an override follow Monday to Friday.
    """
    _ensure_may_write(actor, region)
    with transaction.atomic():
        mark, created = CalendarYear.objects.get_or_create(
            year=year, region=region, defaults={"complete": complete, "updated_by": actor}
        )
        if not created and mark.complete == complete:
            return mark
        if not created:
            mark.complete, mark.updated_by = complete, actor
            mark.save(update_fields=["complete", "updated_by", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditRecord.Action.STATE,
            obj=mark,
            changes={"complete": [None if created else not complete, complete]},
            note=_("%(year)s年节假日数据") % {"year": year},
        )
        _changed(years=[year], region=region)
    return mark
