"""Deadlines of every other workflow, watched by the same supervision machinery.

The people's suggestions have their own set-based sweeps (a province holds a
million of them). Every other process (formal suggestions, livelihood plans,
appointments, legislative summaries...) registers its deadlines here, inside the
transaction that sets them:

    track(subject=proposal, kind="proposals.reply", label=_("答复代表建议"),
          title=proposal.title, link=url, region=body_region, unit=lead_unit,
          deadline=calendars.deadlines.compute(...))
    settle(subject=proposal, kind="proposals.reply")      # met
    cancel(subject=proposal, kind="proposals.reply")      # no longer needed

Then, with no code of the app's own:
- `remind_tracked` reminds the unit's clerks (or the responsible person, or the
  body's staff) `remind_days_before` working days before the date, once per date;
- `escalate_tracked` supervises an open deadline past its date: first by the body
  whose process it is (`region`), then one level up every
  SUPERVISION_ESCALATE_AFTER_WORKING_DAYS working days, never above
  SUPERVISION_TOP_LEVEL, exactly once per level (a unique constraint);
- the supervision queue, reminder letters and notices show it like a suggestion's.
Both run from the existing periodic sweeps (`supervision.sweeps`).
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record
from calendars.deadlines import Deadline
from calendars.workdays import WorkingCalendar, add_working_days
from core import clock
from core.outbox import enqueue
from regions.models import Region

from .models import Supervision, TrackedDeadline, TrackedReminder

logger = logging.getLogger("lianxin.supervision")

Status = TrackedDeadline.Status
LEVEL_ORDER = ["village", "township", "county", "city", "province"]


def _subject_q(subject) -> Q:
    return Q(content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk)


def track(
    *,
    subject,
    kind: str,
    label: str,
    title: str,
    region: Region,
    deadline: Deadline,
    link: str = "",
    unit=None,
    responsible=None,
    remind_days_before: int = 2,
) -> TrackedDeadline:
    """Start (or move) the deadline `kind` of `subject`; call inside the app's transaction.

    A running deadline of the same kind is replaced by the new date: an extension
    or a re-handling moves it, and a reminder already sent for the old date does
    not silence the new one.
    """
    row = (
        TrackedDeadline.objects.select_for_update()
        .filter(_subject_q(subject), kind=kind, status=Status.OPEN)
        .first()
    ) or TrackedDeadline(
        content_type=ContentType.objects.get_for_model(subject), object_id=subject.pk, kind=kind
    )
    row.label = label[:60]
    row.title = title[:200]
    row.link = link
    row.region = region
    row.unit = unit
    row.responsible = responsible
    row.due_date = deadline.date
    row.due_start = deadline.start
    row.due_spec = deadline.spec
    row.due_rule = deadline.rule
    row.due_provisional = deadline.provisional
    row.remind_days_before = remind_days_before
    row.save()
    return row


def _close(subject, kind: str, status: str) -> int:
    return TrackedDeadline.objects.filter(
        _subject_q(subject), kind=kind, status=Status.OPEN
    ).update(status=status, settled_at=clock.now())


def settle(*, subject, kind: str) -> int:
    """The deadline was met (or the work was done late): stop reminding and supervising."""
    return _close(subject, kind, Status.MET)


def cancel(*, subject, kind: str) -> int:
    """The deadline no longer applies (the item was withdrawn, refused, merged)."""
    return _close(subject, kind, Status.CANCELLED)


def deadlines_of(subject) -> list[TrackedDeadline]:
    """Every deadline of `subject`, newest first (its page shows them)."""
    return list(
        TrackedDeadline.objects.filter(_subject_q(subject))
        .select_related("unit")
        .order_by("-created_at", "-pk")
    )


# --- The sweeps ------------------------------------------------------------------------


def remind_tracked(*, now: datetime.datetime | None = None) -> int:
    """Claim a reminder for every open deadline falling within its reminder window."""
    today = timezone.localdate(now or clock.now())
    calendar = WorkingCalendar()
    claimed = 0
    windows = (
        TrackedDeadline.objects.filter(status=Status.OPEN, due_date__gte=today)
        .values_list("remind_days_before", flat=True)
        .distinct()
    )
    for days in sorted(set(windows)):
        horizon = add_working_days(today, days, calendar=calendar).date if days else today
        rows = set(
            TrackedDeadline.objects.filter(
                status=Status.OPEN,
                remind_days_before=days,
                due_date__gte=today,
                due_date__lte=horizon,
            ).values_list("pk", "due_date")
        )
        with transaction.atomic():
            done = set(
                TrackedReminder.objects.filter(
                    deadline_id__in=[pk for pk, _due in rows]
                ).values_list("deadline_id", "due_date")
            )
            fresh = sorted(rows - done)
            if not fresh:
                continue
            # The unique constraint decides between two sweeps at once; the notice
            # claims its rows, so nobody is told twice either way.
            TrackedReminder.objects.bulk_create(
                [TrackedReminder(deadline_id=pk, due_date=due) for pk, due in fresh],
                ignore_conflicts=True,
            )
            ids = [
                pk
                for pk, deadline_id, due in TrackedReminder.objects.filter(
                    deadline_id__in=[pk for pk, _due in fresh], notified_at__isnull=True
                ).values_list("pk", "deadline_id", "due_date")
                if (deadline_id, due) in set(fresh)
            ]
            enqueue("supervision.tracking.notify_tracked_reminders", reminder_ids=ids)
        claimed += len(fresh)
    return claimed


def _congress_of(region: Region, by_id: dict[int, Region]) -> Region:
    """Villages have no congress: their township's supervises."""
    while region.level == "village" and region.parent_id in by_id:
        region = by_id[region.parent_id]
    return region


