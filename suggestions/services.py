"""The suggestion workflow (群众意见建议): every state change of a `Suggestion`.

    submitted ─ accept ─▶ accepted ─┬─ answer on the spot (deputy) ─────────▶ replied
        │                           ├─ handle locally (station/township) ─▶ handling
        └─ reject ─▶ rejected       └─ assign (lead + co units) ─▶ assigned
    assigned ─ lead unit signs ─▶ handling ─ reply ─▶ replied ─ follow-up ─▶ closed
    assigned/handling ─ lead returns as misrouted ─▶ accepted (back to the assigner)
    replied ─ follow-up 不满意 (first time) ─▶ handling again, new 1-month deadline
    submitted/accepted ─ merge ─▶ merged (the survivor carries on)

A handling decision taken on a `submitted` suggestion accepts it first (one step for
the staff, two events in the timeline).

Every function here is keyword-only, runs in one transaction, locks the suggestion
row (SELECT ... FOR UPDATE) before reading its state, writes an audit record and a
timeline event. Wrong state: `ValidationError` with a Chinese message. Wrong
person: `PermissionDenied`. Who may do what:

- region staff (city/county/township staff, sysadmin) whose region covers the
  suggestion: everything except the citizen's own follow-up; they record steps for
  units and deputies without an account;
- the liaison officer of the suggestion's station: accept, reject, answer on the spot,
  handle locally, reply to and follow up what the station handles itself;
- the deputy whose code the suggestion came through: answer on the spot, follow up;
- a handling unit's clerk: sign, return, ask for an extension and (lead unit only)
  reply, for what was assigned to their unit;
- leaders: nothing (read-only);
- the citizen (actor None): submit, and rate the reply on the tracking page.

Revealing a phone number (`constituent_reveal_phone`) is allowed to region staff,
the station's liaison officer and the deputy; leaders and clerks see it masked.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record, diff, snapshot
from core import clock
from core.outbox import enqueue
from regions.models import Region
from tenancy.scope import scope_of

from . import deadlines
from .models import (
    CONTENT_MAX_LENGTH,
    Assignment,
    Channel,
    Constituent,
    ExtensionRequest,
    HandlingUnit,
    RejectReason,
    ReplyAttachment,
    ReplyTemplate,
    Satisfaction,
    SLAProfile,
    Suggestion,
    SuggestionEvent,
    SuggestionPhoto,
)

logger = logging.getLogger(__name__)

Status = Suggestion.Status
Kind = SuggestionEvent.Kind
MAX_PHOTOS = 3
MAX_EXTENSION_DAYS = 30
TRACKED_FIELDS = [
    "status",
    "handling",
    "reject_reason",
    "reply_text",
    "satisfaction",
    "reopened_count",
    "merged_into",
    "due_date",
    "due_provisional",
]


# --- Who is acting -----------------------------------------------------------------


def is_region_staff(actor, suggestion: Suggestion) -> bool:
    """Staff (not leaders) whose region covers the suggestion."""
    return scope_of(actor).covers_path(suggestion.region_path, for_write=True)


def is_station_officer(actor, suggestion: Suggestion) -> bool:
    scope = scope_of(actor)
    return suggestion.station_id is not None and suggestion.station_id in scope.write.station_ids


def is_deputy_of(actor, suggestion: Suggestion) -> bool:
    scope = scope_of(actor)
    return suggestion.deputy_id is not None and suggestion.deputy_id in scope.write.deputy_ids


def is_unit_clerk(actor, unit_id: int) -> bool:
    return unit_id in scope_of(actor).write.unit_ids


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("您无权进行此操作。"))


def _label(actor) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return _("群众")
    return actor.get_full_name()


# --- Shared steps ------------------------------------------------------------------


def _lock(suggestion: Suggestion) -> Suggestion:
    """The row, locked for this transaction, with the state other writers committed."""
    return (
        Suggestion.objects.select_for_update(of=("self",))
        .select_related("region", "deputy", "station")
        .get(pk=suggestion.pk)
    )


def _expect(suggestion: Suggestion, *statuses: str, action: str) -> None:
    if suggestion.status not in statuses:
        raise ValidationError(
            _("该事项当前状态为“%(status)s”，不能%(action)s。")
            % {"status": suggestion.get_status_display(), "action": action}
        )


def _event(
    suggestion: Suggestion,
    kind: str,
    actor,
    *,
    public: str = "",
    staff: str = "",
    data: dict | None = None,
) -> SuggestionEvent:
    return SuggestionEvent.objects.create(
        suggestion=suggestion,
        kind=kind,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_label=_label(actor),
        public_text=public[:500],
        staff_text=staff,
        data=data or {},
    )


def _save(suggestion: Suggestion, before: dict, actor, note: str, fields: Iterable[str]) -> None:
    suggestion.save(update_fields=[*fields, "updated_at"])
    audit_record(
        actor=actor,
        action=AuditRecord.Action.STATE,
        obj=suggestion,
        changes=diff(before, snapshot(suggestion, TRACKED_FIELDS)),
        note=note,
        actor_label="" if getattr(actor, "is_authenticated", False) else _("群众"),
    )


def _set_reply_deadline(suggestion: Suggestion, *, spec: str, start: datetime.date) -> None:
    terms = deadlines.terms_for(suggestion.region, suggestion.category)
    due = deadlines.compute(
        what=_("答复"), spec=spec, start=start, region=suggestion.region, source=terms.source
    )
    suggestion.due_date = due.date
    suggestion.due_rule = due.rule
    suggestion.due_provisional = due.provisional
    suggestion.due_start = due.start
    suggestion.due_spec = due.spec


DUE_FIELDS = ["due_date", "due_rule", "due_provisional", "due_start", "due_spec"]


def _clear_deadline(suggestion: Suggestion) -> None:
    suggestion.due_date = None
    suggestion.due_rule = ""
    suggestion.due_provisional = False
    suggestion.due_start = None
    suggestion.due_spec = ""


def _accept_implicitly(suggestion: Suggestion, actor) -> None:
    """A handling decision on a submitted suggestion accepts it first."""
    if suggestion.status == Status.SUBMITTED:
        _event(suggestion, Kind.ACCEPTED, actor, public=_("您反映的问题已受理。"))


CONGRESS_LEVELS = (
    Region.Level.TOWNSHIP,
    Region.Level.COUNTY,
    Region.Level.CITY,
    Region.Level.PROVINCE,
)


def congress_region_of(region: Region) -> Region:
    """The nearest region at or above `region` that has a congress (villages have none)."""
    if region.level in CONGRESS_LEVELS or region.parent_id is None:
        return region
    return region.parent


def assigning_region(actor, suggestion: Suggestion) -> Region:
    """The congress on whose behalf `actor` acts on the suggestion: its deepest covering region.

    A superuser (no region roles) acts for the suggestion's own township or county.
    """
    covering = [
        path
        for path in scope_of(actor).write.region_paths
        if suggestion.region_path.startswith(path)
    ]
    if covering:
        region = Region.objects.filter(path=max(covering, key=len)).first()
        if region is not None:
            return congress_region_of(region)
    return congress_region_of(suggestion.region)


def _date(value: datetime.date | None) -> str:
    return value.strftime("%Y年%m月%d日").replace("年0", "年").replace("月0", "月") if value else ""


# --- Intake --------------------------------------------------------------------------


def _county_of(region: Region) -> Region:
    """Constituents are deduplicated per county: the county above (or at) `region`."""
    if region.level in (Region.Level.COUNTY, Region.Level.CITY, Region.Level.PROVINCE):
        return region
    codes = [code for code in region.path.split("/") if code]
    paths = ["".join(f"{c}/" for c in codes[: i + 1]) for i in range(len(codes))]
    county = Region.objects.filter(path__in=paths, level=Region.Level.COUNTY).first()
    return county or region


def _constituent_for(*, region: Region, name: str, phone: str, village: str) -> Constituent | None:
    name, phone, village = name.strip(), phone.strip(), village.strip()
    if not (name or phone):
        return None
    county = _county_of(region)
    if not phone:
        return Constituent.objects.create(region=county, name=name, village=village)
    constituent, created = Constituent.objects.get_or_create(
        region=county, phone=phone, defaults={"name": name, "village": village}
    )
    if not created:
        changed = []
        if name and not constituent.name:
            constituent.name, changed = name, [*changed, "name"]
        if village and constituent.village != village:
            constituent.village, changed = village, [*changed, "village"]
        if changed:
            constituent.save(update_fields=changed)
    return constituent


def station_of_deputy(deputy):
    """The open station a deputy is grouped into (编组进站) today; the latest if several."""
    from deputies.models import current_membership_q
    from stations.models import Station

    membership = (
        deputy.memberships.filter(current_membership_q(), station__status=Station.Status.ACTIVE)
        .select_related("station")
        .order_by("-start_date", "-pk")
        .first()
    )
    return membership.station if membership else None


def suggestion_by_token(token: str | None) -> Suggestion | None:
    if not token:
        return None
    return Suggestion.objects.filter(submission_token=token).first()


def suggestion_submit(
    *,
    actor=None,
    channel: str,
    category: str,
    content: str,
    place: str = "",
    deputy=None,
    station=None,
    region: Region | None = None,
    contact_name: str = "",
    contact_phone: str = "",
    village: str = "",
    photos: Sequence[File] = (),
    submission_token: str | None = None,
) -> tuple[Suggestion, bool]:
    """Record a new suggestion; returns (suggestion, created).

    A citizen (actor None) submits through a deputy's or a station's code; staff
    record what came in at a reception, by phone or mail, for a place they cover.
    The suggestion, its first event and the notice to the deputy or station are
    written in one transaction. The same `submission_token` twice returns the first
    suggestion, untouched (a double tap, a retried POST).
    """
    existing = suggestion_by_token(submission_token)
    if existing is not None:
        return existing, False
    if deputy is not None and station is None:
        station = station_of_deputy(deputy)
    place_region = region or (deputy.region if deputy else None) or (station and station.region)
    if place_region is None:
        raise ValidationError(_("请指定意见建议所属的代表、联络站或区划。"))
    if actor is not None and getattr(actor, "is_authenticated", False):
        grants = scope_of(actor).write
        _require(
            scope_of(actor).covers_path(place_region.path, for_write=True)
            or (station is not None and station.pk in grants.station_ids)
            or (deputy is not None and deputy.pk in grants.deputy_ids)
        )
    content = content.strip()
    if not content:
        raise ValidationError({"content": _("请填写反映的问题。")})
    if len(content) > CONTENT_MAX_LENGTH:
        raise ValidationError({"content": _("内容不能超过%(n)s字。") % {"n": CONTENT_MAX_LENGTH}})
    if len(photos) > MAX_PHOTOS:
        raise ValidationError({"photos": _("最多上传%(n)s张照片。") % {"n": MAX_PHOTOS}})
    if channel not in Channel.values:
        raise ValidationError({"channel": _("渠道不正确。")})
    # A tracking-code collision (1 in 10^11) is retried with a fresh code.
    for attempt in range(3):
        stored = []  # photo files written in this attempt
        try:
            with transaction.atomic():
                suggestion = Suggestion(
                    region=place_region,
                    channel=channel,
                    category=category,
                    content=content,
                    place=place.strip(),
                    deputy=deputy,
                    station=station,
                    submission_token=submission_token or None,
                )
                # The token's uniqueness is the database's to decide: a concurrent
                # duplicate must surface as IntegrityError, which returns the first row.
                suggestion.full_clean(exclude=["constituent", "tracking_code", "submission_token"])
                suggestion.constituent = _constituent_for(
                    region=place_region, name=contact_name, phone=contact_phone, village=village
                )
                suggestion.save()
                for photo in photos:
                    item = SuggestionPhoto(suggestion=suggestion, image=photo)
                    try:
                        item.save()
                    finally:
                        if item.image._committed:  # written to storage, row or not
                            stored.append(item.image)
                via = deputy.name if deputy else (station.name if station else "")
                _event(
                    suggestion,
                    Kind.SUBMITTED,
                    actor,
                    public=_("您的意见建议已提交，我们会尽快处理。"),
                    staff=_("经%(channel)s提交%(via)s。")
                    % {
                        "channel": suggestion.get_channel_display(),
                        "via": _("（%(via)s）") % {"via": via} if via else "",
                    },
                    data={"channel": channel, "photos": len(photos)},
                )
                audit_record(
                    actor=actor,
                    action=AuditRecord.Action.CREATE,
                    obj=suggestion,
                    changes=diff({}, snapshot(suggestion, ["channel", "category", "status"])),
                    actor_label="" if getattr(actor, "is_authenticated", False) else _("群众"),
                )
                enqueue("suggestions.tasks.notify_new_suggestion", suggestion_id=suggestion.pk)
            return suggestion, True
        except BaseException as error:
            # The rows rolled back: their files go too, or they would lie orphaned.
            for image in stored:
                try:
                    image.storage.delete(image.name)
                except OSError:
                    logger.warning("could not remove %s after a failed submit", image.name)
            if not isinstance(error, IntegrityError):
                raise
            again = suggestion_by_token(submission_token)
            if again is not None:
                return again, False
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


# --- Triage ------------------------------------------------------------------------


def suggestion_accept(*, actor, suggestion: Suggestion, note: str = "") -> Suggestion:
    """Accept a submitted suggestion (受理). Region staff or the station's officer."""
    with transaction.atomic():
        suggestion = _lock(suggestion)
        _require(is_region_staff(actor, suggestion) or is_station_officer(actor, suggestion))
        _expect(suggestion, Status.SUBMITTED, action=_("受理"))
        before = snapshot(suggestion, TRACKED_FIELDS)
        suggestion.status = Status.ACCEPTED
        _event(suggestion, Kind.ACCEPTED, actor, public=_("您反映的问题已受理。"), staff=note)
        _save(suggestion, before, actor, _("受理"), ["status"])
    return suggestion


