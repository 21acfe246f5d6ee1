"""Telling people about supervisions and reminders (run by the outbox, called with ids).

Each function first claims its rows with a conditional UPDATE of `notified_at`
(rows already claimed are skipped), then writes the notifications in the same
transaction: a message run twice, or two messages naming the same row, tell
nobody twice. Notices are grouped (one per person and batch, not one per suggestion)
so that a sweep over thousands of suggestions does not bury anyone's inbox.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import STAFF_ROLE_LEVEL, Role, User
from core import clock
from notifications.services import notify, sms_to_citizen

from .models import DutyReminderLog, ReminderLog, Supervision, congress_name

# Codes listed in one grouped notice before "and N more".
LISTED = 10


def _claim(model, ids) -> list[int]:
    """Stamp `notified_at` on the rows not stamped yet; returns the ids this call stamped."""
    with transaction.atomic():
        claimed = list(
            model.objects.select_for_update(skip_locked=True)
            .filter(pk__in=list(ids), notified_at__isnull=True)
            .values_list("pk", flat=True)
        )
        model.objects.filter(pk__in=claimed).update(notified_at=clock.now())
    return claimed


def _codes(suggestions) -> str:
    codes = [s.display_code for s in suggestions[:LISTED]]
    more = len(suggestions) - LISTED
    text = "、".join(codes)
    return text + (_("等%(n)s件") % {"n": len(suggestions)} if more > 0 else "")


def _name(record: Supervision) -> str:
    """How a notice names the supervised item: a suggestion's code or a deadline's title."""
    if record.suggestion_id:
        return record.suggestion.display_code
    return f"{record.deadline.label}：{record.deadline.title}"


def _names(records) -> str:
    names = [_name(r) for r in records[:LISTED]]
    more = len(records) - LISTED
    return "、".join(names) + (_("等%(n)s件") % {"n": len(records)} if more > 0 else "")


def _link(record: Supervision) -> str:
    if record.suggestion_id:
        return reverse("suggestions:detail", args=[record.suggestion_id])
    return record.deadline.link or reverse("supervision:queue")


def _staff_of_regions(region_ids) -> dict[int, list[User]]:
    rows = (
        User.objects.filter(
            is_active=True,
            role_assignments__role__in=list(STAFF_ROLE_LEVEL),
            role_assignments__region_id__in=list(region_ids),
        )
        .values_list("role_assignments__region_id", "pk")
        .distinct()
    )
    return _group_users(rows)


def _clerks_of_units(unit_ids) -> dict[int, list[User]]:
    rows = (
        User.objects.filter(
            is_active=True,
            role_assignments__role=Role.UNIT_CLERK,
            role_assignments__unit_id__in=list(unit_ids),
        )
        .values_list("role_assignments__unit_id", "pk")
        .distinct()
    )
    return _group_users(rows)


def _group_users(rows) -> dict[int, list[User]]:
    rows = list(rows)
    users = User.objects.in_bulk({pk for _key, pk in rows})
    grouped: dict[int, list[User]] = defaultdict(list)
    for key, pk in rows:
        grouped[key].append(users[pk])
    return grouped


def notify_supervisions(*, supervision_ids: list[int]) -> int:
    """Tell the supervising level's staff and the units concerned; returns records claimed."""
    claimed = _claim(Supervision, supervision_ids)
    if not claimed:
        return 0
    records = list(
        Supervision.objects.filter(pk__in=claimed)
        .select_related("region", "suggestion", "deadline", "unit")
        .order_by("pk")
    )
    by_region: dict[int, list[Supervision]] = defaultdict(list)
    by_unit: dict[int, list[Supervision]] = defaultdict(list)
    for record in records:
        by_region[record.region_id].append(record)
        if record.unit_id:
            by_unit[record.unit_id].append(record)
    queue = reverse("supervision:queue")
    staff = _staff_of_regions(by_region)
    for region_id, group in by_region.items():
        first = group[0]
        single = len(group) == 1
        notify(
            recipients=staff.get(region_id, []),
            kind="supervision",
            title=_("督办：%(code)s %(reason)s")
            % {"code": _name(first), "reason": first.get_reason_display()}
            if single
            else _("督办：%(n)s件事项逾期") % {"n": len(group)},
            body=_("以下事项已列入%(body)s督办：%(codes)s。")
            % {"body": congress_name(first.region), "codes": _names(group)},
            link=_link(first) if single else queue,
        )
    clerks = _clerks_of_units(by_unit)
    for unit_id, group in by_unit.items():
        notify(
            recipients=clerks.get(unit_id, []),
            kind="supervision_unit",
            title=_("督办通知：%(n)s件事项逾期，请抓紧办理") % {"n": len(group)},
            body=_("%(codes)s已逾期，已由%(body)s督办。")
            % {"codes": _names(group), "body": congress_name(group[0].region)},
            link=reverse("suggestions:unit_detail", args=[unit_id])
            if group[0].suggestion_id
            else _link(group[0]),
        )
    return len(claimed)


