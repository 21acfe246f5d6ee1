"""Writing duty records and points. Every write to a record is audited.

Who may write:
- a report-back (`DutyReport`): whoever may change the deputy
  (`Deputy.objects.visible_to(actor, for_write=True)`): staff of the deputy's
  region, the officer of a station the deputy is grouped into, the deputy;
- point rules: congress staff whose write scope covers the region;
- stored points: nobody by hand; `deputy_points_recompute` rewrites them from the
  records (queued by every service that changes a record, and nightly).
"""

from __future__ import annotations

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record, diff, snapshot
from core import clock
from core.outbox import enqueue
from deputies.models import Deputy
from regions.models import Region

from .models import (
    POINTS_MAX,
    POINTS_MIN,
    DeputyPoints,
    DutyCredit,
    DutyKind,
    DutyReport,
    PointRule,
)
from .permissions import can_manage_points
from .selectors import points_for

REPORT_FIELDS = ["year", "date", "notes"]
# Deputies recomputed per round, so memory and query size stay bounded.
RECOMPUTE_BATCH = 500


def deputy_points_recompute(
    *, deputies: QuerySet, year: int, today: datetime.date | None = None
) -> int:
    """Rewrite the stored yearly points of `deputies` from their records; returns how many.

    Set-based: a handful of aggregate queries per batch, one upsert per batch.
    Safe to run twice (the same records give the same rows).
    """
    ids = list(deputies.order_by("pk").values_list("pk", flat=True))
    now = clock.now()
    written = 0
    for offset in range(0, len(ids), RECOMPUTE_BATCH):
        batch = Deputy.objects.filter(pk__in=ids[offset : offset + RECOMPUTE_BATCH])
        results = points_for(batch, year, today=today)
        rows = []
        for pk, region_id, path in batch.values_list("pk", "region_id", "region_path"):
            total, breakdown = results[pk]
            rows.append(
                DeputyPoints(
                    deputy_id=pk,
                    year=year,
                    points=total,
                    breakdown=breakdown,
                    computed_at=now,
                    region_id=region_id,
                    region_path=path,
                )
            )
        with transaction.atomic():
            DeputyPoints.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["deputy", "year"],
                update_fields=["points", "breakdown", "computed_at", "region", "region_path"],
            )
        written += len(rows)
    return written


# --- Point rules ------------------------------------------------------------------------


may_manage_points = can_manage_points


def point_rules_save(*, actor, region: Region, values: dict[str, int | None]) -> int:
    """Set the region's own points per kind; None removes the region's rule (inherit).

    Returns how many rules changed. Queues a recompute of this year's points of the
    deputies under the region.
    """
    if not may_manage_points(actor, region):
        raise PermissionDenied(_("只有本级及上级人大工作人员可以设置积分规则。"))
    unknown = set(values) - set(DutyKind.values)
    if unknown:
        raise ValidationError(_("未知的履职类型：%(k)s") % {"k": "、".join(sorted(unknown))})
    for kind, points in values.items():
        if points is not None and not POINTS_MIN <= points <= POINTS_MAX:
            raise ValidationError(
                {kind: _("分值须在%(lo)s到%(hi)s之间。") % {"lo": POINTS_MIN, "hi": POINTS_MAX}}
            )
    current = {rule.kind: rule for rule in PointRule.objects.filter(region=region)}
    changed = 0
    with transaction.atomic():
        for kind, points in values.items():
            rule = current.get(kind)
            if points is None and rule is not None:
                audit_record(
                    actor=actor,
                    action=AuditRecord.Action.DELETE,
                    obj=rule,
                    changes={"points": [rule.points, None]},
                )
                rule.delete()
                changed += 1
            elif points is not None and rule is None:
                rule = PointRule(region=region, kind=kind, points=points, updated_by=actor)
                rule.save()
                audit_record(
                    actor=actor,
                    action=AuditRecord.Action.CREATE,
                    obj=rule,
                    changes={"kind": [None, kind], "points": [None, points]},
                )
                changed += 1
            elif points is not None and rule.points != points:
                before = rule.points
                rule.points, rule.updated_by = points, actor
                rule.save(update_fields=["points", "updated_by", "updated_at"])
                audit_record(
                    actor=actor,
                    action=AuditRecord.Action.UPDATE,
                    obj=rule,
                    changes={"points": [before, points]},
                )
                changed += 1
        if changed:
            enqueue(
                "duties.tasks.recompute_region_points",
                region_id=region.pk,
                year=clock.today().year,
            )
    return changed