def suggestion_reject(*, actor, suggestion: Suggestion, reason: str, note: str = "") -> Suggestion:
    """Refuse an out-of-scope suggestion with a reason (不予受理). Staff or station officer."""
    if reason not in RejectReason.values:
        raise ValidationError({"reason": _("请选择不予受理的理由。")})
    if not note.strip():
        raise ValidationError({"note": _("请写明不予受理的说明，群众会看到这段话。")})
    with transaction.atomic():
        suggestion = _lock(suggestion)
        _require(is_region_staff(actor, suggestion) or is_station_officer(actor, suggestion))
        _expect(suggestion, Status.SUBMITTED, Status.ACCEPTED, action=_("不予受理"))
        before = snapshot(suggestion, TRACKED_FIELDS)
        suggestion.status = Status.REJECTED
        suggestion.reject_reason = reason
        suggestion.reject_note = note.strip()
        suggestion.closed_at = clock.now()
        _event(
            suggestion,
            Kind.REJECTED,
            actor,
            public=_("经审核，您反映的问题不属于受理范围（%(reason)s）：%(note)s")
            % {"reason": RejectReason(reason).label, "note": note.strip()},
            data={"reason": reason},
        )
        _save(
            suggestion,
            before,
            actor,
            _("不予受理"),
            ["status", "reject_reason", "reject_note", "closed_at"],
        )
    return suggestion


