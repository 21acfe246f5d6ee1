from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tenancy.querysets import ScopedQuerySet
from tenancy.scope import TenancyRule


class Notification(models.Model):
    """One message to one person: always in the in-app inbox, maybe also by e-mail or SMS."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类别"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, owner="recipient_id")

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient"], name="notification_unread", condition=models.Q(read_at=None)
            )
        ]

    def __str__(self) -> str:
        return self.title


class Delivery(models.Model):
    """One attempt-tracked sending of a notification (or a citizen's SMS) over a channel."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("电子邮件")
        SMS = "sms", _("短信")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")  # queued, not tried yet
        SENT = "sent", _("已发送")  # the backend accepted it
        FAILED = "failed", _("发送失败")  # last try failed; retried at next_attempt_at
        GAVE_UP = "gave_up", _("已放弃")  # failed NOTIFICATION_MAX_ATTEMPTS times

    notification = models.ForeignKey(
        Notification, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    channel = models.CharField(max_length=8, choices=Channel.choices)
    address = models.CharField(_("地址"), max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Whose region the message suggestions, so that region administrators see failures.
    region_path = models.CharField(max_length=80, blank=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path")

    class Meta:
        verbose_name = _("发送记录")
        verbose_name_plural = _("发送记录")
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_retry_due",
                condition=models.Q(status="failed"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.address}"


class Preference(models.Model):
    """How a person wants to be reached besides the inbox."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    by_email = models.BooleanField(_("同时发送电子邮件"), default=True)
    by_sms = models.BooleanField(_("同时发送短信"), default=False)

    class Meta:
        verbose_name = _("通知偏好")
        verbose_name_plural = _("通知偏好")

    def __str__(self) -> str:
        return str(self.user)
