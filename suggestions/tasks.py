"""Work the outbox runs after a suggestion changes (plain functions, called with ids).

New suggestions reach the deputy and station officers by e-mail; assignments, late
signatures and returns go through `notifications.services.notify` (the in-app
inbox, plus e-mail or SMS by each person's preference), and the citizen who left a
phone number gets an SMS when the reply is ready. Each function runs once per
queued message (the outbox marks it done in the same transaction).
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, RoleAssignment, User
from notifications.services import notify, sms_to_citizen

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


def notify_new_suggestion(*, suggestion_id: int) -> None:
    """Tell the deputy and the station's liaison officers that a suggestion came in."""
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
    logger.info(
        "new suggestion %s (%s)", suggestion.tracking_code, suggestion.get_category_display()
    )
    _mail(
        recipients,
        _("新的群众意见建议 %(code)s") % {"code": suggestion.display_code},
        _("收到一条新的群众意见建议（%(category)s），请登录平台查看：%(path)s")
        % {
            "category": suggestion.get_category_display(),
            "path": reverse("suggestions:detail", args=[suggestion.pk]),
        },
    )


def _clerks(unit_ids) -> list:
    return list(
        User.objects.filter(
            is_active=True,
            role_assignments__role=Role.UNIT_CLERK,
            role_assignments__unit_id__in=list(unit_ids),
        ).distinct()
    )


def _detail_link(suggestion: Suggestion) -> str:
    return reverse("suggestions:detail", args=[suggestion.pk])


def notify_assignment(*, suggestion_id: int, unit_ids: list[int]) -> None:
    """Tell the clerks of each unit the suggestion was assigned to (inbox, e-mail or SMS)."""
    suggestion = Suggestion.objects.filter(pk=suggestion_id).first()
    if suggestion is None:
        return
    names = ", ".join(HandlingUnit.objects.filter(pk__in=unit_ids).values_list("name", flat=True))
    logger.info("suggestion %s assigned to %s", suggestion.tracking_code, names)
    ack_due = (
        Assignment.objects.filter(suggestion=suggestion, unit_id__in=unit_ids)
        .order_by("acknowledge_due")
        .values_list("acknowledge_due", flat=True)
        .first()
    )
    notify(
        recipients=_clerks(unit_ids),
        kind="suggestion_assigned",
        title=_("交办通知 %(code)s") % {"code": suggestion.display_code},
        body=_(
            "有一件群众意见建议（%(category)s）交由贵单位办理，请于%(ack)s前签收，答复期限%(due)s。"
        )
        % {
            "category": suggestion.get_category_display(),
            "ack": ack_due.isoformat() if ack_due else "—",
            "due": suggestion.due_date.isoformat() if suggestion.due_date else "—",
        },
        link=_detail_link(suggestion),
    )


def notify_late_acknowledged(*, assignment_id: int) -> None:
    """Tell the assigner that a unit signed after its signing deadline."""
    assignment = (
        Assignment.objects.select_related("suggestion", "unit", "assigned_by")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None:
        return
    suggestion = assignment.suggestion
    notify(
        recipients=[assignment.assigned_by],
        kind="assignment_late",
        title=_("%(unit)s逾期签收 %(code)s")
        % {"unit": assignment.unit.name, "code": suggestion.display_code},
        body=_("签收期限为%(due)s，实际签收于%(at)s。")
        % {
            "due": assignment.acknowledge_due.isoformat() if assignment.acknowledge_due else "—",
            "at": timezone.localtime(assignment.acknowledged_at).strftime("%Y-%m-%d %H:%M")
            if assignment.acknowledged_at
            else "—",
        },
        link=_detail_link(suggestion),
    )


def notify_returned(*, assignment_id: int) -> None:
    """Tell the assigner that a unit sent the suggestion back, with its reason."""
    assignment = (
        Assignment.objects.select_related("suggestion", "unit", "assigned_by")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None:
        return
    suggestion = assignment.suggestion
    logger.info("suggestion %s returned by %s", suggestion.tracking_code, assignment.unit)
    notify(
        recipients=[assignment.assigned_by],
        kind="assignment_returned",
        title=_("%(unit)s退回交办事项 %(code)s")
        % {"unit": assignment.unit.name, "code": suggestion.display_code},
        body=_("退回理由：%(reason)s") % {"reason": assignment.return_reason},
        link=_detail_link(suggestion),
    )


def tracking_url(suggestion: Suggestion) -> str:
    """The citizen's tracking page on the public site (asks for the phone's last digits)."""
    path = reverse("public_suggestions:track_detail", args=[suggestion.tracking_code])
    return f"{settings.PUBLIC_BASE_URL}{path}"


def notify_replied(*, suggestion_id: int) -> None:
    """Text the citizen who left a phone number: the reply is ready, with the link to rate it."""
    suggestion = Suggestion.objects.select_related("constituent").filter(pk=suggestion_id).first()
    if suggestion is None:
        return
    logger.info("suggestion %s replied; follow-up due", suggestion.tracking_code)
    phone = suggestion.constituent.phone if suggestion.constituent else ""
    sms_to_citizen(
        phone=phone,
        text=_("您反映的问题（查询码%(code)s）已答复，请查看答复并评价：%(url)s")
        % {"code": suggestion.display_code, "url": tracking_url(suggestion)},
        region_path=suggestion.region_path,
    )


def notify_reopened(*, suggestion_id: int) -> None:
    suggestion = Suggestion.objects.filter(pk=suggestion_id).first()
    if suggestion is not None:
        logger.info(
            "suggestion %s reopened after an unsatisfied follow-up", suggestion.tracking_code
        )


def recompute_deadlines(*, years: list[int], region_path: str = "") -> int:
    """Count provisional due dates again after the holiday calendar changed."""
    from .deadlines import recompute_provisional

    return recompute_provisional(years=years, region_path=region_path)