def suggestion_merge(*, actor, duplicate: Suggestion, survivor: Suggestion) -> Suggestion:
    """Fold a duplicate into another suggestion; the duplicate closes and points at the survivor.

    Region staff covering both. The duplicate must not be handled yet (submitted or
    accepted); the survivor must be a live suggestion (not rejected or merged itself).
    """
    if duplicate.pk == survivor.pk:
        raise ValidationError(_("不能与自身合并。"))
    with transaction.atomic():
        # Lock in id order so two merges of the same pair cannot deadlock.
        first, second = sorted([duplicate, survivor], key=lambda s: s.pk)
        locked = {s.pk: _lock(s) for s in (first, second)}
        duplicate, survivor = locked[duplicate.pk], locked[survivor.pk]
        _require(is_region_staff(actor, duplicate) and is_region_staff(actor, survivor))
        _expect(duplicate, Status.SUBMITTED, Status.ACCEPTED, action=_("合并"))
        if survivor.status in (Status.REJECTED, Status.MERGED):
            raise ValidationError(
                _("目标事项状态为“%(status)s”，不能合并到该事项。")
                % {"status": survivor.get_status_display()}
            )
        before = snapshot(duplicate, TRACKED_FIELDS)
        duplicate.status = Status.MERGED
        duplicate.merged_into = survivor
        duplicate.closed_at = clock.now()
        _event(
            duplicate,
            Kind.MERGED,
            actor,
            public=_("您反映的问题与其他群众反映的同一问题（查询码%(code)s）合并办理。")
            % {"code": survivor.display_code},
            data={"survivor": survivor.pk},
        )
        _event(
            survivor,
            Kind.MERGED,
            actor,
            staff=_("合并了重复事项 %(code)s。") % {"code": duplicate.display_code},
            data={"duplicate": duplicate.pk},
        )
        _save(duplicate, before, actor, _("合并"), ["status", "merged_into", "closed_at"])
    return duplicate


