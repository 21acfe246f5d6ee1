"""Writing reception rules, their per-date exceptions and the registers. All audited.

Who may write: whoever may change the station (`Station.objects.visible_to(actor,
for_write=True)`): staff of the station's region or above, and the station's
liaison officer. Leaders read only; deputies do not manage schedules. Deputies
put on duty must come from `deputy_choices(actor, station)`.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record, diff, snapshot
from core import clock
from core.outbox import enqueue
from deputies.models import Deputy, StationMembership, current_membership_q
from stations.models import Station

from . import permissions as can
from .models import (
    ActivityPhoto,
    ContactHousehold,
    Reception,
    ReceptionException,
    ReceptionRule,
    StationActivity,
    Visit,
)

RULE_FIELDS = [
    "kind",
    "day_of_month",
    "weekday",
    "start_time",
    "end_time",
    "valid_from",
    "valid_until",
    "active",
    "note",
]


def deputy_choices(actor, station: Station, *, keep: list[Deputy] | tuple = ()) -> QuerySet:
    """Deputies `actor` may put on duty at `station`.

    Those grouped into the station now, or managed in the station's own region,
    among the deputies the actor can see; plus `keep` (those already on duty, who
    may have left the station since).
    """
    members = StationMembership.objects.filter(station=station).filter(current_membership_q())
    pool = Q(pk__in=members.values("deputy_id")) | Q(region_id=station.region_id)
    chosen = Q(pk__in=[deputy.pk for deputy in keep])
    visible = Deputy.objects.visible_to(actor).filter(pool, status=Deputy.Status.ACTIVE)
    return Deputy.objects.filter(Q(pk__in=visible.values("pk")) | chosen).order_by("name", "pk")


def rule_errors(
    *,
    kind: str | None,
    day_of_month: int | None,
    weekday: int | None,
    start_time: datetime.time | None,
    end_time: datetime.time | None,
    valid_from: datetime.date | None,
    valid_until: datetime.date | None,
) -> dict[str, str]:
    """What is wrong with a rule's timing, as {field: message}."""
    errors: dict[str, str] = {}
    if day_of_month is not None and not 1 <= day_of_month <= 31:
        errors["day_of_month"] = _("请输入1至31之间的日期。")
    if kind == ReceptionRule.Kind.MONTHLY and day_of_month is None:
        errors["day_of_month"] = _("每月固定日须填写每月几号。")
    if kind == ReceptionRule.Kind.WEEKLY and weekday is None:
        errors["weekday"] = _("每周固定日须选择星期几。")
    if start_time and end_time and end_time <= start_time:
        errors["end_time"] = _("结束时间须晚于开始时间。")
    if bool(start_time) != bool(end_time):
        errors["end_time" if start_time else "start_time"] = _("开始和结束时间须同时填写。")
    if valid_from and valid_until and valid_until < valid_from:
        errors["valid_until"] = _("截止日期不能早于起始日期。")
    return errors


def _ensure_station_writable(actor, station: Station) -> None:
    if not Station.objects.filter(pk=station.pk).visible_to(actor, for_write=True).exists():
        raise PermissionDenied


def _check_deputies(actor, station: Station, deputies, *, keep=()) -> list[Deputy]:
    deputies = list(deputies)
    allowed = set(
        deputy_choices(actor, station, keep=keep)
        .filter(pk__in=[d.pk for d in deputies])
        .values_list("pk", flat=True)
    )
    if any(deputy.pk not in allowed for deputy in deputies):
        raise ValidationError({"deputies": _("只能选择本站点的代表。")})
    return deputies


def _names(deputies) -> list[str]:
    return sorted(str(deputy) for deputy in deputies)