# --- Report-back to voters (述职) --------------------------------------------------------


def _ensure_deputy_writable(actor, deputy: Deputy) -> None:
    if not Deputy.objects.filter(pk=deputy.pk).visible_to(actor, for_write=True).exists():
        raise PermissionDenied(_("您无权为该代表登记。"))


def _check_report(year: int, date: datetime.date) -> None:
    today = clock.today()
    if date > today:
        raise ValidationError({"date": _("述职日期不能晚于今天。")})
    if not (2000 <= year <= today.year) or date.year not in (year, year + 1):
        raise ValidationError({"year": _("述职年度应为述职日期所在年度或上一年度。")})


def _queue_points(deputy_id: int, *years: int) -> None:
    for year in sorted(set(years)):
        enqueue("duties.tasks.recompute_points", deputy_ids=[deputy_id], year=year)


def duty_report_create(
    *, actor, deputy: Deputy, year: int, date: datetime.date, notes: str = ""
) -> DutyReport:
    """Record a deputy's annual report-back to voters (述职)."""
    _ensure_deputy_writable(actor, deputy)
    _check_report(year, date)
    with transaction.atomic():
        report = DutyReport(
            deputy=deputy,
            region=deputy.region,
            year=year,
            date=date,
            notes=notes.strip(),
            recorded_by=actor,
        )
        report.save()
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE,
            obj=report,
            changes=diff({}, snapshot(report, ["deputy", *REPORT_FIELDS])),
        )
        _queue_points(deputy.pk, year)
    return report


def duty_report_update(
    *, actor, report: DutyReport, year: int, date: datetime.date, notes: str = ""
) -> DutyReport:
    _ensure_deputy_writable(actor, report.deputy)
    _check_report(year, date)
    before = snapshot(report, REPORT_FIELDS)
    old_year = report.year
    with transaction.atomic():
        report.year, report.date, report.notes = year, date, notes.strip()
        changes = diff(before, snapshot(report, REPORT_FIELDS))
        if changes:
            report.save(update_fields=[*changes, "updated_at"])
            audit_record(actor=actor, action=AuditRecord.Action.UPDATE, obj=report, changes=changes)
            _queue_points(report.deputy_id, old_year, year)
    return report


def duty_report_delete(*, actor, report: DutyReport) -> None:
    _ensure_deputy_writable(actor, report.deputy)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditRecord.Action.DELETE,
            obj=report,
            changes=diff(snapshot(report, ["deputy", *REPORT_FIELDS]), {}),
        )
        deputy_id, year = report.deputy_id, report.year
        report.delete()
        _queue_points(deputy_id, year)


# --- Credits from the other processes (formal suggestions, votes, consultations...) --------


def duty_credit(
    *,
    deputy: Deputy,
    kind: str,
    date: datetime.date,
    source,
    title: str,
    url: str = "",
) -> DutyCredit:
    """Credit `deputy` with a duty of `kind` done through `source`; call in the source's
    transaction. The same (deputy, kind, source) again updates the row, never doubles it.
    The caller has already checked who may act; the points are recomputed after commit.
    """
    if kind not in DutyKind.values:
        raise ValueError(f"unknown duty kind {kind!r}")
    credit, created = DutyCredit.objects.update_or_create(
        deputy=deputy,
        kind=kind,
        content_type=ContentType.objects.get_for_model(source),
        object_id=source.pk,
        defaults={
            "date": date,
            "title": title[:200],
            "url": url,
            "region_id": deputy.region_id,
            "region_path": deputy.region_path,
        },
    )
    _queue_points(deputy.pk, date.year)
    return credit


def duty_withdraw(*, kind: str, source, deputy: Deputy | None = None) -> int:
    """Take back the credits of `kind` given for `source` (a withdrawn co-signature...)."""
    rows = DutyCredit.objects.filter(
        kind=kind, content_type=ContentType.objects.get_for_model(source), object_id=source.pk
    )
    if deputy is not None:
        rows = rows.filter(deputy=deputy)
    touched = list(rows.values_list("deputy_id", "date"))
    removed, _ = rows.delete()
    for deputy_id, date in touched:
        _queue_points(deputy_id, date.year)
    return removed