# --- Graded handling (分级处理) ------------------------------------------------------


def suggestion_answer_on_spot(*, actor, suggestion: Suggestion, text: str) -> Suggestion:
    """The deputy answers or solves the suggestion on the spot (代表当场答复).

    The deputy whose code it came through, the station's officer or region staff
    (recording a deputy's answer from a reception).
    """
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("请填写答复内容。")})
    with transaction.atomic():
        suggestion = _lock(suggestion)
        _require(
            is_deputy_of(actor, suggestion)
            or is_station_officer(actor, suggestion)
            or is_region_staff(actor, suggestion)
        )
        _expect(suggestion, Status.SUBMITTED, Status.ACCEPTED, action=_("当场答复"))
        _accept_implicitly(suggestion, actor)
        before = snapshot(suggestion, TRACKED_FIELDS)
        suggestion.status = Status.REPLIED
        suggestion.handling = Suggestion.Handling.ON_SPOT
        suggestion.reply_text = text
        suggestion.replied_at = clock.now()
        _event(
            suggestion,
            Kind.ANSWERED_ON_SPOT,
            actor,
            public=_("人大代表已当场答复，请查看答复内容并评价。"),
            staff=text,
        )
        _save(
            suggestion,
            before,
            actor,
            _("当场答复"),
            ["status", "handling", "reply_text", "replied_at"],
        )
        enqueue("suggestions.tasks.notify_replied", suggestion_id=suggestion.pk)
    return suggestion


def suggestion_handle_locally(*, actor, suggestion: Suggestion, note: str = "") -> Suggestion:
    """The station or township handles the suggestion itself, with a reply deadline."""
    with transaction.atomic():
        suggestion = _lock(suggestion)
        _require(is_region_staff(actor, suggestion) or is_station_officer(actor, suggestion))
        _expect(suggestion, Status.SUBMITTED, Status.ACCEPTED, action=_("自行办理"))
        _accept_implicitly(suggestion, actor)
        before = snapshot(suggestion, TRACKED_FIELDS)
        terms = deadlines.terms_for(suggestion.region, suggestion.category)
        suggestion.status = Status.HANDLING
        suggestion.handling = Suggestion.Handling.LOCAL
        # The station's (or suggestion's) township handles it: 督办 starts above it.
        suggestion.assigner_region = congress_region_of(
            suggestion.station.region if suggestion.station else suggestion.region
        )
        _set_reply_deadline(suggestion, spec=f"wd:{terms.reply_days}", start=clock.today())
        who = suggestion.station.name if suggestion.station else suggestion.region.name
        _event(
            suggestion,
            Kind.HANDLED_LOCALLY,
            actor,
            public=_("您反映的问题由%(who)s办理，将在%(due)s前答复。")
            % {"who": who, "due": _date(suggestion.due_date)},
            staff=note,
            data={"due": suggestion.due_date.isoformat()},
        )
        _save(
            suggestion,
            before,
            actor,
            _("自行办理"),
            ["status", "handling", "assigner_region", *DUE_FIELDS],
        )
    return suggestion


