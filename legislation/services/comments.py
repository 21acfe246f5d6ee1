"""Comments come in: from the public page, a deputy, a collector's link, or the point's
officer recording what was gathered offline (one by one or from a spreadsheet).

Every path checks the workflow table on the locked participation, so a comment is
refused after the consultation's closing date whoever sends it (page or API). A
deputy's comment counts in their duty record, once per consultation.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _

from audit.models import AuditRecord
from audit.services import audit_record, diff, snapshot
from core import clock
from duties.models import DutyKind
from duties.services import duty_credit
from stations.validators import is_phone

from .. import permissions as can
from ..models import (
    CONTENT_MAX_LENGTH,
    OFFLINE_CHANNELS,
    Article,
    AuthorKind,
    Channel,
    Collector,
    Comment,
    Participation,
)
from ..selectors import comment_by_token
from ..workflow import PARTICIPATION

FIELDS = ["article", "author_kind", "channel", "received_on", "decision"]
MIN_LENGTH = 5


def _locked(participation: Participation) -> Participation:
    return (
        Participation.objects.select_for_update(of=("self",))
        .select_related("consultation", "station")
        .get(pk=participation.pk)
    )


def _clean_content(content: str) -> str:
    content = (content or "").strip()
    if len(content) < MIN_LENGTH:
        raise ValidationError({"content": _("请把意见写得具体一些（至少5个字）。")})
    if len(content) > CONTENT_MAX_LENGTH:
        raise ValidationError({"content": _("意见不能超过%(n)s字。") % {"n": CONTENT_MAX_LENGTH}})
    return content


def _check_article(participation: Participation, article: Article | None) -> None:
    if article is not None and article.consultation_id != participation.consultation_id:
        raise ValidationError({"article": _("所选条款不属于本次征求意见的文本。")})


def _check_phone(phone: str) -> str:
    phone = (phone or "").strip()
    if phone and not is_phone(phone):
        raise ValidationError({"contact_phone": _("请填写正确的手机号（11位）或座机号。")})
    return phone


def _credit(comment: Comment) -> None:
    """A deputy's comments on a consultation are one duty (提出立法意见), dated by the first."""
    if comment.deputy_id is None:
        return
    consultation = comment.consultation
    first = (
        Comment.objects.filter(consultation=consultation, deputy_id=comment.deputy_id)
        .order_by("received_on")
        .values_list("received_on", flat=True)
        .first()
    )
    duty_credit(
        deputy=comment.deputy,
        kind=DutyKind.LEGISLATIVE_COMMENT,
        date=first or comment.received_on,
        source=consultation,
        title=_("对《%(title)s》提出立法意见") % {"title": consultation.title},
        url=reverse("legislation:detail", args=[consultation.pk]),
    )


def _create(*, actor, participation: Participation, **fields) -> Comment:
    last = participation.comments.aggregate(last=Max("number"))["last"] or 0
    comment = Comment(
        number=last + 1,
        consultation_id=participation.consultation_id,
        participation=participation,
        station_id=participation.station_id,
        region_id=participation.region_id,
        created_by=actor if can.signed_in(actor) else None,
        **fields,
    )
    comment.save()
    comment.consultation = participation.consultation
    audit_record(
        actor=actor,
        action=AuditRecord.Action.CREATE,
        obj=comment,
        changes=diff({}, snapshot(comment, FIELDS)),
        actor_label="" if can.signed_in(actor) else _("群众"),
    )
    _credit(comment)
    return comment


def comment_submit(
    *,
    actor,
    participation: Participation,
    content: str,
    article: Article | None = None,
    author_name: str = "",
    contact_phone: str = "",
    collector: Collector | None = None,
    submission_token: str | None = None,
) -> tuple[Comment, bool]:
    """A comment in the author's own name; returns (comment, created).

    `actor` None: someone on the public page (a citizen, or with `collector` the
    collector whose personal link this browser opened); a signed-in actor must be a
    deputy grouped into the point, and the comment is theirs. The same
    `submission_token` twice returns the first comment, untouched.
    """
    existing = comment_by_token(submission_token)
    if existing is not None:
        return existing, False
    content = _clean_content(content)
    contact_phone = _check_phone(contact_phone)
    try:
        with transaction.atomic():
            participation = _locked(participation)
            PARTICIPATION.check("comment", actor, participation)
            _check_article(participation, article)
            fields = {"content": content, "article": article, "received_on": clock.today()}
            if can.signed_in(actor):
                fields |= {
                    "author_kind": AuthorKind.DEPUTY,
                    "deputy": can.deputy_at_point(actor, participation),
                    "channel": Channel.PORTAL,
                }
            elif collector is not None:
                if not collector.active or collector.station_id != participation.station_id:
                    raise PermissionDenied(_("该信息采集员链接不属于本联系点或已停用。"))
                fields |= {
                    "author_kind": AuthorKind.COLLECTOR,
                    "collector": collector,
                    "channel": Channel.ONLINE,
                }
            else:
                fields |= {
                    "author_kind": AuthorKind.CITIZEN,
                    "author_name": (author_name or "").strip()[:64],
                    "contact_phone": contact_phone,
                    "channel": Channel.ONLINE,
                }
            comment = _create(
                actor=actor,
                participation=participation,
                submission_token=submission_token or None,
                **fields,
            )
        return comment, True
    except IntegrityError:
        # The same token raced in from a second request: the first one's receipt.
        again = comment_by_token(submission_token)
        if again is None:
            raise
        return again, False


