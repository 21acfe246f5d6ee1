"""Writes to deputies, their station memberships (编组进站) and their groups.

Every function takes the acting user and checks that what it touches lies in the
actor's write scope (congress staff only; leaders, liaison officers and deputies
read), runs in one transaction and leaves an audit record.
"""

import datetime
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record, diff, snapshot
from core import clock
from regions.models import Region
from stations.models import Station
from stations.permissions import ensure_region_writable, require_staff_writer
from stations.services import ImportRejected, import_consume_token, import_write_once
from stations.validators import is_mobile
from suggestions.images import sanitize_image

from .models import Deputy, DeputyGroup, StationMembership, current_membership_q

DEPUTY_LEVELS = (Region.Level.COUNTY, Region.Level.TOWNSHIP, Region.Level.VILLAGE)
GROUP_LEVELS = (Region.Level.CITY, Region.Level.COUNTY, Region.Level.TOWNSHIP)
DEPUTY_FIELDS = [
    "name",
    "gender",
    "level",
    "region",
    "constituency",
    "work_unit",
    "position",
    "phone",
    "phone_public",
    "professional_field",
    "party",
    "term",
    "commitment",
    "status",
]
GROUP_FIELDS = ["name", "kind", "region", "station", "leader_name", "description"]
_UNCHANGED = object()


def deputy_problems(
    *, name: str, level: str, region: Region | None, phone: str, deputy: Deputy | None = None
) -> dict[str, str]:
    """The rules a deputy's record must satisfy, as {field: message}."""
    errors = {}
    if (name or "").strip() and phone:
        same = Deputy.objects.filter(name=name.strip(), phone=phone)
        if deputy is not None and deputy.pk:
            same = same.exclude(pk=deputy.pk)
        if same.exists():
            errors["name"] = _("已有同名同手机号的代表。")
    if not (name or "").strip():
        errors["name"] = _("请填写姓名。")
    if level not in Deputy.Level.values:
        errors["level"] = _("请选择代表层级。")
    if region is not None and region.level not in DEPUTY_LEVELS:
        errors["region"] = _("代表须归属县区、乡镇街道或村社区。")
    if phone and not is_mobile(phone):
        errors["phone"] = _("请输入11位手机号。")
    return errors


def deputy_create(*, actor, photo=None, **fields) -> Deputy:
    """Create a deputy's record in a region the actor (staff) may write to."""
    unknown = set(fields) - set(DEPUTY_FIELDS)
    if unknown:
        raise TypeError(f"deputy_create got unknown fields {sorted(unknown)}")
    region = fields["region"]
    ensure_region_writable(actor, region)
    errors = deputy_problems(
        name=fields.get("name", ""),
        level=fields.get("level", ""),
        region=region,
        phone=fields.get("phone", ""),
    )
    if errors:
        raise ValidationError(errors)
    deputy = Deputy(**{**fields, "name": fields["name"].strip()})
    if photo:
        deputy.photo = sanitize_image(photo)

    def save():
        with transaction.atomic():
            deputy.save()
            changes = diff({}, snapshot(deputy, DEPUTY_FIELDS))
            if deputy.photo:
                changes["photo"] = [None, deputy.photo.name]
            audit_record(actor=actor, action=AuditRecord.Action.CREATE, obj=deputy, changes=changes)

    try:
        save()
    except IntegrityError as error:  # the same deputy saved by a concurrent request
        raise ValidationError({"name": _("已有同名同手机号的代表。")}) from error
    return deputy


def deputy_update(*, actor, deputy: Deputy, photo=_UNCHANGED, **changes) -> Deputy:
    """Change a deputy's record; `photo=False` removes the photo. Old and new region are checked."""
    unknown = set(changes) - set(DEPUTY_FIELDS)
    if unknown:
        raise TypeError(f"deputy_update got unknown fields {sorted(unknown)}")
    ensure_region_writable(actor, deputy.region)
    region = changes.get("region", deputy.region)
    ensure_region_writable(actor, region)
    errors = deputy_problems(
        name=changes.get("name", deputy.name),
        level=changes.get("level", deputy.level),
        region=region,
        phone=changes.get("phone", deputy.phone),
        deputy=deputy,
    )
    if errors:
        raise ValidationError(errors)
    before = snapshot(deputy, DEPUTY_FIELDS)
    old_photo = deputy.photo.name or None
    for name, value in changes.items():
        setattr(deputy, name, value.strip() if name == "name" else value)
    update_fields = list(changes)
    if photo is not _UNCHANGED and photo is not None:
        deputy.photo = sanitize_image(photo) if photo else ""
        update_fields.append("photo")
    changed = diff(before, snapshot(deputy, DEPUTY_FIELDS))
    new_photo = deputy.photo.name or None
    if old_photo != new_photo:
        changed["photo"] = [old_photo, new_photo]
    if not changed:
        return deputy
    with transaction.atomic():
        deputy.save(update_fields=[*update_fields, "updated_at"])
        audit_record(actor=actor, action=AuditRecord.Action.UPDATE, obj=deputy, changes=changed)
    return deputy