def suggestion_assign(
    *,
    actor,
    suggestion: Suggestion,
    lead_unit: HandlingUnit,
    co_units: Sequence[HandlingUnit] = (),
    note: str = "",
) -> Suggestion:
    """Assign (交办) the suggestion to a lead unit and optional co-handling units. Region staff.

    Deadlines (SLA of the suggestion's region and category): sign within N working
    days, send back a misrouted suggestion within N working days, reply within N
    working days, all counted from the day after today.
    """
    co_units = [unit for unit in co_units if unit.pk != lead_unit.pk]
    if len({u.pk for u in co_units}) != len(co_units):
        raise ValidationError(_("协办单位重复。"))
    with transaction.atomic():
        suggestion = _lock(suggestion)
        _require(is_region_staff(actor, suggestion))
        _expect(suggestion, Status.SUBMITTED, Status.ACCEPTED, action=_("交办"))
        from .selectors import assignable_units

        allowed = set(
            assignable_units(actor, suggestion)
            .filter(pk__in=[lead_unit.pk, *[u.pk for u in co_units]])
            .values_list("pk", flat=True)
        )
        if lead_unit.pk not in allowed or any(u.pk not in allowed for u in co_units):
            raise ValidationError(_("只能交办给本辖区内启用的承办单位。"))
        _accept_implicitly(suggestion, actor)
        before = snapshot(suggestion, TRACKED_FIELDS)
        today = clock.today()
        terms = deadlines.terms_for(suggestion.region, suggestion.category)
        acknowledge = deadlines.compute(
            what=_("签收"),
            spec=f"wd:{terms.acknowledge_days}",
            start=today,
            region=suggestion.region,
            source=terms.source,
        )
        send_back = deadlines.compute(
            what=_("退回"),
            spec=f"wd:{terms.return_days}",
            start=today,
            region=suggestion.region,
            source=terms.source,
        )
        for unit, role in [(lead_unit, Assignment.Role.LEAD)] + [
            (unit, Assignment.Role.CO) for unit in co_units
        ]:
            Assignment.objects.create(
                suggestion=suggestion,
                unit=unit,
                role=role,
                note=note,
                assigned_by=actor,
                due_start=today,
                acknowledge_due=acknowledge.date,
                acknowledge_spec=acknowledge.spec,
                acknowledge_rule=acknowledge.rule,
                acknowledge_provisional=acknowledge.provisional,
                return_due=send_back.date,
                return_spec=send_back.spec,
                return_rule=send_back.rule,
                return_provisional=send_back.provisional,
            )
        suggestion.status = Status.ASSIGNED
        suggestion.handling = Suggestion.Handling.ASSIGNED
        suggestion.assigner_region = assigning_region(actor, suggestion)
        _set_reply_deadline(suggestion, spec=f"wd:{terms.reply_days}", start=today)
        co_names = "、".join(unit.name for unit in co_units)
        _event(
            suggestion,
            Kind.ASSIGNED,
            actor,
            public=_("您反映的问题已交由%(unit)s办理，答复期限%(due)s。")
            % {"unit": lead_unit.name, "due": _date(suggestion.due_date)},
            staff=_("主办：%(lead)s%(co)s。签收期限%(ack)s，答复期限%(due)s。%(note)s")
            % {
                "lead": lead_unit.name,
                "co": _("；协办：%(co)s") % {"co": co_names} if co_names else "",
                "ack": _date(acknowledge.date),
                "due": _date(suggestion.due_date),
                "note": note,
            },
            data={
                "lead": lead_unit.pk,
                "co": [u.pk for u in co_units],
                "due": suggestion.due_date.isoformat(),
            },
        )
        _save(
            suggestion,
            before,
            actor,
            _("交办"),
            ["status", "handling", "assigner_region", *DUE_FIELDS],
        )
        enqueue(
            "suggestions.tasks.notify_assignment",
            suggestion_id=suggestion.pk,
            unit_ids=[lead_unit.pk, *[u.pk for u in co_units]],
        )
    return suggestion


def suggestions_assign_bulk(
    *, actor, suggestions: Sequence[Suggestion], lead_unit: HandlingUnit, note: str = ""
) -> tuple[list[Suggestion], list[tuple[Suggestion, str]]]:
    """Assign several suggestions to one unit; each in its own transaction.

    Returns (assigned, [(suggestion, why it was not)]): one suggestion in the wrong
    state does not stop the others.
    """
    done, failed = [], []
    for suggestion in suggestions:
        try:
            done.append(
                suggestion_assign(
                    actor=actor, suggestion=suggestion, lead_unit=lead_unit, note=note
                )
            )
        except ValidationError as error:
            failed.append((suggestion, " ".join(error.messages)))
        except PermissionDenied:
            failed.append((suggestion, _("您无权交办该事项。")))
    return done, failed


# --- The handling unit's side -------------------------------------------------------


def _lock_assignment(assignment: Assignment) -> tuple[Suggestion, Assignment]:
    suggestion = _lock(assignment.suggestion)
    assignment = Assignment.objects.select_related("unit").get(pk=assignment.pk)
    return suggestion, assignment


def assignment_acknowledge(*, actor, assignment: Assignment) -> Assignment:
    """The unit signs for the suggestion (签收). Its clerks, or region staff on its behalf.

    The lead unit's signature moves the suggestion to "handling".
    """
    with transaction.atomic():
        suggestion, assignment = _lock_assignment(assignment)
        _require(is_unit_clerk(actor, assignment.unit_id) or is_region_staff(actor, suggestion))
        if assignment.status != Assignment.Status.PENDING:
            raise ValidationError(
                _("该交办当前状态为“%(status)s”，不能签收。")
                % {"status": assignment.get_status_display()}
            )
        before = snapshot(suggestion, TRACKED_FIELDS)
        assignment.status = Assignment.Status.ACKNOWLEDGED
        assignment.acknowledged_at = clock.now()
        assignment.save(update_fields=["status", "acknowledged_at"])
        late = assignment.acknowledge_due is not None and clock.today() > assignment.acknowledge_due
        _event(
            suggestion,
            Kind.ACKNOWLEDGED,
            actor,
            public=_("%(unit)s已签收，正在办理。") % {"unit": assignment.unit.name}
            if assignment.role == Assignment.Role.LEAD
            else "",
            staff=_("%(unit)s（%(role)s）签收%(late)s。")
            % {
                "unit": assignment.unit.name,
                "role": assignment.get_role_display(),
                "late": _("，已超过签收期限") if late else "",
            },
            data={"assignment": assignment.pk, "late": late},
        )
        if late:
            enqueue("suggestions.tasks.notify_late_acknowledged", assignment_id=assignment.pk)
        if assignment.role == Assignment.Role.LEAD and suggestion.status == Status.ASSIGNED:
            suggestion.status = Status.HANDLING
            _save(suggestion, before, actor, _("签收"), ["status"])
        else:
            audit_record(
                actor=actor,
                action=AuditRecord.Action.STATE,
                obj=suggestion,
                changes={"assignment": [assignment.unit.name, "acknowledged"]},
                note=_("协办签收"),
            )
    return assignment


