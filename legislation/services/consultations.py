"""Publishing a consultation: its facts, its text, the points asked, and the summaries due."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record, diff, snapshot
from calendars.deadlines import Deadline
from core import clock
from regions.models import Region
from stations.models import Station
from supervision import tracking

from .. import permissions as can
from ..models import Article, Consultation, Heading, Participation, is_legislative_point_q
from ..textsplit import SplitError, docx_lines, split_lines
from ..workflow import CONSULTATION, SUMMARY_DEADLINE

FIELDS = [
    "kind",
    "title",
    "issuing_body",
    "summary_to",
    "description",
    "opens_on",
    "closes_on",
    "status",
]
# After publishing, the kind and the points stay as the public saw them.
EDITABLE_WHEN_PUBLISHED = {
    "title",
    "issuing_body",
    "summary_to",
    "description",
    "opens_on",
    "closes_on",
}


def _check_dates(opens_on: datetime.date, closes_on: datetime.date) -> None:
    if closes_on < opens_on:
        raise ValidationError({"closes_on": _("截止日期不能早于开始日期。")})


def _check_points(region: Region, points) -> list[Station]:
    points = list(points)
    if not points:
        return []
    allowed = set(
        Station.objects.filter(
            is_legislative_point_q(),
            status=Station.Status.ACTIVE,
            region_path__startswith=region.path,
            pk__in=[p.pk for p in points],
        ).values_list("pk", flat=True)
    )
    wrong = [p.name for p in points if p.pk not in allowed]
    if wrong:
        raise ValidationError(
            {
                "points": _("%(names)s不是%(region)s范围内运行中的基层立法联系点。")
                % {"names": "、".join(wrong), "region": region.name}
            }
        )
    return points


def consultation_create(
    *,
    actor,
    region: Region,
    kind: str,
    title: str,
    issuing_body: str,
    summary_to: str,
    opens_on: datetime.date,
    closes_on: datetime.date,
    description: str = "",
    points=(),
) -> Consultation:
    """Start a consultation (a draft, not yet public) for `region`: its staff only."""
    if not can.can_publish_in(actor, region):
        raise PermissionDenied(_("只有本级及上级人大工作人员可以发布征求意见。"))
    if kind not in Consultation.Kind.values:
        raise ValidationError({"kind": _("类型不正确。")})
    _check_dates(opens_on, closes_on)
    points = _check_points(region, points)
    with transaction.atomic():
        consultation = Consultation(
            region=region,
            kind=kind,
            title=title.strip(),
            issuing_body=issuing_body.strip(),
            summary_to=summary_to.strip(),
            description=description.strip(),
            opens_on=opens_on,
            closes_on=closes_on,
            created_by=actor,
        )
        consultation.full_clean(exclude=["created_by"])
        consultation.save()
        Participation.objects.bulk_create(
            [
                Participation(
                    consultation=consultation,
                    station=p,
                    region_id=p.region_id,
                    region_path=p.region_path,
                )
                for p in points
            ]
        )
        audit_record(
            actor=actor,
            action=AuditRecord.Action.CREATE,
            obj=consultation,
            changes={
                **diff({}, snapshot(consultation, FIELDS)),
                "points": [None, [p.name for p in points]],
            },
        )
    return consultation


def _locked(consultation: Consultation) -> Consultation:
    return (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("region")
        .get(pk=consultation.pk)
    )


def consultation_update(
    *, actor, consultation: Consultation, points=None, **values
) -> Consultation:
    """Change a consultation's facts (and, while a draft, its points).

    Once published, the kind and the points stay as the public saw them; moving the
    closing date moves the summaries' deadline, and it cannot go into the past.
    """
    unknown = set(values) - (set(FIELDS) - {"status"})
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    with transaction.atomic():
        consultation = _locked(consultation)
        CONSULTATION.check("edit", actor, consultation)
        published = consultation.status == Consultation.Status.PUBLISHED
        before = snapshot(consultation, FIELDS)
        old_closes_on = consultation.closes_on
        if published and any(
            value != getattr(consultation, name)
            for name, value in values.items()
            if name not in EDITABLE_WHEN_PUBLISHED
        ):
            raise ValidationError({"kind": _("征求意见发布后不能修改类型。")})
        for name, value in values.items():
            setattr(consultation, name, value.strip() if isinstance(value, str) else value)
        _check_dates(consultation.opens_on, consultation.closes_on)
        moved = consultation.closes_on != old_closes_on
        if published and moved and consultation.closes_on < clock.today():
            raise ValidationError({"closes_on": _("截止日期不能早于今天。")})
        consultation.full_clean(exclude=["created_by"])
        changes = diff(before, snapshot(consultation, FIELDS))
        consultation.save(update_fields=[*values.keys(), "updated_at"])
        if points is not None:
            changes.update(_set_points(consultation, points, published=published))
        if published and moved:
            for participation in consultation.participations.select_related("station"):
                if participation.status == Participation.Status.COLLECTING:
                    _track(participation, consultation)
        audit_record(
            actor=actor, action=AuditRecord.Action.UPDATE, obj=consultation, changes=changes
        )
    return consultation


def _set_points(consultation: Consultation, points, *, published: bool) -> dict:
    points = _check_points(consultation.region, points)
    current = {p.station_id: p for p in consultation.participations.select_related("station")}
    wanted = {p.pk: p for p in points}
    if current.keys() == wanted.keys():
        return {}
    if published:
        raise ValidationError({"points": _("征求意见发布后不能更改参加的联系点。")})
    consultation.participations.filter(station_id__in=set(current) - set(wanted)).delete()
    Participation.objects.bulk_create(
        [
            Participation(
                consultation=consultation,
                station=p,
                region_id=p.region_id,
                region_path=p.region_path,
            )
            for pk, p in wanted.items()
            if pk not in current
        ]
    )
    return {
        "points": [
            sorted(p.station.name for p in current.values()),
            sorted(p.name for p in points),
        ]
    }


def consultation_set_text(
    *, actor, consultation: Consultation, text: str = "", docx=None, filename: str = ""
) -> Consultation:
    """Replace the text with `text` (pasted) or the .docx `docx`, split into its structure.

    Only while a draft: comments are filed by article. Every problem of the split
    is reported (ValidationError on "text") and nothing is changed.
    """
    try:
        lines = docx_lines(docx) if docx is not None else (text or "").splitlines()
        parsed = split_lines(lines)
    except SplitError as error:
        raise ValidationError({"text": error.problems}) from None
    if not parsed.articles:
        raise ValidationError(
            {"text": _("没有识别出条文：每一条应以“第一条”“第二条”……开头，单独成段。")}
        )
    with transaction.atomic():
        consultation = _locked(consultation)
        CONSULTATION.check("set_text", actor, consultation)
        before = consultation.articles.count()
        consultation.articles.all().delete()
        consultation.headings.all().delete()
        headings = Heading.objects.bulk_create(
            [
                Heading(
                    consultation=consultation,
                    order=h.order,
                    level=h.level,
                    number=h.number,
                    label=h.label,
                    title=h.title[:100],
                )
                for h in parsed.headings
            ]
        )
        for heading, parsed_heading in zip(headings, parsed.headings, strict=True):
            if parsed_heading.parent is not None:
                heading.parent = headings[parsed_heading.parent]
        Heading.objects.bulk_update([h for h in headings if h.parent_id], ["parent"])
        Article.objects.bulk_create(
            [
                Article(
                    consultation=consultation,
                    order=a.order,
                    number=a.number,
                    label=a.label,
                    paragraphs=a.paragraphs,
                    heading=headings[a.heading] if a.heading is not None else None,
                )
                for a in parsed.articles
            ]
        )
        consultation.preamble = "\n".join(parsed.preamble)[:2000]
        consultation.source_name = (filename or (_("粘贴文本") if docx is None else ""))[:200]
        consultation.save(update_fields=["preamble", "source_name", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditRecord.Action.UPDATE,
            obj=consultation,
            changes={
                "articles": [before, len(parsed.articles)],
                "headings": [None, len(parsed.headings)],
            },
            note=consultation.source_name,
        )
    return consultation


def supervising_region(station: Station) -> Region:
    """Whose office watches a point's summary: the county (or district) it lies in."""
    codes = [code for code in station.region_path.split("/") if code]
    paths = ["".join(f"{c}/" for c in codes[: i + 1]) for i in range(len(codes))]
    county = Region.objects.filter(path__in=paths, level=Region.Level.COUNTY).first()
    return county or station.region


