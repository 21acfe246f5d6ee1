from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """Background work a transaction asked for, written in that same transaction.

    A request never talks to the broker: the row is committed with the data it
    suggestions, then sent to Celery after commit (off the request thread) or by the
    periodic relay if the broker was down. The worker marks the row done in the
    same transaction as the work, so a message sent twice runs once.
    """

    task = models.CharField(max_length=200)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    # last time a copy was handed to the broker; None: never
    dispatched_at = models.DateTimeField(null=True, blank=True)
    # the work committed; None: still to do
    done_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("待发送任务")
        verbose_name_plural = _("待发送任务")
        indexes = [
            models.Index(
                fields=["created_at"],
                name="outbox_pending",
                condition=models.Q(done_at__isnull=True),
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"


class Heartbeat(models.Model):
    """When a periodic job last ran; the admin home page shows it."""

    name = models.CharField(max_length=100, unique=True)
    at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name