def assignment_return(*, actor, assignment: Assignment, reason: str) -> Assignment:
    """Send a misrouted suggestion back (退回) with a reason, within the return limit.

    The lead unit's return sends the whole suggestion back to the assigner (status
    "accepted", co-handlers withdrawn); a co-handler's return drops that unit only.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("请写明退回理由。")})
    with transaction.atomic():
        suggestion, assignment = _lock_assignment(assignment)
        _require(is_unit_clerk(actor, assignment.unit_id) or is_region_staff(actor, suggestion))
        if not assignment.is_active:
            raise ValidationError(
                _("该交办当前状态为“%(status)s”，不能退回。")
                % {"status": assignment.get_status_display()}
            )
        if suggestion.status not in (Status.ASSIGNED, Status.HANDLING):
            raise ValidationError(_("该事项已答复或办结，不能退回。"))
        if assignment.return_due is not None and clock.today() > assignment.return_due:
            raise ValidationError(
                _("已超过退回期限（%(due)s），不能退回，请与交办单位联系。")
                % {"due": _date(assignment.return_due)}
            )
        before = snapshot(suggestion, TRACKED_FIELDS)
        now = clock.now()
        assignment.status = Assignment.Status.RETURNED
        assignment.returned_at = now
        assignment.return_reason = reason
        assignment.save(update_fields=["status", "returned_at", "return_reason"])
        fields = []
        if assignment.role == Assignment.Role.LEAD:
            suggestion.assignments.filter(status__in=Assignment.ACTIVE_STATUSES).update(
                status=Assignment.Status.WITHDRAWN
            )
            suggestion.status = Status.ACCEPTED
            suggestion.handling = ""
            _clear_deadline(suggestion)
            fields = ["status", "handling", *DUE_FIELDS]
            public = _("承办单位正在调整，我们将重新确定承办单位。")
        else:
            public = ""
        _event(
            suggestion,
            Kind.RETURNED,
            actor,
            public=public,
            staff=_("%(unit)s（%(role)s）退回：%(reason)s")
            % {
                "unit": assignment.unit.name,
                "role": assignment.get_role_display(),
                "reason": reason,
            },
            data={"assignment": assignment.pk},
        )
        _save(suggestion, before, actor, _("退回"), fields)
        enqueue("suggestions.tasks.notify_returned", assignment_id=assignment.pk)
    return assignment


def _handler_may_act(actor, suggestion: Suggestion) -> bool:
    """The lead unit's clerk for an assigned suggestion; staff and station for a local one."""
    if is_region_staff(actor, suggestion):
        return True
    if suggestion.handling == Suggestion.Handling.ASSIGNED:
        lead = suggestion.assignments.filter(
            role=Assignment.Role.LEAD, status__in=Assignment.ACTIVE_STATUSES
        ).first()
        return lead is not None and is_unit_clerk(actor, lead.unit_id)
    return is_station_officer(actor, suggestion)