def _ancestors(regions) -> dict[int, Region]:
    paths = set()
    for region in regions:
        codes = [c for c in region.path.split("/") if c]
        paths.update("".join(f"{c}/" for c in codes[: i + 1]) for i in range(len(codes)))
    return {r.pk: r for r in Region.objects.filter(path__in=paths)}


def escalate_tracked(*, now: datetime.datetime | None = None) -> int:
    """Supervise every open deadline past its date at the next level due; returns rows made."""
    now = now or clock.now()
    today = timezone.localdate(now)
    top = LEVEL_ORDER.index(settings.SUPERVISION_TOP_LEVEL)
    after = settings.SUPERVISION_ESCALATE_AFTER_WORKING_DAYS
    calendar = WorkingCalendar()
    overdue = list(
        TrackedDeadline.objects.filter(TrackedDeadline.DUE.overdue_q(today=today)).select_related(
            "region"
        )
    )
    if not overdue:
        return 0
    regions = _ancestors([d.region for d in overdue])
    highest: dict[int, Supervision] = {}
    for record in Supervision.objects.filter(deadline__in=overdue).select_related("region"):
        current = highest.get(record.deadline_id)
        if current is None or len(record.region.path) < len(current.region.path):
            highest[record.deadline_id] = record
    planned = []
    for deadline in overdue:
        record = highest.get(deadline.pk)
        if record is None:
            level = _congress_of(deadline.region, regions)
            reason = Supervision.Reason.REPLY_OVERDUE
        else:
            waited = add_working_days(
                timezone.localdate(record.created_at), after, calendar=calendar
            ).date
            parent = regions.get(record.region.parent_id)
            if today <= waited or parent is None:
                continue
            level, reason = parent, Supervision.Reason.STILL_OVERDUE
        if LEVEL_ORDER.index(level.level) > top:
            continue
        planned.append(
            Supervision(
                deadline=deadline,
                suggestion_region_path=deadline.region_path,
                region=level,
                reason=reason,
                due_date=deadline.due_date,
                unit_id=deadline.unit_id,
                created_at=now,
            )
        )
    if not planned:
        return 0
    with transaction.atomic():
        done = set(
            Supervision.objects.filter(deadline__in=[p.deadline_id for p in planned]).values_list(
                "deadline_id", "region_id"
            )
        )
        planned = [p for p in planned if (p.deadline_id, p.region_id) not in done]
        if not planned:
            return 0
        Supervision.objects.bulk_create(planned, ignore_conflicts=True)
        wanted = {(p.deadline_id, p.region_id) for p in planned}
        made = [
            pk
            for pk, deadline_id, region_id in Supervision.objects.filter(
                deadline__in=[p.deadline_id for p in planned], notified_at=None
            ).values_list("pk", "deadline_id", "region_id")
            if (deadline_id, region_id) in wanted
        ]
        audit_record(
            actor=None,
            actor_label=_("系统"),
            action=AuditRecord.Action.CREATE,
            changes={"supervisions": len(made)},
            note=_("逾期自动督办%(n)s件") % {"n": len(made)},
        )
        enqueue("supervision.notices.notify_supervisions", supervision_ids=made)
    if made:
        logger.info("tracked deadlines supervised %s: %s", today, len(made))
    return len(made)