# --- Grouping into stations (编组进站) --------------------------------------------


def station_membership_create(
    *, actor, deputy: Deputy, station: Station, start_date: datetime.date
) -> StationMembership:
    """Group a deputy into a running station; both must lie in the actor's write scope.

    A deputy may belong to several stations, but only once at a time to each.
    """
    ensure_region_writable(actor, deputy.region)
    ensure_region_writable(actor, station.region)
    if station.status != Station.Status.ACTIVE:
        raise ValidationError({"station": _("该联络站点已暂停，不能编入代表。")})
    if deputy.status == Deputy.Status.TERMINATED:
        raise ValidationError({"station": _("该代表已终止资格。")})
    already = StationMembership.objects.filter(
        current_membership_q(), deputy=deputy, station=station
    )
    if already.exists():
        raise ValidationError({"station": _("该代表已编入此联络站点。")})
    with transaction.atomic():
        membership = StationMembership.objects.create(
            deputy=deputy, station=station, start_date=start_date
        )
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE,
            obj=membership,
            changes={"station": [None, station.name], "start_date": [None, str(start_date)]},
            note=_("编组进站"),
        )
        audit_record(
            actor=actor,
            action=AuditRecord.Action.UPDATE,
            obj=deputy,
            changes={"stations": [None, station.name]},
            note=_("编入%(station)s") % {"station": station.name},
        )
    return membership


def station_membership_end(
    *, actor, membership: StationMembership, end_date: datetime.date | None = None
) -> StationMembership:
    """End a deputy's membership of a station (they leave it); the row stays as history."""
    ensure_region_writable(actor, membership.station.region)
    end_date = end_date or clock.today()
    if membership.end_date is not None and membership.end_date <= clock.today():
        raise ValidationError({"end_date": _("该编组已结束。")})
    if end_date < membership.start_date:
        raise ValidationError({"end_date": _("离站日期不能早于进站日期。")})
    with transaction.atomic():
        before = membership.end_date
        membership.end_date = end_date
        membership.save(update_fields=["end_date"])
        audit_record(
            actor=actor,
            action=AuditRecord.Action.STATE,
            obj=membership,
            changes={"end_date": [str(before) if before else None, str(end_date)]},
        )
        audit_record(
            actor=actor,
            action=AuditRecord.Action.UPDATE,
            obj=membership.deputy,
            changes={"stations": [membership.station.name, None]},
            note=_("离开%(station)s") % {"station": membership.station.name},
        )
    return membership


# --- Deputy groups (代表小组) -------------------------------------------------------


def _group_problems(*, name: str, region: Region, station: Station | None) -> dict[str, str]:
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("请填写名称。")
    if region.level not in GROUP_LEVELS:
        errors["region"] = _("代表小组须设在市、县区或乡镇街道。")
    if station is not None and not station.region_path.startswith(region.path):
        errors["station"] = _("活动联络站须位于小组所在区划之内。")
    return errors


def deputy_group_create(
    *,
    actor,
    name: str,
    kind: str,
    region: Region,
    station: Station | None = None,
    leader_name: str = "",
    description: str = "",
) -> DeputyGroup:
    ensure_region_writable(actor, region)
    errors = _group_problems(name=name, region=region, station=station)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        group = DeputyGroup.objects.create(
            name=name.strip(),
            kind=kind,
            region=region,
            station=station,
            leader_name=leader_name,
            description=description,
        )
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE,
            obj=group,
            changes=diff({}, snapshot(group, GROUP_FIELDS)),
        )
    return group