def extension_request(*, actor, suggestion: Suggestion, days: int, reason: str) -> ExtensionRequest:
    """Ask for more time, before the reply deadline passes (申请延期). The handler."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("请写明延期理由。")})
    if not 1 <= days <= MAX_EXTENSION_DAYS:
        raise ValidationError(
            {"days": _("延长期限应为1至%(n)s个工作日。") % {"n": MAX_EXTENSION_DAYS}}
        )
    with transaction.atomic():
        suggestion = _lock(suggestion)
        _require(_handler_may_act(actor, suggestion))
        _expect(suggestion, Status.ASSIGNED, Status.HANDLING, action=_("申请延期"))
        if suggestion.due_date is not None and clock.today() > suggestion.due_date:
            raise ValidationError(
                _("答复期限（%(due)s）已过，应在期限届满前申请延期。")
                % {"due": _date(suggestion.due_date)}
            )
        if suggestion.extensions.filter(status=ExtensionRequest.Status.PENDING).exists():
            raise ValidationError(_("已有待审批的延期申请。"))
        lead = suggestion.assignments.filter(
            role=Assignment.Role.LEAD, status__in=Assignment.ACTIVE_STATUSES
        ).first()
        extension = ExtensionRequest.objects.create(
            suggestion=suggestion, assignment=lead, days=days, reason=reason, requested_by=actor
        )
        _event(
            suggestion,
            Kind.EXTENSION_REQUESTED,
            actor,
            staff=_("申请延长%(days)s个工作日：%(reason)s") % {"days": days, "reason": reason},
            data={"extension": extension.pk, "days": days},
        )
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE,
            obj=suggestion,
            changes={"extension_days": [None, days]},
            note=_("申请延期"),
        )
    return extension


def extension_decide(
    *, actor, extension: ExtensionRequest, approve: bool, note: str = ""
) -> ExtensionRequest:
    """Approve or refuse an extension. Region staff (the assigner's side), not the handler."""
    with transaction.atomic():
        suggestion = _lock(extension.suggestion)
        extension = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
        _require(is_region_staff(actor, suggestion))
        if extension.status != ExtensionRequest.Status.PENDING:
            raise ValidationError(_("该延期申请已审批。"))
        if approve:
            _expect(suggestion, Status.ASSIGNED, Status.HANDLING, action=_("批准延期"))
        before = snapshot(suggestion, TRACKED_FIELDS)
        extension.status = (
            ExtensionRequest.Status.APPROVED if approve else ExtensionRequest.Status.REFUSED
        )
        extension.decided_by = actor
        extension.decided_at = clock.now()
        extension.decision_note = note
        extension.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
        if approve:
            old = suggestion.due_date
            spec = deadlines.extend_spec(suggestion.due_spec, extension.days)
            _set_reply_deadline(suggestion, spec=spec, start=suggestion.due_start or clock.today())
            _event(
                suggestion,
                Kind.EXTENSION_APPROVED,
                actor,
                public=_("办理期限延长至%(due)s。") % {"due": _date(suggestion.due_date)},
                staff=note,
                data={"extension": extension.pk, "old": old.isoformat() if old else None},
            )
            _save(suggestion, before, actor, _("批准延期"), DUE_FIELDS)
        else:
            _event(
                suggestion,
                Kind.EXTENSION_REFUSED,
                actor,
                staff=note,
                data={"extension": extension.pk},
            )
            audit_record(
                actor=actor,
                action=AuditRecord.Action.STATE,
                obj=suggestion,
                changes={"extension": ["pending", "refused"]},
                note=_("不批准延期"),
            )
    return extension


def suggestion_reply(
    *,
    actor,
    suggestion: Suggestion,
    text: str,
    attachments: Sequence[File] = (),
) -> Suggestion:
    """Give the answer (答复). The lead unit's clerk, or staff/station for a local suggestion."""
    text = text.strip()
    if not text:
        raise ValidationError({"text": _("请填写答复内容。")})
    with transaction.atomic():
        suggestion = _lock(suggestion)
        _require(_handler_may_act(actor, suggestion))
        _expect(suggestion, Status.HANDLING, action=_("答复"))
        before = snapshot(suggestion, TRACKED_FIELDS)
        now = clock.now()
        late = suggestion.due_date is not None and clock.today() > suggestion.due_date
        suggestion.status = Status.REPLIED
        suggestion.reply_text = text
        suggestion.replied_at = now
        for upload in attachments:
            ReplyAttachment.objects.create(
                suggestion=suggestion,
                file=upload,
                name=getattr(upload, "name", "")[-200:] or _("附件"),
                uploaded_by=actor,
            )
        suggestion.assignments.filter(status__in=Assignment.ACTIVE_STATUSES).update(
            status=Assignment.Status.DONE
        )
        # A reply settles any extension still waiting: the deadline no longer runs.
        suggestion.extensions.filter(status=ExtensionRequest.Status.PENDING).update(
            status=ExtensionRequest.Status.REFUSED,
            decided_at=now,
            decision_note=_("已答复，延期申请自动关闭。"),
        )
        _event(
            suggestion,
            Kind.REPLIED,
            actor,
            public=_("已答复，请查看答复内容并评价。"),
            staff=text,
            data={"late": late, "attachments": len(attachments)},
        )
        _save(suggestion, before, actor, _("答复"), ["status", "reply_text", "replied_at"])
        enqueue("suggestions.tasks.notify_replied", suggestion_id=suggestion.pk)
    return suggestion


# --- Follow-up (回访) -------------------------------------------------------------------


def suggestion_follow_up(
    *, actor, suggestion: Suggestion, satisfaction: str, note: str = ""
) -> Suggestion:
    """Record the citizen's satisfaction with the reply (回访) and close, or reopen once.

    Region staff, the station's officer or the deputy after a call; or the citizen
    (actor None) on the tracking page. 不满意 the first time reopens the suggestion for
    re-handling with a new deadline (1 month by default); the second time closes it.
    """
    if satisfaction not in Satisfaction.values:
        raise ValidationError({"satisfaction": _("请选择满意度。")})
    citizen = actor is None or not getattr(actor, "is_authenticated", False)
    with transaction.atomic():
        suggestion = _lock(suggestion)
        if not citizen:
            _require(
                is_region_staff(actor, suggestion)
                or is_station_officer(actor, suggestion)
                or is_deputy_of(actor, suggestion)
            )
        _expect(suggestion, Status.REPLIED, action=_("回访评价"))
        before = snapshot(suggestion, TRACKED_FIELDS)
        now = clock.now()
        suggestion.satisfaction = satisfaction
        suggestion.followed_up_at = now
        label = Satisfaction(satisfaction).label
        _event(
            suggestion,
            Kind.FOLLOWED_UP,
            actor,
            public=_("回访评价：%(label)s。") % {"label": label},
            staff=note,
            data={
                "satisfaction": satisfaction,
                "by_citizen": citizen,
                "round": suggestion.reopened_count + 1,
            },
        )
        fields = ["satisfaction", "followed_up_at"]
        if satisfaction == Satisfaction.UNSATISFIED and suggestion.reopened_count == 0:
            terms = deadlines.terms_for(suggestion.region, suggestion.category)
            suggestion.status = Status.HANDLING
            suggestion.reopened_count = 1
            if suggestion.handling == Suggestion.Handling.ON_SPOT:
                # Nobody "on the spot" any more: the station or township takes it over.
                suggestion.handling = Suggestion.Handling.LOCAL
            lead = (
                suggestion.assignments.filter(
                    role=Assignment.Role.LEAD, status=Assignment.Status.DONE
                )
                .order_by("-pk")
                .first()
            )
            if lead is not None:
                lead.status = Assignment.Status.ACKNOWLEDGED
                lead.save(update_fields=["status"])
            _set_reply_deadline(suggestion, spec=f"m:{terms.rehandle_months}", start=clock.today())
            _event(
                suggestion,
                Kind.REOPENED,
                actor,
                public=_("您对答复不满意，已重新办理，答复期限%(due)s。")
                % {"due": _date(suggestion.due_date)},
                data={"due": suggestion.due_date.isoformat()},
            )
            fields += ["status", "reopened_count", "handling", *DUE_FIELDS]
            note_text = _("不满意，再办理")
            enqueue("suggestions.tasks.notify_reopened", suggestion_id=suggestion.pk)
        else:
            suggestion.status = Status.CLOSED
            suggestion.closed_at = now
            _event(suggestion, Kind.CLOSED, actor, public=_("已办结。感谢您的监督。"))
            fields += ["status", "closed_at"]
            note_text = _("回访办结")
        _save(suggestion, before, actor, note_text, fields)
    return suggestion


# --- Personal information --------------------------------------------------------------


def may_reveal_phone(actor, suggestion: Suggestion) -> bool:
    return (
        is_region_staff(actor, suggestion)
        or is_station_officer(actor, suggestion)
        or is_deputy_of(actor, suggestion)
    )


def may_reveal_constituent(actor, constituent: Constituent) -> bool:
    """From the constituents directory: region staff covering the person's county."""
    return scope_of(actor).covers_path(constituent.region_path, for_write=True)


def constituent_reveal_phone(
    *, actor, suggestion: Suggestion | None = None, constituent: Constituent | None = None
) -> str:
    """The full phone number of a citizen; every look is audited (AuditRecord REVEAL).

    Through a suggestion: region staff, the station's officer and the deputy may look
    (they call the citizen back). From the directory: region staff. Leaders and
    unit clerks never see the number unmasked.
    """
    if suggestion is not None:
        _require(may_reveal_phone(actor, suggestion))
        constituent = suggestion.constituent
    else:
        _require(constituent is not None and may_reveal_constituent(actor, constituent))
    if constituent is None or not constituent.phone:
        raise ValidationError(_("没有留下手机号。"))
    audit_record(
        actor=actor,
        action=AuditRecord.Action.REVEAL,
        obj=constituent,
        changes={
            "field": "phone",
            "suggestion": suggestion.tracking_code if suggestion is not None else "",
        },
        note=_("查看群众手机号"),
    )
    return constituent.phone


# --- Directory and settings -------------------------------------------------------------

UNIT_FIELDS = ["name", "kind", "region", "phone", "contact_name", "duties", "is_active"]


def may_manage_region(actor, region: Region) -> bool:
    """Region staff (not leaders or clerks) whose region covers `region`."""
    return scope_of(actor).covers_path(region.path, for_write=True)


def _require_staff_over(actor, region: Region) -> None:
    _require(may_manage_region(actor, region))


def handling_unit_create(*, actor, **values) -> HandlingUnit:
    """Add a handling unit to the directory of a region the actor's staff role covers."""
    _require_staff_over(actor, values["region"])
    unit = HandlingUnit(**values)
    unit.full_clean()
    with transaction.atomic():
        unit.save()
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE,
            obj=unit,
            changes=diff({}, snapshot(unit, UNIT_FIELDS)),
        )
    return unit


