"""Writes to stations, their checklists and their star ratings.

Every function takes the acting user, checks that the station or region lies in the
actor's write scope (staff only; leaders and liaison officers only read), runs in
one transaction and leaves an audit record.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record, diff, snapshot
from core import clock
from regions.models import Region
from suggestions.images import sanitize_image

from .models import (
    ImportReceipt,
    StandardItem,
    Station,
    StationAssessment,
    StationAssessmentPhoto,
)
from .permissions import ensure_region_writable
from .selectors import standard_checklist, standard_source
from .signals import station_moved
from .validators import is_phone

STATION_LEVELS = (Region.Level.TOWNSHIP, Region.Level.VILLAGE)
STATION_FIELDS = [
    "name",
    "kind",
    "region",
    "parent",
    "is_legislative_point",
    "address",
    "latitude",
    "longitude",
    "opening_hours",
    "phone",
    "head_name",
]
# Kinds that are always a point under a station, and the one that never is.
POINT_ONLY_KINDS = {Station.Kind.VILLAGE_POINT}
STATION_ONLY_KINDS = {Station.Kind.TOWNSHIP}

# The 六有 standards, then what 八有 adds (see DOMAIN.md): the checklist a region
# starts from when nobody above it has written its own.
DEFAULT_STANDARDS = [
    ("site", "有固定场所：联络站有相对固定的活动场所"),
    ("staff", "有工作人员：配备站长和1-2名联络员"),
    ("rules", "有工作制度：接待、交办、反馈等制度上墙"),
    ("activities", "有活动安排：代表定期进站接待群众"),
    ("funds", "有工作经费：活动经费纳入财政预算"),
    ("equipment", "有设施设备：桌椅、电脑、档案柜等设施齐全"),
    ("sign", "有统一标识：悬挂统一的联络站标牌"),
    ("plan", "有工作计划：年度活动计划明确"),
    ("ledgers", "有工作台账：接待登记、意见建议办理台账完整"),
    ("online", "有网络平台：开通网上联络站和二维码"),
]


def station_problems(
    *,
    name: str,
    kind: str,
    region: Region | None,
    parent: Station | None,
    phone: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    station: Station | None = None,
) -> dict[str, str]:
    """The rules a station or point must satisfy, as {field: message}."""
    errors: dict[str, str] = {}
    if not (name or "").strip():
        errors["name"] = _("请填写名称。")
    if region is not None and region.level not in STATION_LEVELS:
        errors["region"] = _("联络站点须设在乡镇街道或村社区。")
    if parent is not None:
        if parent.parent_id is not None:
            errors["parent"] = _("所属联络站不能是联络点。")
        elif station is not None and (parent.pk == station.pk or station.points.exists()):
            errors["parent"] = _("下设联络点的联络站不能隶属于其他联络站。")
        elif region is not None and not region.path.startswith(parent.region_path):
            errors["region"] = _("联络点须位于所属联络站的区划之内。")
        if kind in STATION_ONLY_KINDS:
            errors["parent"] = _("乡镇（街道）联络站不能隶属于其他联络站。")
    elif kind in POINT_ONLY_KINDS:
        errors["parent"] = _("村（社区）联络点须选择所属联络站。")
    if phone and not is_phone(phone):
        errors["phone"] = _("请输入11位手机号或带区号的固定电话。")
    if latitude is not None and not -90 <= latitude <= 90:
        errors["latitude"] = _("纬度应在-90到90之间。")
    if longitude is not None and not -180 <= longitude <= 180:
        errors["longitude"] = _("经度应在-180到180之间。")
    if "name" not in errors and region is not None:
        same = Station.objects.filter(region=region, name=name.strip())
        if station is not None:
            same = same.exclude(pk=station.pk)
        if same.exists():
            errors["name"] = _("本区划已有同名联络站点。")
    return errors


def _save_unique(save, message_field: str, message: str) -> None:
    """Run `save` (which writes in a transaction); a unique key taken meanwhile by a
    concurrent request becomes a field error instead of a 500."""
    try:
        save()
    except IntegrityError as error:
        raise ValidationError({message_field: message}) from error


def station_create(
    *,
    actor,
    name: str,
    kind: str,
    region: Region,
    parent: Station | None = None,
    is_legislative_point: bool = False,
    address: str = "",
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    opening_hours: str = "",
    phone: str = "",
    head_name: str = "",
) -> Station:
    """Create a station or point in a region the actor (staff) may write to."""
    ensure_region_writable(actor, region)
    if parent is not None:
        ensure_region_writable(actor, parent.region)
    errors = station_problems(
        name=name,
        kind=kind,
        region=region,
        parent=parent,
        phone=phone,
        latitude=latitude,
        longitude=longitude,
    )
    if errors:
        raise ValidationError(errors)
    station = Station(
        name=name.strip(),
        kind=kind,
        region=region,
        parent=parent,
        is_legislative_point=is_legislative_point,
        address=address,
        latitude=latitude,
        longitude=longitude,
        opening_hours=opening_hours,
        phone=phone,
        head_name=head_name,
    )

    def save():
        with transaction.atomic():
            station.save()
            audit_record(
                actor=actor,
                action=AuditRecord.Action.CREATE,
                obj=station,
                changes=diff({}, snapshot(station, STATION_FIELDS)),
            )

    _save_unique(save, "name", _("本区划已有同名联络站点。"))
    return station


def station_update(*, actor, station: Station, **changes) -> Station:
    """Change a station's details (any of STATION_FIELDS). Both old and new region are checked."""
    unknown = set(changes) - set(STATION_FIELDS)
    if unknown:
        raise TypeError(f"station_update got unknown fields {sorted(unknown)}")
    ensure_region_writable(actor, station.region)
    region = changes.get("region", station.region)
    parent = changes.get("parent", station.parent)
    ensure_region_writable(actor, region)
    if parent is not None:
        ensure_region_writable(actor, parent.region)
    errors = station_problems(
        name=changes.get("name", station.name),
        kind=changes.get("kind", station.kind),
        region=region,
        parent=parent,
        phone=changes.get("phone", station.phone),
        latitude=changes.get("latitude", station.latitude),
        longitude=changes.get("longitude", station.longitude),
        station=station,
    )
    if errors:
        raise ValidationError(errors)
    before = snapshot(station, STATION_FIELDS)
    old_region = station.region
    for name, value in changes.items():
        setattr(station, name, value.strip() if name == "name" else value)
    changed = diff(before, snapshot(station, STATION_FIELDS))
    if not changed:
        return station

    def save():
        with transaction.atomic():
            station.save(update_fields=[*changes, "updated_at"])
            audit_record(
                actor=actor, action=AuditRecord.Action.UPDATE, obj=station, changes=changed
            )
            if station.region_id != old_region.pk:
                station_moved.send(
                    sender=Station,
                    station=station,
                    old_region=old_region,
                    new_region=station.region,
                )

    _save_unique(save, "name", _("本区划已有同名联络站点。"))
    return station


