"""Intake: a suggestion comes in (群众提交, or staff record one received in person)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record, diff, snapshot
from core import clock, writes
from core.outbox import enqueue
from regions.models import Region

from .. import permissions as can
from ..models import CONTENT_MAX_LENGTH, Channel, Constituent, Suggestion, SuggestionPhoto
from .common import Kind, event, queue_points, signed_in

logger = logging.getLogger(__name__)

MAX_PHOTOS = 3


def _county_of(region: Region) -> Region:
    """Constituents are deduplicated per county: the county above (or at) `region`."""
    if region.level in (Region.Level.COUNTY, Region.Level.CITY, Region.Level.PROVINCE):
        return region
    codes = [code for code in region.path.split("/") if code]
    paths = ["".join(f"{c}/" for c in codes[: i + 1]) for i in range(len(codes))]
    county = Region.objects.filter(path__in=paths, level=Region.Level.COUNTY).first()
    return county or region


def _constituent_for(*, region: Region, name: str, phone: str, village: str) -> int | None:
    """The id of the person behind a suggestion: one per phone number in the county.

    A known number keeps its person; a name fills an empty one, a village given replaces
    the old one. With a phone this is one UPSERT (atomic under concurrent submits of the
    same number: the partial unique index decides), without one a new anonymous-by-phone
    row."""
    name, phone, village = name.strip(), phone.strip(), village.strip()
    if not (name or phone):
        return None
    county = _county_of(region)
    if not phone:
        return Constituent.objects.create(region=county, name=name, village=village).pk
    table = connection.ops.quote_name(Constituent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (region_id, region_path, name, phone, village, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s) "
            "ON CONFLICT (region_id, phone) WHERE NOT (phone = '') DO UPDATE SET "
            f"name = CASE WHEN {table}.name = '' THEN excluded.name ELSE {table}.name END, "
            f"village = CASE WHEN excluded.village <> '' THEN excluded.village "
            f"ELSE {table}.village END "
            "RETURNING id",
            [county.pk, county.path, name, phone, village, clock.now()],
        )
        return cursor.fetchone()[0]


def _memberships_now(deputy):
    """The deputy's open-station memberships running today, the latest first: the one
    rule for "the station a deputy is grouped into"."""
    from deputies.models import StationMembership, current_membership_q
    from stations.models import Station

    return StationMembership.objects.filter(
        current_membership_q(), deputy=deputy, station__status=Station.Status.ACTIVE
    ).order_by("-start_date", "-pk")


def station_of_deputy(deputy):
    """The open station a deputy is grouped into (编组进站) today; the latest if several."""
    membership = _memberships_now(deputy).select_related("station").first()
    return membership.station if membership else None


def station_id_of_deputy(deputy) -> int | None:
    """The id of `station_of_deputy(deputy)`; a caller that kept it (the citizen's POST,
    under the public pages' generation) sets `deputy.station_of_deputy_id`."""
    if "station_of_deputy_id" in deputy.__dict__:
        return deputy.station_of_deputy_id
    return _memberships_now(deputy).values_list("station_id", flat=True).first()


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
    latitude=None,
    longitude=None,
    token_checked: bool = False,
    admit: Callable[[], None] | None = None,
) -> tuple[Suggestion, bool]:
    """Record a new suggestion; returns (suggestion, created).

    A citizen (actor None) submits through a deputy's or a station's code; staff
    record what came in at a reception, by phone or mail, for a place they cover.
    The suggestion, its first event and the notice to the deputy or station are
    written in one transaction. The same `submission_token` twice returns the first
    suggestion, untouched (a double tap, a retried POST); `token_checked` says the
    caller just looked the token up (the unique index still decides a race).
    `admit` runs first inside the transaction, in its `core.writes.together()` block
    (the public form's rate counts, which are sent with the last rows and checked
    there): when it raises, nothing is saved, nor counted. (So a refused attempt does
    the work of a submission before it rolls back: a flood is held off by the address's
    window, which photo uploads take before anything is decoded.)
    """
    existing = None if token_checked else suggestion_by_token(submission_token)
    if existing is not None:
        return existing, False
    if station is not None:
        station_id = station.pk
    else:
        station_id = station_id_of_deputy(deputy) if deputy is not None else None
    place_region = region or (deputy.region if deputy else None) or (station and station.region)
    if place_region is None:
        raise ValidationError(_("请指定意见建议所属的代表、联络站或区划。"))
    if signed_in(actor) and not can.can_register_suggestion(
        actor, region=place_region, station_id=station_id, deputy=deputy
    ):
        raise PermissionDenied(_("您无权进行此操作。"))
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
            with transaction.atomic(), writes.together():
                if admit is not None:
                    admit()
                suggestion = Suggestion(
                    region=place_region,
                    channel=channel,
                    category=category,
                    content=content,
                    place=place.strip(),
                    latitude=latitude,
                    longitude=longitude,
                    deputy=deputy,
                    station_id=station_id,
                    submission_token=submission_token or None,
                )
                # The token's uniqueness is the database's to decide: a concurrent
                # duplicate must surface as IntegrityError, which returns the first row.
                # The region, deputy and station are rows the caller read: no query
                # per foreign key to prove they exist (the constraints still hold).
                suggestion.full_clean(
                    exclude=[
                        "constituent",
                        "tracking_code",
                        "submission_token",
                        "region",
                        "deputy",
                        "station",
                    ]
                )
                suggestion.constituent_id = _constituent_for(
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
                event(
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
                    actor_label="" if signed_in(actor) else _("群众"),
                )
                queue_points(suggestion)
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