def reception_rule_create(
    *,
    actor,
    station: Station,
    kind: str,
    valid_from: datetime.date,
    day_of_month: int | None = None,
    weekday: int | None = None,
    start_time: datetime.time | None = None,
    end_time: datetime.time | None = None,
    valid_until: datetime.date | None = None,
    deputies=(),
    note: str = "",
) -> ReceptionRule:
    _ensure_station_writable(actor, station)
    timing = {
        "kind": kind,
        "day_of_month": day_of_month,
        "weekday": weekday,
        "start_time": start_time,
        "end_time": end_time,
        "valid_from": valid_from,
        "valid_until": valid_until,
    }
    errors = rule_errors(**timing)
    if errors:
        raise ValidationError(errors)
    deputies = _check_deputies(actor, station, deputies)
    with transaction.atomic():
        rule = ReceptionRule(station=station, region=station.region, note=note, **timing)
        rule.save()
        rule.deputies.set(deputies)
        changes = diff({}, snapshot(rule, RULE_FIELDS))
        changes["deputies"] = [None, _names(deputies)]
        audit_record(actor=actor, action=AuditRecord.Action.CREATE, obj=rule, changes=changes)
    return rule


def reception_rule_update(
    *,
    actor,
    rule: ReceptionRule,
    kind: str,
    valid_from: datetime.date,
    day_of_month: int | None = None,
    weekday: int | None = None,
    start_time: datetime.time | None = None,
    end_time: datetime.time | None = None,
    valid_until: datetime.date | None = None,
    deputies=(),
    note: str = "",
) -> ReceptionRule:
    _ensure_station_writable(actor, rule.station)
    timing = {
        "kind": kind,
        "day_of_month": day_of_month,
        "weekday": weekday,
        "start_time": start_time,
        "end_time": end_time,
        "valid_from": valid_from,
        "valid_until": valid_until,
    }
    errors = rule_errors(**timing)
    if errors:
        raise ValidationError(errors)
    current = list(rule.deputies.all())
    deputies = _check_deputies(actor, rule.station, deputies, keep=current)
    before = snapshot(rule, RULE_FIELDS)
    with transaction.atomic():
        for name, value in {**timing, "note": note}.items():
            setattr(rule, name, value)
        changes = diff(before, snapshot(rule, RULE_FIELDS))
        if changes:
            rule.save(update_fields=[*changes, "updated_at"])
        if _names(current) != _names(deputies):
            rule.deputies.set(deputies)
            changes["deputies"] = [_names(current), _names(deputies)]
        if changes:
            audit_record(actor=actor, action=AuditRecord.Action.UPDATE, obj=rule, changes=changes)
    return rule


def reception_rule_set_active(*, actor, rule: ReceptionRule, active: bool) -> None:
    """Stop (or resume) a rule; its days disappear from (or return to) the schedule."""
    _ensure_station_writable(actor, rule.station)
    if rule.active == active:
        return
    with transaction.atomic():
        rule.active = active
        rule.save(update_fields=["active", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditRecord.Action.STATE,
            obj=rule,
            changes={"active": [not active, active]},
        )


def reception_exception_save(
    *,
    actor,
    rule: ReceptionRule,
    date: datetime.date,
    cancelled: bool,
    deputies=(),
    note: str = "",
) -> ReceptionException:
    """Cancel one date of a rule, or change who is on duty that day (create or replace)."""
    _ensure_station_writable(actor, rule.station)
    if not cancelled and not deputies:
        raise ValidationError({"deputies": _("请选择当日值班代表，或勾选“当日取消接待”。")})
    deputies = [] if cancelled else _check_deputies(actor, rule.station, deputies)
    with transaction.atomic():
        exception = ReceptionException.objects.filter(rule=rule, date=date).first()
        created = exception is None
        if created:
            exception = ReceptionException(
                rule=rule, station=rule.station, region=rule.region, date=date
            )
            before, old_names = {}, None
        else:
            before = snapshot(exception, ["date", "cancelled", "note"])
            old_names = _names(exception.deputies.all())
        exception.cancelled, exception.note = cancelled, note
        exception.save()
        exception.deputies.set(deputies)
        changes = diff(before, snapshot(exception, ["date", "cancelled", "note"]))
        if old_names != _names(deputies):
            changes["deputies"] = [old_names, _names(deputies)]
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE if created else AuditRecord.Action.UPDATE,
            obj=exception,
            changes=changes,
        )
    return exception