def deputy_group_update(*, actor, group: DeputyGroup, **changes) -> DeputyGroup:
    unknown = set(changes) - set(GROUP_FIELDS)
    if unknown:
        raise TypeError(f"deputy_group_update got unknown fields {sorted(unknown)}")
    ensure_region_writable(actor, group.region)
    region = changes.get("region", group.region)
    ensure_region_writable(actor, region)
    errors = _group_problems(
        name=changes.get("name", group.name),
        region=region,
        station=changes.get("station", group.station),
    )
    if errors:
        raise ValidationError(errors)
    before = snapshot(group, GROUP_FIELDS)
    for name, value in changes.items():
        setattr(group, name, value)
    changed = diff(before, snapshot(group, GROUP_FIELDS))
    if not changed:
        return group
    with transaction.atomic():
        group.save(update_fields=[*changes, "updated_at"])
        audit_record(actor=actor, action=AuditRecord.Action.UPDATE, obj=group, changes=changed)
    return group


def deputy_group_add_member(*, actor, group: DeputyGroup, deputy: Deputy) -> None:
    """Add a deputy of the group's region (or below) to the group."""
    ensure_region_writable(actor, group.region)
    ensure_region_writable(actor, deputy.region)
    if not deputy.region_path.startswith(group.region_path):
        raise ValidationError({"deputy": _("代表须属于小组所在区划。")})
    if group.members.filter(pk=deputy.pk).exists():
        return
    with transaction.atomic():
        group.members.add(deputy)
        audit_record(
            actor=actor,
            action=AuditRecord.Action.UPDATE,
            obj=group,
            changes={"members": [None, deputy.name]},
            note=_("加入成员"),
        )


def deputy_group_remove_member(*, actor, group: DeputyGroup, deputy: Deputy) -> None:
    ensure_region_writable(actor, group.region)
    if not group.members.filter(pk=deputy.pk).exists():
        return
    with transaction.atomic():
        group.members.remove(deputy)
        audit_record(
            actor=actor,
            action=AuditRecord.Action.UPDATE,
            obj=group,
            changes={"members": [deputy.name, None]},
            note=_("移出成员"),
        )


# --- Bulk onboarding from a spreadsheet -----------------------------------------


def deputies_import(*, actor, source, filename: str = "", token: str | None = None) -> list[Deputy]:
    """Create every deputy of a sheet (and their station memberships) in one transaction.

    The sheet is checked again here; any problem raises ImportRejected and nothing is
    written. `token` (the upload's) is consumed in the same transaction: a second
    confirm of the same upload raises ImportAlreadyDone. One audit record of action
    import summarises the batch.
    """
    from stations.spreadsheets import read_sheet

    from .importing import DEPUTY_COLUMNS, check_deputy_sheet

    require_staff_writer(actor)
    check = check_deputy_sheet(actor=actor, sheet=read_sheet(source, DEPUTY_COLUMNS))
    if not check.ok:
        raise ImportRejected(check.problems)

    def recheck():
        source.seek(0)
        return check_deputy_sheet(actor=actor, sheet=read_sheet(source, DEPUTY_COLUMNS)).problems

    return import_write_once(
        partial(_write_deputies, actor=actor, check=check, filename=filename, token=token),
        token=token,
        recheck=recheck,
    )


def _write_deputies(*, actor, check, filename: str, token: str | None) -> list[Deputy]:
    from public.cache import invalidate as public_pages_changed
    from stations.importing import common_region

    with transaction.atomic():
        import_consume_token(actor=actor, kind="deputies", token=token)
        created = Deputy.objects.bulk_create(
            [Deputy(region_path=plan.values["region"].path, **plan.values) for plan in check.plans]
        )
        memberships = StationMembership.objects.bulk_create(
            [
                StationMembership(deputy=deputy, station=plan.station, start_date=plan.start_date)
                for plan, deputy in zip(check.plans, created, strict=True)
                if plan.station is not None
            ]
        )
        # bulk_create sends no post_save: the stations' public pages list their deputies.
        public_pages_changed()
        audit_record(
            actor=actor,
            action=AuditRecord.Action.IMPORT,
            obj=common_region(deputy.region_path for deputy in created),
            changes={"deputies": [None, len(created)], "memberships": [None, len(memberships)]},
            note=_("批量导入人大代表%(n)d名，编组进站%(m)d人次%(file)s")
            % {
                "n": len(created),
                "m": len(memberships),
                "file": f"：{filename}" if filename else "",
            },
        )
    return created