def _author_fields(
    participation: Participation,
    *,
    author_kind: str,
    author_name: str = "",
    contact_phone: str = "",
    deputy=None,
    collector: Collector | None = None,
) -> dict:
    """Who made a comment the officer records, checked against the point's people."""
    from deputies.models import StationMembership, current_membership_q

    if author_kind not in AuthorKind.values:
        raise ValidationError({"author_kind": _("提出人类别不正确。")})
    if author_kind == AuthorKind.DEPUTY:
        grouped = (
            deputy is not None
            and StationMembership.objects.filter(
                current_membership_q(), station_id=participation.station_id, deputy=deputy
            ).exists()
        )
        if not grouped:
            raise ValidationError({"deputy": _("请选择编入本联系点的人大代表。")})
        return {"author_kind": author_kind, "deputy": deputy}
    if author_kind == AuthorKind.COLLECTOR:
        if collector is None or collector.station_id != participation.station_id:
            raise ValidationError({"collector": _("请选择本联系点在册的信息采集员。")})
        return {"author_kind": author_kind, "collector": collector}
    return {
        "author_kind": author_kind,
        "author_name": (author_name or "").strip()[:64],
        "contact_phone": _check_phone(contact_phone),
    }


def _check_received_on(participation: Participation, day: datetime.date) -> None:
    consultation = participation.consultation
    if day > clock.today():
        raise ValidationError({"received_on": _("收到日期不能晚于今天。")})
    if day < consultation.opens_on:
        raise ValidationError(
            {
                "received_on": _("收到日期不能早于征求意见开始日期（%(day)s）。")
                % {"day": consultation.opens_on}
            }
        )


def comment_record(
    *,
    actor,
    participation: Participation,
    content: str,
    channel: str,
    received_on: datetime.date,
    author_kind: str = AuthorKind.CITIZEN,
    article: Article | None = None,
    author_name: str = "",
    contact_phone: str = "",
    deputy=None,
    collector: Collector | None = None,
) -> Comment:
    """The point's officer (or staff over the point) records a comment gathered offline:
    at a 座谈会, from the 意见箱, on a visit... Refused after the closing date."""
    if channel not in OFFLINE_CHANNELS:
        raise ValidationError({"channel": _("请选择意见的收集渠道。")})
    content = _clean_content(content)
    with transaction.atomic():
        participation = _locked(participation)
        PARTICIPATION.check("record", actor, participation)
        _check_article(participation, article)
        _check_received_on(participation, received_on)
        author = _author_fields(
            participation,
            author_kind=author_kind,
            author_name=author_name,
            contact_phone=contact_phone,
            deputy=deputy,
            collector=collector,
        )
        return _create(
            actor=actor,
            participation=participation,
            content=content,
            article=article,
            channel=channel,
            received_on=received_on,
            **author,
        )


def comments_import(*, actor, participation: Participation, plans: list[dict]) -> list[Comment]:
    """Record every comment of a checked sheet (`legislation.importing`), all or none."""
    with transaction.atomic():
        participation = _locked(participation)
        PARTICIPATION.check("record", actor, participation)
        created = []
        for plan in plans:
            _check_article(participation, plan.get("article"))
            _check_received_on(participation, plan["received_on"])
            author = _author_fields(
                participation,
                author_kind=plan["author_kind"],
                author_name=plan.get("author_name", ""),
                contact_phone=plan.get("contact_phone", ""),
                deputy=plan.get("deputy"),
                collector=plan.get("collector"),
            )
            created.append(
                _create(
                    actor=actor,
                    participation=participation,
                    content=_clean_content(plan["content"]),
                    article=plan.get("article"),
                    channel=plan["channel"],
                    received_on=plan["received_on"],
                    **author,
                )
            )
    return created
