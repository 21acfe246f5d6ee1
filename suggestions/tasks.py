"""Work the outbox runs after a suggestion changes (plain functions, called with ids).

Every notice to a person with an account goes through `notifications.services.notify`
(the in-app inbox, plus e-mail or SMS by each person's preference, with retries);
the citizen who left a phone number gets an SMS when the reply is ready. Each function runs once per
queued message (the outbox marks it done in the same transaction).
"""

import logging

from celery import shared_task
from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import clerks_of_units, officers_of_stations
from notifications.services import notify, sms_to_citizen

from .models import Assignment, HandlingUnit, Suggestion

logger = logging.getLogger("lianxin.suggestions")


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
        recipients.append(suggestion.deputy.user)
    if suggestion.station_id:
        ids = [suggestion.station_id]
        if suggestion.station.parent_id:
            ids.append(suggestion.station.parent_id)
        recipients += list(officers_of_stations(ids))
    logger.info(
        "new suggestion %s (%s)", suggestion.tracking_code, suggestion.get_category_display()
    )
    notify(
        recipients=list({user.pk: user for user in recipients}.values()),
        kind="suggestion_new",
        title=_("新的群众意见建议 %(code)s") % {"code": suggestion.display_code},
        body=_("收到一条新的群众意见建议（%(category)s），请登录平台查看。")
        % {"category": suggestion.get_category_display()},
        link=_detail_link(suggestion),
    )


def _clerks(unit_ids) -> list:
    return list(clerks_of_units(unit_ids))


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
    """Messages queued before calendars.tasks.move_deadlines took over (kept one release)."""
    from calendars.tasks import move_deadlines

    return move_deadlines(years=years, region_path=region_path)


def notify_acted_for_unit(*, assignment_id: int, action: str) -> None:
    """Tell a unit's clerks that congress staff signed, returned or replied in its place."""
    assignment = (
        Assignment.objects.select_related("suggestion", "unit").filter(pk=assignment_id).first()
    )
    if assignment is None:
        return
    suggestion = assignment.suggestion
    verbs = {"acknowledge": _("签收"), "return": _("退回"), "reply": _("答复")}
    notify(
        recipients=_clerks([assignment.unit_id]),
        kind="acted_for_unit",
        title=_("人大工作人员已代贵单位%(verb)s %(code)s")
        % {"verb": verbs.get(action, action), "code": suggestion.display_code},
        body=_("交办事项 %(code)s 已由人大工作人员代%(unit)s%(verb)s，请知悉。")
        % {
            "code": suggestion.display_code,
            "unit": assignment.unit.name,
            "verb": verbs.get(action, action),
        },
        link=_detail_link(suggestion),
    )


@shared_task(ignore_result=True, time_limit=300)
def rate_counters_prune() -> int:
    """Hourly (settings.CELERY_BEAT_SCHEDULE): the rate-limit counts of past windows."""
    from . import ratelimit

    return ratelimit.prune()
