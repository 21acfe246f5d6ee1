"""Work the outbox runs after a concern changes (plain functions, called with ids).

Notifications are a log line and, where the recipient has an e-mail address, an
e-mail; a later issue brings SMS and in-portal notices. Each function is safe to
run twice (the outbox already runs a message once).
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Role, RoleAssignment

from .models import Assignment, HandlingUnit, Suggestion

logger = logging.getLogger("lianxin.suggestions")


def _mail(recipients: list[str], subject: str, body: str) -> None:
    recipients = sorted({address for address in recipients if address})
    if recipients:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)


def _station_officer_emails(station_ids) -> list[str]:
    return list(
        RoleAssignment.objects.filter(
            role=Role.STATION_OFFICER, station_id__in=station_ids, user__is_active=True
        ).values_list("user__email", flat=True)
    )


def _clerk_emails(unit_ids) -> list[str]:
    return list(
        RoleAssignment.objects.filter(
            role=Role.UNIT_CLERK, unit_id__in=unit_ids, user__is_active=True
        ).values_list("user__email", flat=True)
    )


def notify_new_suggestion(*, suggestion_id: int) -> None:
    """Tell the deputy and the station's liaison officers that a concern came in."""
    suggestion = (
        Suggestion.objects.select_related("deputy__user", "station")
        .filter(pk=suggestion_id)
        .first()
    )
    if suggestion is None:
        return
    recipients = []
    if suggestion.deputy and suggestion.deputy.user:
        recipients.append(suggestion.deputy.user.email)
    if suggestion.station_id:
        ids = [suggestion.station_id]
        if suggestion.station.parent_id:
            ids.append(suggestion.station.parent_id)
        recipients += _station_officer_emails(ids)
    logger.info("new concern %s (%s)", suggestion.tracking_code, suggestion.get_category_display())
    _mail(
        recipients,
        _("新的群众意见建议 %(code)s") % {"code": suggestion.display_code},
        _("收到一条新的群众意见建议（%(category)s），请登录平台查看：%(path)s")
        % {
            "category": suggestion.get_category_display(),
            "path": reverse("suggestions:detail", args=[suggestion.pk]),
        },
    )


def notify_assignment(*, suggestion_id: int, unit_ids: list[int]) -> None:
    suggestion = Suggestion.objects.filter(pk=suggestion_id).first()
    if suggestion is None:
        return
    names = ", ".join(HandlingUnit.objects.filter(pk__in=unit_ids).values_list("name", flat=True))
    logger.info("concern %s assigned to %s", suggestion.tracking_code, names)
    _mail(
        _clerk_emails(unit_ids),
        _("交办通知 %(code)s") % {"code": suggestion.display_code},
        _("有一件群众意见建议交由贵单位办理，答复期限%(due)s，请及时签收。")
        % {"due": suggestion.due_date},
    )


def notify_returned(*, assignment_id: int) -> None:
    assignment = (
        Assignment.objects.select_related("suggestion", "unit").filter(pk=assignment_id).first()
    )
    if assignment is not None:
        logger.info(
            "concern %s returned by %s", assignment.suggestion.tracking_code, assignment.unit
        )


def notify_replied(*, suggestion_id: int) -> None:
    suggestion = Suggestion.objects.filter(pk=suggestion_id).first()
    if suggestion is not None:
        logger.info("concern %s replied; follow-up due", suggestion.tracking_code)


def notify_reopened(*, suggestion_id: int) -> None:
    suggestion = Suggestion.objects.filter(pk=suggestion_id).first()
    if suggestion is not None:
        logger.info("concern %s reopened after an unsatisfied follow-up", suggestion.tracking_code)


def recompute_deadlines(*, years: list[int], region_path: str = "") -> int:
    """Count provisional due dates again after the holiday calendar changed."""
    from .deadlines import recompute_provisional

    return recompute_provisional(years=years, region_path=region_path)