def station_set_status(*, actor, station: Station, status: str) -> Station:
    """Suspend a station (hidden from citizens, kept for the record) or reactivate it."""
    ensure_region_writable(actor, station.region)
    if status not in Station.Status.values:
        raise ValidationError({"status": _("状态无效。")})
    if station.status == status:
        return station
    with transaction.atomic():
        before = station.status
        station.status = status
        station.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditRecord.Action.STATE,
            obj=station,
            changes={"status": [before, status]},
        )
    return station


# --- The checklist (六有/八有) ------------------------------------------------------


def standard_items_seed_defaults(*, region: Region) -> list[StandardItem]:
    """Give the top of `region`'s tree the default list if no ancestor has one.

    Idempotent; called before a checklist is first shown. It is configuration, not a
    change by the actor, so it is not audited as one.
    """
    if standard_source(region) is not None:
        return standard_checklist(region)
    root_code = region.path.split("/")[0]
    root = Region.objects.get(code=root_code)
    with transaction.atomic():
        for order, (code, text) in enumerate(DEFAULT_STANDARDS, start=1):
            StandardItem.objects.get_or_create(
                region=root, code=code, defaults={"text": text, "order": order}
            )
    return standard_checklist(region)


def standard_items_customise(*, actor, region: Region) -> list[StandardItem]:
    """Give `region` its own checklist, starting from the one it inherits."""
    ensure_region_writable(actor, region)
    source = standard_source(region)
    if source is not None and source.pk == region.pk:
        return standard_checklist(region, include_inactive=True)
    inherited = standard_checklist(region) if source else []
    rows = inherited or [
        StandardItem(code=code, text=text, order=order)
        for order, (code, text) in enumerate(DEFAULT_STANDARDS, start=1)
    ]
    with transaction.atomic():
        StandardItem.objects.bulk_create(
            [
                StandardItem(
                    region=region,
                    region_path=region.path,
                    code=item.code,
                    text=item.text,
                    order=item.order,
                )
                for item in rows
            ]
        )
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE,
            obj=region,
            note=_("为本区划单独设置联络站建设标准（%(n)d项）") % {"n": len(rows)},
        )
    return standard_checklist(region, include_inactive=True)