def handling_unit_update(*, actor, unit: HandlingUnit, **values) -> HandlingUnit:
    _require_staff_over(actor, unit.region)
    if "region" in values:
        _require_staff_over(actor, values["region"])
    before = snapshot(unit, UNIT_FIELDS)
    for name, value in values.items():
        setattr(unit, name, value)
    unit.full_clean()
    changes = diff(before, snapshot(unit, UNIT_FIELDS))
    if changes:
        with transaction.atomic():
            unit.save(update_fields=list(values))
            audit_record(actor=actor, action=AuditRecord.Action.UPDATE, obj=unit, changes=changes)
    return unit


TEMPLATE_FIELDS = ["region", "category", "title", "body", "is_active"]


def reply_template_save(*, actor, template: ReplyTemplate | None = None, **values) -> ReplyTemplate:
    """Create or change a reply template in a region the actor's staff role covers."""
    creating = template is None
    template = template or ReplyTemplate()
    if not creating:
        _require_staff_over(actor, template.region)
    before = {} if creating else snapshot(template, TEMPLATE_FIELDS)
    for name, value in values.items():
        setattr(template, name, value)
    _require_staff_over(actor, template.region)
    template.full_clean()
    with transaction.atomic():
        template.save()
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE if creating else AuditRecord.Action.UPDATE,
            obj=template,
            changes=diff(before, snapshot(template, TEMPLATE_FIELDS)),
        )
    return template


SLA_FIELDS = [
    "region",
    "category",
    "acknowledge_days",
    "return_days",
    "reply_days",
    "rehandle_months",
    "remind_days_before",
]


def sla_profile_save(*, actor, profile: SLAProfile | None = None, **values) -> SLAProfile:
    """Create or change deadline rules for a region the actor's staff role covers."""
    creating = profile is None
    profile = profile or SLAProfile()
    if not creating:
        _require_staff_over(actor, profile.region)
    before = {} if creating else snapshot(profile, SLA_FIELDS)
    for name, value in values.items():
        setattr(profile, name, value)
    _require_staff_over(actor, profile.region)
    profile.full_clean()
    with transaction.atomic():
        profile.save()
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE if creating else AuditRecord.Action.UPDATE,
            obj=profile,
            changes=diff(before, snapshot(profile, SLA_FIELDS)),
        )
    return profile