def _track(participation: Participation, consultation: Consultation) -> None:
    from accounts.selectors import officers_of_stations

    start = clock.today()
    tracking.track(
        subject=participation,
        kind=SUMMARY_DEADLINE,
        label=_("报送立法意见汇总"),
        title=_("%(point)s：《%(title)s》意见汇总")
        % {"point": participation.station.name, "title": consultation.title},
        link=reverse("legislation:participation", args=[participation.pk]),
        region=supervising_region(participation.station),
        responsible=officers_of_stations([participation.station_id]).order_by("pk").first(),
        # The date is the issuing body's closing date, not a count of days.
        deadline=Deadline(
            date=consultation.closes_on,
            provisional=False,
            rule=_("征求意见截止日（%(day)s）前报送汇总") % {"day": consultation.closes_on},
            start=start,
            spec="",
        ),
    )


def consultation_publish(*, actor, consultation: Consultation) -> Consultation:
    """Make the consultation public; each point's summary is due by the closing date
    (registered with supervision) and the points' officers are told."""
    from accounts.selectors import officers_of_stations
    from notifications.services import notify

    with transaction.atomic():
        consultation = _locked(consultation)
        CONSULTATION.check("publish", actor, consultation)
        CONSULTATION.move("publish", consultation)
        consultation.published_at = clock.now()
        consultation.save(update_fields=["status", "published_at", "updated_at"])
        participations = list(consultation.participations.select_related("station"))
        for participation in participations:
            _track(participation, consultation)
        for participation in participations:
            notify(
                recipients=list(officers_of_stations([participation.station_id])),
                kind="legislation_published",
                title=_("请组织征求意见：《%(title)s》") % {"title": consultation.title},
                body=_("%(body)s征求意见，%(opens)s至%(closes)s；请于截止日前报送意见汇总。")
                % {
                    "body": consultation.issuing_body,
                    "opens": consultation.opens_on,
                    "closes": consultation.closes_on,
                },
                link=reverse("legislation:participation", args=[participation.pk]),
            )
        audit_record(
            actor=actor,
            action=AuditRecord.Action.STATE,
            obj=consultation,
            changes={"status": [Consultation.Status.DRAFT, Consultation.Status.PUBLISHED]},
        )
    return consultation