# --- Notices -----------------------------------------------------------------------------


def recipients_of(deadlines) -> dict[int, list]:
    """Who is told about each deadline: the unit's clerks, the responsible person, else staff."""
    from accounts.selectors import clerks_of_units
    from supervision.notices import _staff_of_regions

    deadlines = list(deadlines)
    units = {d.unit_id for d in deadlines if d.unit_id}
    clerks: dict[int, list] = defaultdict(list)
    for user in clerks_of_units(units).prefetch_related("role_assignments"):
        for role in user.role_assignments.all():
            if role.unit_id in units:
                clerks[role.unit_id].append(user)
    staff = _staff_of_regions({d.region_id for d in deadlines if not d.unit_id})
    told = {}
    for d in deadlines:
        people = list(clerks.get(d.unit_id, [])) if d.unit_id else list(staff.get(d.region_id, []))
        if d.responsible_id and d.responsible not in people:
            people.append(d.responsible)
        told[d.pk] = people
    return told


def notify_tracked_reminders(*, reminder_ids: list[int]) -> int:
    """Remind who must act of a tracked deadline coming up (once per reminder row)."""
    from notifications.services import notify
    from supervision.notices import _claim

    claimed = _claim(TrackedReminder, reminder_ids)
    if not claimed:
        return 0
    reminders = list(
        TrackedReminder.objects.filter(pk__in=claimed).select_related(
            "deadline", "deadline__responsible"
        )
    )
    people = recipients_of([r.deadline for r in reminders])
    for reminder in reminders:
        deadline = reminder.deadline
        notify(
            recipients=people[deadline.pk],
            kind="deadline_reminder",
            title=_("到期提醒：%(label)s %(due)s")
            % {"label": deadline.label, "due": reminder.due_date.isoformat()},
            body=_("%(title)s，期限%(due)s。")
            % {"title": deadline.title, "due": reminder.due_date},
            link=deadline.link,
        )
    return len(claimed)


# --- Moving with the calendar --------------------------------------------------------------

# Sent for each tracked deadline a calendar change moved (subject=, kind=, old=, new=),
# after the new date is written: the owning app adds the move to its own timeline.
tracked_deadline_moved = Signal()


def move_tracked(*, years, region_path="", calendar=None, today=None, apply=True) -> int:
    """The mover of every tracked deadline (`calendars.deadlines.register_mover`).

    Open deadlines with a start and a spec are counted again; a passed one stays, none
    moves before today. Each move is audited on the deadline, sent to the owning app
    (`tracked_deadline_moved`) and told to whoever must meet it.
    """
    from calendars.deadlines import apply_spec, not_before
    from notifications.services import notify

    calendar = calendar or WorkingCalendar()
    today = today or clock.today()
    year_filter = Q()
    for year in years:
        year_filter |= Q(due_date__year=year) | Q(due_start__year=year)
    rows = TrackedDeadline.objects.filter(
        year_filter, status=Status.OPEN, due_date__gte=today, due_start__isnull=False
    ).exclude(due_spec="")
    if region_path:
        rows = rows.filter(region_path__startswith=region_path)
    moved = []
    for row in rows.select_related("region", "responsible"):
        date, provisional = apply_spec(row.due_spec, row.due_start, row.region, calendar)
        date = not_before(date, today)
        if date != row.due_date:
            moved.append((row, row.due_date, date, provisional))
    if not apply or not moved:
        return len(moved)
    with transaction.atomic():
        people = recipients_of([row for row, *_rest in moved])
        for row, old, new, provisional in moved:
            row.due_date, row.due_provisional = new, provisional
            row.save(update_fields=["due_date", "due_provisional"])
            audit_record(
                actor=None,
                action=AuditRecord.Action.UPDATE,
                obj=row,
                changes={"due_date": [old.isoformat(), new.isoformat()]},
                note=_("节假日安排调整"),
                actor_label=_("系统"),
            )
            tracked_deadline_moved.send(
                sender=TrackedDeadline, subject=row.subject, kind=row.kind, old=old, new=new
            )
            notify(
                recipients=people[row.pk],
                kind="deadline_moved",
                title=_("节假日安排调整：%(label)s期限变更为%(new)s")
                % {"label": row.label, "new": new.isoformat()},
                body=_("%(title)s，期限由%(old)s调整为%(new)s。")
                % {"title": row.title, "old": old.isoformat(), "new": new.isoformat()},
                link=row.link,
            )
    logger.info("moved %s tracked deadlines after a calendar change", len(moved))
    return len(moved)
