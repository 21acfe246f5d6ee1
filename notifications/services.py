"""Sending notifications. Every message is a row first; a worker delivers it."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F

from accounts.models import RoleAssignment
from core import clock
from core.outbox import enqueue
from core.sms import get_sms_backend

from .models import Delivery, Notification, Preference

logger = logging.getLogger("lianxin.notifications")


def notify(
    *, recipients, kind: str, title: str, body: str = "", link: str = ""
) -> list[Notification]:
    """Put a notification in each recipient's inbox and queue e-mail/SMS per their preference.

    Call inside the transaction that caused it: the rows and the queued delivery
    commit together, and nothing here talks to a mail server or the broker.
    """
    recipients = [user for user in recipients if user is not None and user.is_active]
    if not recipients:
        return []
    home_paths = dict(
        RoleAssignment.objects.filter(user__in=[user.pk for user in recipients])
        .order_by("-pk")
        .values_list("user_id", "region_path")
    )
    preferences = {
        pref.user_id: pref
        for pref in Preference.objects.filter(user__in=[user.pk for user in recipients])
    }
    notifications = Notification.objects.bulk_create(
        [
            Notification(recipient=user, kind=kind, title=title, body=body, link=link)
            for user in recipients
        ]
    )
    deliveries = []
    for user, notification in zip(recipients, notifications, strict=True):
        preference = preferences.get(user.pk) or Preference(user=user)
        text = f"{title}\n{body}".strip()
        if preference.by_email and user.email:
            deliveries.append(
                Delivery(
                    notification=notification,
                    channel=Delivery.Channel.EMAIL,
                    address=user.email,
                    subject=title,
                    text=text + (f"\n{settings.PUBLIC_BASE_URL}{link}" if link else ""),
                    region_path=home_paths.get(user.pk, ""),
                )
            )
        if preference.by_sms and user.phone:
            deliveries.append(
                Delivery(
                    notification=notification,
                    channel=Delivery.Channel.SMS,
                    address=user.phone,
                    text=title,
                    region_path=home_paths.get(user.pk, ""),
                )
            )
    _queue(deliveries)
    return notifications


def sms_to_citizen(*, phone: str, text: str, region_path: str) -> Delivery | None:
    """An SMS to someone without an account (a citizen who left a phone number)."""
    if not phone:
        return None
    delivery = Delivery(
        channel=Delivery.Channel.SMS, address=phone, text=text, region_path=region_path
    )
    _queue([delivery])
    return delivery


def _queue(deliveries: list[Delivery]) -> None:
    if not deliveries:
        return
    created = Delivery.objects.bulk_create(deliveries)
    enqueue("notifications.services.deliver", delivery_ids=[d.pk for d in created])


def _send(delivery: Delivery) -> None:
    if delivery.channel == Delivery.Channel.EMAIL:
        send_mail(
            delivery.subject or delivery.text[:50],
            delivery.text,
            settings.DEFAULT_FROM_EMAIL,
            [delivery.address],
        )
    else:
        get_sms_backend().send(delivery.address, f"【{settings.SMS_SIGN_NAME}】{delivery.text}")


def deliver(*, delivery_ids: list[int]) -> None:
    """Send the given deliveries that are still due; failures are kept for a later retry.

    Never raises for a channel failure, so the outbox does not roll back the
    deliveries already sent in this batch.
    """
    now = clock.now()
    due = Delivery.objects.filter(
        pk__in=delivery_ids, status__in=[Delivery.Status.PENDING, Delivery.Status.FAILED]
    ).order_by("pk")
    for delivery in due:
        # Claim the row so a concurrent retry sweep cannot send it too.
        claimed = Delivery.objects.filter(pk=delivery.pk, status=delivery.status).update(
            attempts=F("attempts") + 1, next_attempt_at=None, status=Delivery.Status.PENDING
        )
        if not claimed:
            continue
        delivery.refresh_from_db(fields=["attempts"])
        try:
            _send(delivery)
        except Exception as error:  # any backend failure is recorded, not raised
            logger.warning("delivery %s failed: %s", delivery.pk, error)
            gave_up = delivery.attempts >= settings.NOTIFICATION_MAX_ATTEMPTS
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.GAVE_UP if gave_up else Delivery.Status.FAILED,
                last_error=f"{type(error).__name__}: {error}"[:2000],
                next_attempt_at=None if gave_up else now + _backoff(delivery.attempts),
            )
        else:
            Delivery.objects.filter(pk=delivery.pk).update(
                status=Delivery.Status.SENT, sent_at=clock.now(), last_error=""
            )


def _backoff(attempts: int) -> timedelta:
    return timedelta(minutes=min(2 ** (attempts - 1), 240))


def retry_due_deliveries(*, batch_size: int = 200) -> int:
    """Queue failed deliveries whose back-off has passed (run by beat)."""
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(status=Delivery.Status.FAILED, next_attempt_at__lte=clock.now())
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:batch_size]
        )
        if ids:
            # Clearing the due time takes them out of the next sweep; deliver()
            # still picks them up by their FAILED status.
            Delivery.objects.filter(pk__in=ids).update(next_attempt_at=None)
            enqueue("notifications.services.deliver", delivery_ids=ids)
    return len(ids)


def notification_mark_read(*, user, notification_ids=None) -> int:
    """Mark the user's own notifications read (all unread ones when ids is None)."""
    unread = Notification.objects.visible_to(user).filter(read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=notification_ids)
    return unread.update(read_at=clock.now())