def reception_exception_delete(*, actor, exception: ReceptionException) -> None:
    """Undo an exception: the day follows its rule again."""
    _ensure_station_writable(actor, exception.station)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditRecord.Action.DELETE,
            obj=exception,
            changes=diff(snapshot(exception, ["date", "cancelled", "note"]), {}),
        )
        exception.delete()


# --- The registers: receptions, contact households, visits, station activities -----
#
# Who may write:
# - a reception: staff whose write scope covers the station, the station's liaison
#   officer, or a deputy grouped into the station now (who is then always among
#   those present);
# - a visit and a contact household: whoever may change the deputy
#   (`Deputy.objects.visible_to(actor, for_write=True)`): staff of the deputy's
#   region, the officer of a station the deputy is grouped into, the deputy;
# - a station activity: whoever may change the station (staff, its officer).
# An entry can be corrected by its recorder or the station's officer within
# `permissions.LOG_EDIT_WINDOW` of being logged, and by staff at any time. Suggestions raised
# become suggestions through `suggestions.services.suggestion_submit` inside the
# same transaction; a deputy's answer given on the spot goes through
# `suggestion_answer_on_spot`. Every write queues a recompute of the points of the
# deputies it touches.

MAX_RAISED = 20
MAX_ACTIVITY_PHOTOS = 6
LOG_FIELDS = ["station", "date", "people_count", "notes", "rule"]
VISIT_FIELDS = ["deputy", "date", "place", "notes"]
ACTIVITY_FIELDS = ["station", "kind", "title", "date", "other_attendees", "notes"]
HOUSEHOLD_FIELDS = ["address", "note", "active"]


@dataclass(frozen=True)
class RaisedSuggestion:
    """One suggestion raised at a reception or on a visit: it becomes a suggestion."""

    category: str
    content: str
    contact_name: str = ""
    contact_phone: str = ""
    village: str = ""
    # What the deputy answered on the spot, if they did (代表当场答复).
    answer: str = ""
    # The deputy the suggestion is filed under; None: the only deputy present, if one.
    deputy: Deputy | None = None


