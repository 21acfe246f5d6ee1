"""The collectors' register of a point, and the meetings they attend."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record, diff, snapshot
from core import clock
from core.tokens import public_token
from stations.models import Station
from stations.validators import is_phone

from .. import permissions as can
from ..models import Collector, Meeting, Participation, is_legislative_point_q
from ..workflow import PARTICIPATION

FIELDS = ["station", "name", "occupation", "unit", "active"]


def _check(name: str, occupation: str, phone: str | None) -> None:
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("请填写姓名。")
    if not (occupation or "").strip():
        errors["occupation"] = _("请填写职业身份，如司法所所长、律师、网格员。")
    if phone and not is_phone(phone):
        errors["phone"] = _("请填写正确的手机号（11位）或座机号。")
    if errors:
        raise ValidationError(errors)


def collector_save(
    *,
    actor,
    station: Station,
    name: str,
    occupation: str,
    unit: str = "",
    phone: str | None = None,
    active: bool = True,
    collector: Collector | None = None,
) -> Collector:
    """Register a collector at a point, or change one (`collector`). `phone` None keeps
    the number on file: the edit form never shows it in full."""
    if not can.can_keep_collectors(actor, station):
        raise PermissionDenied(_("只有本联系点的联络员或本级人大工作人员可以管理信息采集员。"))
    if not Station.objects.filter(is_legislative_point_q(), pk=station.pk).exists():
        raise ValidationError({"station": _("只有基层立法联系点可以登记信息采集员。")})
    phone = phone.strip() if phone is not None else None
    _check(name, occupation, phone)
    with transaction.atomic():
        if collector is None:
            collector = Collector(station=station)
            before = {}
            action = AuditRecord.Action.CREATE
        else:
            collector = Collector.objects.select_for_update().get(pk=collector.pk)
            if not can.can_keep_collectors(actor, collector.station):
                raise PermissionDenied(_("您无权进行此操作。"))
            before = snapshot(collector, FIELDS)
            action = AuditRecord.Action.UPDATE
        collector.station = station
        collector.region_id = station.region_id
        collector.name = name.strip()
        collector.occupation = occupation.strip()
        collector.unit = (unit or "").strip()
        collector.active = active
        phone_changed = phone is not None and phone != collector.phone
        if phone is not None:
            collector.phone = phone
        collector.save()
        changes = diff(before, snapshot(collector, FIELDS))
        if phone_changed:
            changes["phone"] = ["***", "***"]  # that it changed, never the number
        audit_record(actor=actor, action=action, obj=collector, changes=changes)
    return collector


def collector_renew_link(*, actor, collector: Collector) -> Collector:
    """A new personal link for the collector; the old one stops working."""
    with transaction.atomic():
        collector = (
            Collector.objects.select_for_update().select_related("station").get(pk=collector.pk)
        )
        if not can.can_keep_collectors(actor, collector.station):
            raise PermissionDenied(_("您无权进行此操作。"))
        collector.public_token = public_token()
        collector.save(update_fields=["public_token"])
        audit_record(
            actor=actor, action=AuditRecord.Action.UPDATE, obj=collector, note=_("更换个人链接")
        )
    return collector


def meeting_record(
    *,
    actor,
    participation: Participation,
    kind: str,
    held_on: datetime.date,
    place: str = "",
    people_count: int = 0,
    note: str = "",
    collectors=(),
) -> Meeting:
    """A meeting held for the consultation at the point, with the collectors present."""
    if kind not in Meeting.Kind.values:
        raise ValidationError({"kind": _("请选择活动形式。")})
    if held_on > clock.today():
        raise ValidationError({"held_on": _("日期不能晚于今天。")})
    if people_count < 0:
        raise ValidationError({"people_count": _("参加人数不能为负数。")})
    with transaction.atomic():
        participation = (
            Participation.objects.select_for_update(of=("self",))
            .select_related("consultation")
            .get(pk=participation.pk)
        )
        PARTICIPATION.check("meeting", actor, participation)
        collectors = list(collectors)
        if any(c.station_id != participation.station_id for c in collectors):
            raise ValidationError({"collectors": _("只能选择本联系点的信息采集员。")})
        meeting = Meeting.objects.create(
            participation=participation,
            kind=kind,
            held_on=held_on,
            place=(place or "").strip()[:100],
            people_count=people_count,
            note=(note or "").strip()[:300],
            created_by=actor,
        )
        meeting.collectors.set(collectors)
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE,
            obj=participation,
            changes={"meeting": [None, f"{meeting.get_kind_display()} {held_on}"]},
            note=_("%(n)s名信息采集员参加") % {"n": len(collectors)},
        )
    return meeting