def notify_reminders(*, reminder_ids: list[int]) -> int:
    """Remind each unit's clerks of the deadlines coming up; returns reminders claimed."""
    claimed = _claim(ReminderLog, reminder_ids)
    if not claimed:
        return 0
    reminders = list(
        ReminderLog.objects.filter(pk__in=claimed)
        .select_related("assignment__suggestion", "assignment__unit")
        .order_by("due_date", "pk")
    )
    by_unit: dict[int, list[ReminderLog]] = defaultdict(list)
    for reminder in reminders:
        by_unit[reminder.assignment.unit_id].append(reminder)
    clerks = _clerks_of_units(by_unit)
    for unit_id, group in by_unit.items():
        lines = [
            _("%(code)s：%(kind)s %(due)s")
            % {
                "code": r.assignment.suggestion.display_code,
                "kind": r.get_kind_display(),
                "due": r.due_date.isoformat(),
            }
            for r in group[:LISTED]
        ]
        if len(group) > LISTED:
            lines.append(_("……共%(n)s件") % {"n": len(group)})
        single = len(group) == 1
        first = group[0]
        notify(
            recipients=clerks.get(unit_id, []),
            kind="deadline_reminder",
            title=_("到期提醒：%(code)s %(kind)s %(due)s")
            % {
                "code": first.assignment.suggestion.display_code,
                "kind": first.get_kind_display(),
                "due": first.due_date.isoformat(),
            }
            if single
            else _("到期提醒：%(n)s件事项即将到期") % {"n": len(group)},
            body="\n".join(lines),
            link=reverse("suggestions:detail", args=[first.assignment.suggestion_id])
            if single
            else reverse("suggestions:unit_detail", args=[unit_id]),
        )
    return len(claimed)


def notify_duty_reminders(*, reminder_ids: list[int]) -> int:
    """Remind deputies of tomorrow's reception duty: in the portal, or by SMS without an account."""
    claimed = _claim(DutyReminderLog, reminder_ids)
    if not claimed:
        return 0
    for reminder in DutyReminderLog.objects.filter(pk__in=claimed).select_related(
        "deputy__user", "station"
    ):
        deputy = reminder.deputy
        text = _("明天（%(date)s）请到%(station)s值班接待选民。") % {
            "date": reminder.date.isoformat(),
            "station": reminder.station.name,
        }
        if deputy.user_id and deputy.user.is_active:
            notify(
                recipients=[deputy.user],
                kind="duty_reminder",
                title=_("值班提醒：%(date)s %(station)s")
                % {"date": reminder.date.isoformat(), "station": reminder.station.name},
                body=text,
                link=reverse("receptions:schedule"),
            )
        elif deputy.phone:
            sms_to_citizen(phone=deputy.phone, text=text, region_path=deputy.region_path)
    return len(claimed)