def own_deputy(actor) -> Deputy | None:
    """The deputy record of a signed-in deputy, if the actor is one."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    deputy_ids = can.deputy_ids_of(actor)
    if not deputy_ids:
        return None
    return Deputy.objects.filter(pk__in=deputy_ids).order_by("pk").first()


def loggable_stations(actor) -> QuerySet:
    """Running stations `actor` may log a reception at (for the form's choices)."""
    writable = Station.objects.visible_to(actor, for_write=True).values("pk")
    condition = Q(pk__in=writable)
    deputy_ids = can.deputy_ids_of(actor)
    if deputy_ids:
        grouped = StationMembership.objects.filter(
            current_membership_q(), deputy_id__in=deputy_ids
        ).values("station_id")
        condition |= Q(pk__in=grouped)
    return Station.objects.filter(condition, status=Station.Status.ACTIVE).order_by(
        "region_path", "name"
    )


def present_deputy_choices(station: Station, *, keep=()) -> QuerySet:
    """Deputies who can be recorded at `station`: its members (or its parent
    station's) today, else those managed in its region; plus `keep`."""
    station_ids = [station.pk, *([station.parent_id] if station.parent_id else [])]
    members = StationMembership.objects.filter(station_id__in=station_ids).filter(
        current_membership_q()
    )
    pool = Q(pk__in=members.values("deputy_id")) | Q(region_id=station.region_id)
    return Deputy.objects.filter(
        (pool & Q(status=Deputy.Status.ACTIVE)) | Q(pk__in=[d.pk for d in keep])
    ).order_by("name", "pk")


def _require_edit(actor, obj) -> None:
    if not can.can_edit_entry(actor, obj):
        raise PermissionDenied(
            _("登记超过%(h)s小时后只能由人大工作人员修改。") % {"h": _window_hours()}
        )


def _window_hours() -> int:
    return int(can.LOG_EDIT_WINDOW.total_seconds() // 3600)


def _check_date(date: datetime.date) -> None:
    if date > clock.today():
        raise ValidationError({"date": _("日期不能晚于今天。")})


def _check_raised(raised: Sequence[RaisedSuggestion]) -> None:
    if len(raised) > MAX_RAISED:
        raise ValidationError(_("一次最多登记%(n)s条意见建议。") % {"n": MAX_RAISED})


def _matching_rule_id(station: Station, date: datetime.date) -> int | None:
    """The rule whose reception day falls on this station and date, if any."""
    from .selectors import reception_days_between

    days = reception_days_between(Station.objects.filter(pk=station.pk), date, date)
    return days[0].rule_id if days else None


def _queue_points(deputy_ids, *years: int) -> None:
    ids = sorted({int(pk) for pk in deputy_ids})
    if ids:
        for year in sorted(set(years)):
            enqueue("duties.tasks.recompute_points", deputy_ids=ids, year=year)


def _submit_raised(
    *,
    actor,
    raised: Sequence[RaisedSuggestion],
    channel: str,
    token: str,
    station: Station | None,
    region,
    default_deputy: Deputy | None,
    allowed_deputies: Sequence[Deputy],
    default_contact: tuple[str, str, str] = ("", "", ""),
) -> list:
    """Each suggestion through the suggestions intake service, inside the caller's transaction.

    The token of each one is derived from the form's, so a retried submit finds the
    suggestions it made the first time instead of making them again.
    """
    from suggestions.services import suggestion_answer_on_spot, suggestion_submit

    allowed = {deputy.pk for deputy in allowed_deputies}
    made = []
    for index, item in enumerate(raised):
        deputy = item.deputy or default_deputy
        if deputy is not None and deputy.pk not in allowed:
            raise ValidationError(_("意见建议只能记在在场的代表名下。"))
        name, phone, village = item.contact_name, item.contact_phone, item.village
        if not (name or phone):
            name, phone, village = default_contact
        suggestion, created = suggestion_submit(
            actor=actor,
            channel=channel,
            category=item.category,
            content=item.content,
            deputy=deputy,
            station=station,
            region=region,
            contact_name=name,
            contact_phone=phone,
            village=village,
            submission_token=f"{token}-{index}",
        )
        if created and item.answer.strip():
            suggestion = suggestion_answer_on_spot(
                actor=actor, suggestion=suggestion, text=item.answer
            )
        made.append(suggestion)
    return made


def _present_deputies(actor, station: Station, deputies, *, keep=()) -> list[Deputy]:
    """Those present, checked against the station; a deputy logging is always one."""
    deputies = list(deputies)
    me = own_deputy(actor)
    if (
        me is not None
        and not can.is_log_staff(actor, station)
        and me.pk not in {d.pk for d in deputies}
    ):
        deputies.append(me)
    if not deputies:
        raise ValidationError({"deputies": _("请选择参加接待的代表。")})
    allowed = set(
        present_deputy_choices(station, keep=[*keep, *([me] if me else [])])
        .filter(pk__in=[d.pk for d in deputies])
        .values_list("pk", flat=True)
    )
    if any(deputy.pk not in allowed for deputy in deputies):
        raise ValidationError({"deputies": _("只能选择本站点的代表。")})
    return sorted(deputies, key=lambda d: (d.name, d.pk))


def _ensure_may_log(actor, station: Station) -> None:
    if not loggable_stations(actor).filter(pk=station.pk).exists():
        raise PermissionDenied(_("您不能在该站点登记接待。"))


def _by_token(model, token: str):
    return model.objects.filter(form_token=token).first() if token else None


def reception_log(
    *,
    actor,
    form_token: str,
    station: Station,
    date: datetime.date,
    deputies,
    people_count: int,
    notes: str = "",
    raised: Sequence[RaisedSuggestion] = (),
) -> tuple[Reception, bool]:
    """Log a reception and turn each suggestion raised into a suggestion; (reception, created).

    One transaction: the reception, its deputies, the suggestions and the audit
    record are all written or none is. The same `form_token` twice returns the
    first reception untouched (a double tap, a retried POST after a dropped line).
    """
    existing = _by_token(Reception, form_token)
    if existing is not None:
        return existing, False
    if not form_token:
        raise ValidationError(_("表单已失效，请刷新页面后重新填写。"))
    _ensure_may_log(actor, station)
    _check_date(date)
    _check_raised(raised)
    present = _present_deputies(actor, station, deputies)
    me = own_deputy(actor)
    default_deputy = me if me in present else (present[0] if len(present) == 1 else None)
    try:
        with transaction.atomic():
            reception = Reception(
                station=station,
                region=station.region,
                date=date,
                people_count=people_count,
                notes=notes.strip(),
                rule_id=_matching_rule_id(station, date),
                form_token=form_token,
                recorded_by=actor,
            )
            reception.save()
            reception.deputies.set(present)
            made = _submit_raised(
                actor=actor,
                raised=raised,
                channel="reception",
                token=form_token,
                station=station,
                region=station.region,
                default_deputy=default_deputy,
                allowed_deputies=present,
            )
            reception.suggestions.set(made)
            changes = diff({}, snapshot(reception, LOG_FIELDS))
            changes["deputies"] = [None, _names(present)]
            changes["suggestions"] = [None, [s.tracking_code for s in made]]
            audit_record(
                actor=actor, action=AuditRecord.Action.CREATE, obj=reception, changes=changes
            )
            _queue_points([d.pk for d in present], date.year)
    except IntegrityError:
        # Two copies of one submit raced; the first to commit wins.
        existing = _by_token(Reception, form_token)
        if existing is None:
            raise
        return existing, False
    return reception, True


def reception_update(
    *,
    actor,
    reception: Reception,
    date: datetime.date,
    deputies,
    people_count: int,
    notes: str = "",
    raised: Sequence[RaisedSuggestion] = (),
    edit_token: str = "",
) -> Reception:
    """Correct a logged reception; suggestions added here become suggestions too.

    Suggestions already made are not touched: they follow their own workflow.
    `edit_token` (from the edit form) keeps a retried edit from adding its raised twice.
    """
    _require_edit(actor, reception)
    _check_date(date)
    _check_raised(raised)
    if raised and not edit_token:
        raise ValidationError(_("表单已失效，请刷新页面后重新填写。"))
    current = list(reception.deputies.all())
    present = _present_deputies(actor, reception.station, deputies, keep=current)
    me = own_deputy(actor)
    default_deputy = me if me in present else (present[0] if len(present) == 1 else None)
    old_date = reception.date
    before = snapshot(reception, LOG_FIELDS)
    with transaction.atomic():
        reception.date = date
        reception.people_count = people_count
        reception.notes = notes.strip()
        if date != old_date:
            reception.rule_id = _matching_rule_id(reception.station, date)
        changes = diff(before, snapshot(reception, LOG_FIELDS))
        if changes:
            reception.save(update_fields=[*changes, "updated_at"])
        if _names(current) != _names(present):
            reception.deputies.set(present)
            changes["deputies"] = [_names(current), _names(present)]
        if raised:
            made = _submit_raised(
                actor=actor,
                raised=raised,
                channel="reception",
                token=edit_token,
                station=reception.station,
                region=reception.station.region,
                default_deputy=default_deputy,
                allowed_deputies=present,
            )
            reception.suggestions.add(*made)
            changes["suggestions"] = [None, [s.tracking_code for s in made]]
        if changes:
            audit_record(
                actor=actor, action=AuditRecord.Action.UPDATE, obj=reception, changes=changes
            )
            _queue_points([d.pk for d in [*current, *present]], old_date.year, date.year)
    return reception


# --- Contact households and visits ---------------------------------------------------


def _ensure_deputy_writable(actor, deputy: Deputy) -> None:
    if not Deputy.objects.filter(pk=deputy.pk).visible_to(actor, for_write=True).exists():
        raise PermissionDenied(_("您无权为该代表登记。"))


def _county_of(region):
    """Constituents are one per phone number in a county (as the suggestions intake does)."""
    from regions.models import Region

    if region.level in (Region.Level.COUNTY, Region.Level.CITY, Region.Level.PROVINCE):
        return region
    codes = [code for code in region.path.split("/") if code]
    paths = ["".join(f"{c}/" for c in codes[: i + 1]) for i in range(len(codes))]
    return Region.objects.filter(path__in=paths, level=Region.Level.COUNTY).first() or region


def _constituent(*, region, name: str, phone: str, village: str):
    from suggestions.models import Constituent

    name, phone, village = name.strip(), phone.strip(), village.strip()
    county = _county_of(region)
    if not phone:
        return Constituent.objects.create(region=county, name=name, village=village)
    constituent, created = Constituent.objects.get_or_create(
        region=county, phone=phone, defaults={"name": name, "village": village}
    )
    if not created and name and not constituent.name:
        constituent.name = name
        constituent.save(update_fields=["name"])
    return constituent


def household_add(
    *,
    actor,
    deputy: Deputy,
    name: str,
    phone: str = "",
    village: str = "",
    address: str = "",
    note: str = "",
) -> ContactHousehold:
    """Add a fixed contact household (固定联系户) to a deputy's list."""
    _ensure_deputy_writable(actor, deputy)
    if not name.strip():
        raise ValidationError({"name": _("请填写联系户姓名。")})
    with transaction.atomic():
        constituent = _constituent(region=deputy.region, name=name, phone=phone, village=village)
        if ContactHousehold.objects.filter(deputy=deputy, constituent=constituent).exists():
            raise ValidationError({"phone": _("该联系户已在名单中。")})
        household = ContactHousehold(
            deputy=deputy,
            constituent=constituent,
            region=deputy.region,
            address=address.strip(),
            note=note.strip(),
        )
        household.save()
        changes = diff({}, snapshot(household, ["deputy", "constituent", *HOUSEHOLD_FIELDS]))
        audit_record(actor=actor, action=AuditRecord.Action.CREATE, obj=household, changes=changes)
    return household


def household_update(
    *, actor, household: ContactHousehold, address: str, note: str, active: bool
) -> ContactHousehold:
    _ensure_deputy_writable(actor, household.deputy)
    before = snapshot(household, HOUSEHOLD_FIELDS)
    with transaction.atomic():
        household.address, household.note, household.active = address.strip(), note.strip(), active
        changes = diff(before, snapshot(household, HOUSEHOLD_FIELDS))
        if changes:
            household.save(update_fields=list(changes))
            audit_record(
                actor=actor, action=AuditRecord.Action.UPDATE, obj=household, changes=changes
            )
    return household


def _visit_station(actor, deputy: Deputy) -> Station | None:
    """The station a visit's suggestions are filed under: one of the actor's, if the deputy
    is grouped into it, else the deputy's own (the intake service picks it)."""
    officer_of = can.officer_station_ids(actor)
    if officer_of:
        membership = (
            deputy.memberships.filter(current_membership_q(), station_id__in=officer_of)
            .select_related("station")
            .first()
        )
        if membership is not None:
            return membership.station
    return None


def _check_households(deputy: Deputy, households) -> list[ContactHousehold]:
    households = list(households)
    if any(household.deputy_id != deputy.pk for household in households):
        raise ValidationError({"households": _("只能选择该代表的联系户。")})
    return households


def visit_log(
    *,
    actor,
    form_token: str,
    deputy: Deputy,
    date: datetime.date,
    households=(),
    place: str = "",
    notes: str = "",
    raised: Sequence[RaisedSuggestion] = (),
) -> tuple[Visit, bool]:
    """Log a deputy's home visit; suggestions raised become suggestions (channel "visit").

    Same promise as `reception_log`: one transaction, and the same token twice
    returns the first visit.
    """
    existing = _by_token(Visit, form_token)
    if existing is not None:
        return existing, False
    if not form_token:
        raise ValidationError(_("表单已失效，请刷新页面后重新填写。"))
    _ensure_deputy_writable(actor, deputy)
    _check_date(date)
    _check_raised(raised)
    households = _check_households(deputy, households)
    if not households and not place.strip():
        raise ValidationError({"place": _("请选择走访的联系户，或填写走访地点。")})
    contact = ("", "", "")
    if len(households) == 1:
        person = households[0].constituent
        contact = (person.name, person.phone, person.village)
    try:
        with transaction.atomic():
            visit = Visit(
                deputy=deputy,
                region=deputy.region,
                date=date,
                place=place.strip(),
                notes=notes.strip(),
                form_token=form_token,
                recorded_by=actor,
            )
            visit.save()
            visit.households.set(households)
            made = _submit_raised(
                actor=actor,
                raised=raised,
                channel="visit",
                token=form_token,
                station=_visit_station(actor, deputy),
                region=deputy.region,
                default_deputy=deputy,
                allowed_deputies=[deputy],
                default_contact=contact,
            )
            visit.suggestions.set(made)
            changes = diff({}, snapshot(visit, VISIT_FIELDS))
            changes["households"] = [None, sorted(str(h) for h in households)]
            changes["suggestions"] = [None, [s.tracking_code for s in made]]
            audit_record(actor=actor, action=AuditRecord.Action.CREATE, obj=visit, changes=changes)
            _queue_points([deputy.pk], date.year)
    except IntegrityError:
        existing = _by_token(Visit, form_token)
        if existing is None:
            raise
        return existing, False
    return visit, True


def visit_update(
    *,
    actor,
    visit: Visit,
    date: datetime.date,
    households=(),
    place: str = "",
    notes: str = "",
) -> Visit:
    """Correct a logged visit (its suggestions follow their own workflow)."""
    _require_edit(actor, visit)
    _check_date(date)
    households = _check_households(visit.deputy, households)
    if not households and not place.strip():
        raise ValidationError({"place": _("请选择走访的联系户，或填写走访地点。")})
    current = sorted(str(h) for h in visit.households.all())
    old_year = visit.date.year
    before = snapshot(visit, VISIT_FIELDS)
    with transaction.atomic():
        visit.date, visit.place, visit.notes = date, place.strip(), notes.strip()
        changes = diff(before, snapshot(visit, VISIT_FIELDS))
        if changes:
            visit.save(update_fields=[*changes, "updated_at"])
        names = sorted(str(h) for h in households)
        if names != current:
            visit.households.set(households)
            changes["households"] = [current, names]
        if changes:
            audit_record(actor=actor, action=AuditRecord.Action.UPDATE, obj=visit, changes=changes)
            _queue_points([visit.deputy_id], old_year, date.year)
    return visit


# --- Station activities --------------------------------------------------------------


def activity_deputy_choices(station: Station, *, keep=()) -> QuerySet:
    return present_deputy_choices(station, keep=keep)


def _check_activity_deputies(station: Station, deputies, *, keep=()) -> list[Deputy]:
    deputies = list(deputies)
    allowed = set(
        activity_deputy_choices(station, keep=keep)
        .filter(pk__in=[d.pk for d in deputies])
        .values_list("pk", flat=True)
    )
    if any(deputy.pk not in allowed for deputy in deputies):
        raise ValidationError({"deputies": _("只能选择本站点的代表。")})
    return sorted(deputies, key=lambda d: (d.name, d.pk))


def _save_photos(activity: StationActivity, photos) -> int:
    from suggestions.images import sanitize_image

    if activity.photos.count() + len(photos) > MAX_ACTIVITY_PHOTOS:
        raise ValidationError(
            {"photos": _("每次活动最多保存%(n)s张照片。") % {"n": MAX_ACTIVITY_PHOTOS}}
        )
    for upload in photos:
        ActivityPhoto.objects.create(activity=activity, image=sanitize_image(upload))
    return len(photos)


def activity_create(
    *,
    actor,
    station: Station,
    kind: str,
    title: str,
    date: datetime.date,
    deputies=(),
    other_attendees: str = "",
    notes: str = "",
    photos=(),
) -> StationActivity:
    """Record a station activity (training, lectures, inspection, leader's day...)."""
    _ensure_station_writable(actor, station)
    _check_date(date)
    deputies = _check_activity_deputies(station, deputies)
    with transaction.atomic():
        activity = StationActivity(
            station=station,
            region=station.region,
            kind=kind,
            title=title.strip(),
            date=date,
            other_attendees=other_attendees.strip(),
            notes=notes.strip(),
            recorded_by=actor,
        )
        activity.full_clean(exclude=["recorded_by"])
        activity.save()
        activity.deputies.set(deputies)
        added = _save_photos(activity, photos)
        changes = diff({}, snapshot(activity, ACTIVITY_FIELDS))
        changes["deputies"] = [None, _names(deputies)]
        if added:
            changes["photos"] = [0, added]
        audit_record(actor=actor, action=AuditRecord.Action.CREATE, obj=activity, changes=changes)
        _queue_points([d.pk for d in deputies], date.year)
    return activity


def activity_update(
    *,
    actor,
    activity: StationActivity,
    kind: str,
    title: str,
    date: datetime.date,
    deputies=(),
    other_attendees: str = "",
    notes: str = "",
    photos=(),
) -> StationActivity:
    _require_edit(actor, activity)
    _check_date(date)
    current = list(activity.deputies.all())
    deputies = _check_activity_deputies(activity.station, deputies, keep=current)
    old_year = activity.date.year
    before = snapshot(activity, ACTIVITY_FIELDS)
    with transaction.atomic():
        activity.kind, activity.title, activity.date = kind, title.strip(), date
        activity.other_attendees, activity.notes = other_attendees.strip(), notes.strip()
        activity.full_clean(exclude=["recorded_by"])
        changes = diff(before, snapshot(activity, ACTIVITY_FIELDS))
        if changes:
            activity.save(update_fields=[*changes, "updated_at"])
        if _names(current) != _names(deputies):
            activity.deputies.set(deputies)
            changes["deputies"] = [_names(current), _names(deputies)]
        added = _save_photos(activity, photos)
        if added:
            changes["photos"] = [None, f"+{added}"]
        if changes:
            audit_record(
                actor=actor, action=AuditRecord.Action.UPDATE, obj=activity, changes=changes
            )
            _queue_points([d.pk for d in [*current, *deputies]], old_year, date.year)
    return activity


def activity_photo_delete(*, actor, photo: ActivityPhoto) -> None:
    activity = photo.activity
    _require_edit(actor, activity)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditRecord.Action.UPDATE,
            obj=activity,
            changes={"photos": [photo.image.name, None]},
        )
        photo.image.delete(save=False)
        photo.delete()


# --- A station that moves takes its registers with it -------------------------------


def follow_moved_station(*, station: Station, new_region, **_ignored) -> None:
    """Move the rows that copy `station`'s region (its schedule, its receptions, its
    activities) to its new region; called inside `station_update`'s transaction.

    The figures read each row's region, so after a move the station's whole history
    counts in its new township, in the monthly rollups (the receptions' `updated_at`
    marks their months for the next refresh) as in the live days and the drill-down
    lists. Visits and fixed households follow their deputy, not a station, and people's
    suggestions keep the region that handles them.
    """
    moved = {"region": new_region, "region_path": new_region.path}
    for model in (ReceptionRule, ReceptionException, Reception, StationActivity):
        model.objects.filter(station=station).update(**moved)