def standard_item_add(*, actor, region: Region, text: str, order: int | None = None):
    """Add a line to the region's own checklist (customising it first if inherited)."""
    items = standard_items_customise(actor=actor, region=region)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("请填写标准内容。")})
    codes = {item.code for item in items}
    number = len(items) + 1
    while f"c{number}" in codes:
        number += 1
    with transaction.atomic():
        item = StandardItem.objects.create(
            region=region,
            code=f"c{number}",
            text=text,
            order=order if order is not None else max((i.order for i in items), default=0) + 1,
        )
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE,
            obj=item,
            changes=diff({}, snapshot(item, ["code", "text", "order"])),
        )
    return item


def standard_item_set_active(*, actor, item: StandardItem, active: bool) -> StandardItem:
    """Stop (or resume) assessing by one line; old assessments keep it."""
    ensure_region_writable(actor, item.region)
    if item.active == active:
        return item
    with transaction.atomic():
        item.active = active
        item.save(update_fields=["active"])
        audit_record(
            actor=actor,
            action=AuditRecord.Action.STATE,
            obj=item,
            changes={"active": [not active, active]},
        )
    return item


# --- Star ratings (星级评定) ------------------------------------------------------


def _refresh_stars(station: Station) -> tuple[int | None, int | None]:
    """Copy the latest standing assessment's stars onto the station; (before, after).

    Called inside the caller's transaction; the station row is locked first so two
    ratings saved at once cannot leave the older one's stars behind.
    """
    Station.objects.select_for_update().filter(pk=station.pk).values_list("pk").first()
    latest = (
        station.assessments.filter(withdrawn_at__isnull=True)
        .order_by("-assessed_on", "-pk")
        .values_list("stars", flat=True)
        .first()
    )
    before = station.stars
    if before != latest:
        station.stars = latest
        station.save(update_fields=["stars", "updated_at"])
    return before, latest


def station_rate(
    *,
    actor,
    station: Station,
    assessed_on: datetime.date,
    stars: int,
    notes: str = "",
    items_met: Iterable[StandardItem] = (),
    photos: Iterable = (),
) -> StationAssessment:
    """Record an assessment of `station`; the station shows the latest standing one.

    Items met must come from the checklist in force for the station's region.
    """
    ensure_region_writable(actor, station.region)
    errors = {}
    if not 1 <= int(stars) <= 5:
        errors["stars"] = _("星级应为1到5星。")
    if assessed_on > clock.today():
        errors["assessed_on"] = _("评定日期不能晚于今天。")
    allowed = {item.pk for item in standard_checklist(station.region)}
    items_met = list(items_met)
    if any(item.pk not in allowed for item in items_met):
        errors["items_met"] = _("达标项目不在本区划的标准中。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        assessment = StationAssessment.objects.create(
            station=station,
            region=station.region,
            assessor=actor,
            assessed_on=assessed_on,
            stars=int(stars),
            notes=notes,
        )
        assessment.items_met.set(items_met)
        for photo in photos:
            StationAssessmentPhoto.objects.create(
                assessment=assessment, image=sanitize_image(photo)
            )
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE,
            obj=assessment,
            changes={
                "stars": [None, assessment.stars],
                "items_met": [None, [item.text for item in items_met]],
            },
        )
        before, after = _refresh_stars(station)
        audit_record(
            actor=actor,
            action=AuditRecord.Action.UPDATE,
            obj=station,
            changes={"stars": [before, after]} if before != after else {},
            note=_("星级评定：%(stars)d星") % {"stars": assessment.stars},
        )
    return assessment


def assessment_withdraw(*, actor, assessment: StationAssessment, reason: str) -> StationAssessment:
    """Withdraw an assessment made in error; the station falls back to the one before."""
    station = assessment.station
    ensure_region_writable(actor, station.region)
    if assessment.withdrawn_at is not None:
        raise ValidationError(_("该评定已撤销。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写撤销原因。")})
    with transaction.atomic():
        assessment.withdrawn_at = clock.now()
        assessment.withdrawn_by = actor
        assessment.withdraw_reason = reason[:200]
        assessment.save(update_fields=["withdrawn_at", "withdrawn_by", "withdraw_reason"])
        audit_record(
            actor=actor,
            action=AuditRecord.Action.STATE,
            obj=assessment,
            changes={"withdrawn": [False, True]},
            note=reason,
        )
        before, after = _refresh_stars(station)
        audit_record(
            actor=actor,
            action=AuditRecord.Action.UPDATE,
            obj=station,
            changes={"stars": [before, after]} if before != after else {},
            note=_("撤销星级评定：%(reason)s") % {"reason": reason},
        )
    return assessment


# --- Bulk onboarding from a spreadsheet -----------------------------------------


class ImportRejected(ValidationError):
    """The sheet has problems; nothing was written. `problems` lists them all."""

    def __init__(self, problems):
        self.problems = list(problems)
        super().__init__(_("表格有%(n)d处问题，未导入任何数据。") % {"n": len(self.problems)})


class ImportAlreadyDone(Exception):
    """This upload's confirm already ran (a second click, a second tab): nothing written."""


def import_consume_token(*, actor, kind: str, token: str | None) -> None:
    """Take an upload's token inside the import's transaction (unique: a concurrent
    confirm of the same upload waits for this one and then finds it taken)."""
    if token:
        ImportReceipt.objects.create(token=token, kind=kind, created_by=actor)


def import_write_once(write, *, token: str | None, recheck):
    """Run the import's `write` transaction; explain why it could not commit.

    IntegrityError means either the token was taken (the import already ran:
    ImportAlreadyDone) or a row's unique key was taken meanwhile (`recheck()` returns
    the sheet's problems now: ImportRejected).
    """
    try:
        return write()
    except IntegrityError:
        if token and ImportReceipt.objects.filter(token=token).exists():
            raise ImportAlreadyDone from None
        problems = recheck()
        if problems:
            raise ImportRejected(problems) from None
        raise


def stations_import(
    *, actor, source, filename: str = "", token: str | None = None
) -> list[Station]:
    """Create every station and point of a sheet in one transaction, or none.

    The sheet is checked again here (whatever a dry run said before); any problem
    raises ImportRejected. `token` (the upload's) is consumed in the same transaction:
    a second confirm of the same upload raises ImportAlreadyDone. One audit record of
    action import summarises the batch.
    """

    from .importing import STATION_COLUMNS, check_station_sheet
    from .permissions import require_staff_writer
    from .spreadsheets import read_sheet

    require_staff_writer(actor)
    check = check_station_sheet(actor=actor, sheet=read_sheet(source, STATION_COLUMNS))
    if not check.ok:
        raise ImportRejected(check.problems)

    def recheck():
        source.seek(0)
        return check_station_sheet(actor=actor, sheet=read_sheet(source, STATION_COLUMNS)).problems

    return import_write_once(
        partial(_write_stations, actor=actor, check=check, filename=filename, token=token),
        token=token,
        recheck=recheck,
    )


def _write_stations(*, actor, check, filename: str, token: str | None) -> list[Station]:
    from public.cache import invalidate as public_pages_changed

    from .importing import common_region

    def build(plan, parent=None) -> Station:
        values = dict(plan.values)
        if parent is not None:
            values["parent"] = parent
        return Station(region_path=values["region"].path, **values)

    with transaction.atomic():
        import_consume_token(actor=actor, kind="stations", token=token)
        first = [plan for plan in check.plans if plan.parent_row is None]
        created = Station.objects.bulk_create([build(plan) for plan in first])
        by_row = {plan.row: station for plan, station in zip(first, created, strict=True)}
        rest = [plan for plan in check.plans if plan.parent_row is not None]
        created += Station.objects.bulk_create(
            [build(plan, parent=by_row[plan.parent_row]) for plan in rest]
        )
        # bulk_create sends no post_save: a new point may show on its parent's public page.
        public_pages_changed()
        points = sum(1 for station in created if station.parent_id)
        audit_record(
            actor=actor,
            action=AuditRecord.Action.IMPORT,
            obj=common_region(station.region_path for station in created),
            changes={"stations": [None, len(created) - points], "points": [None, points]},
            note=_("批量导入联络站点%(n)d个（联络站%(s)d个，联络点%(p)d个）%(file)s")
            % {
                "n": len(created),
                "s": len(created) - points,
                "p": points,
                "file": f"：{filename}" if filename else "",
            },
        )
    return created
