"""督办 (supervision by the level above) and the logs that make reminders happen once.

`Supervision`: one suggestion supervised by one congress level. `region` is the
supervising congress (RegionScoped, so its staff find it by their subtree);
`suggestion_region_path` is a copy of the suggestion's region path, and visibility
follows it: the supervising region is always an ancestor of the suggestion's region,
so the supervisors, the suggestion's own township and county staff (and leaders above)
all see the record, and nobody beside them does. Unit clerks, station officers and
deputies do not: a supervision letter is an internal document between congresses
and units.

`ReminderLog` and `DutyReminderLog` are claims: a row is inserted before a
reminder is queued, and their unique constraints make a second sweep (a double
beat, a second worker, a retried batch) insert nothing and so remind nobody twice.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from regions.models import RegionScoped, region_path_index
from tenancy.querysets import ScopedQuerySet
from tenancy.scope import TenancyRule


def congress_name(region) -> str:
    """The body that supervises for a region: 人大常委会 (county and up), 人大主席团 (township)."""
    if region.level == "township":
        if region.name.endswith("街道"):
            return gettext("%(name)s人大工委") % {"name": region.name}
        return gettext("%(name)s人大主席团") % {"name": region.name}
    return gettext("%(name)s人大常委会") % {"name": region.name}


class Supervision(RegionScoped):
    """A suggestion supervised (督办) by the congress of `region`, by the system or a person."""

    class Reason(models.TextChoices):
        ACKNOWLEDGE_OVERDUE = "ack_overdue", _("逾期未签收")  # a unit did not sign in time
        REPLY_OVERDUE = "reply_overdue", _("逾期未答复")  # the reply deadline passed
        STILL_OVERDUE = "still_overdue", _("督办后仍逾期")  # escalated one more level
        BY_HAND = "by_hand", _("工作人员督办")  # staff supervised it themselves

    suggestion = models.ForeignKey(
        "suggestions.Suggestion",
        verbose_name=_("意见建议"),
        on_delete=models.CASCADE,
        related_name="supervisions",
    )
    suggestion_region_path = models.CharField(max_length=80, editable=False)
    reason = models.CharField(_("督办原因"), max_length=16, choices=Reason.choices)
    note = models.TextField(_("督办意见"), blank=True, max_length=1000)
    # The deadline that was missed, and the unit that missed it (None: handled locally).
    due_date = models.DateField(_("原定期限"), null=True, blank=True)
    unit = models.ForeignKey(
        "suggestions.HandlingUnit",
        verbose_name=_("承办单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervisions",
    )
    # None: escalated by the overdue sweep.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("督办人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("督办时间"), default=timezone.now)
    key = models.BooleanField(_("重点督办"), default=False)
    key_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    key_marked_at = models.DateTimeField(null=True, blank=True)
    # When the supervising staff and the unit were told; None: not yet.
    notified_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="suggestion_region_path")

    class Meta:
        verbose_name = _("督办")
        verbose_name_plural = _("督办")
        ordering = ["-key", "created_at", "pk"]
        indexes = [
            region_path_index("supervision"),
            models.Index(
                fields=["suggestion_region_path"],
                name="supervision_spath",
                opclasses=["varchar_pattern_ops"],
            ),
            models.Index(fields=["-key", "created_at"], name="supervision_queue"),
        ]
        constraints = [
            # Once per suggestion and level, however many sweeps or people try.
            models.UniqueConstraint(
                fields=["suggestion", "region"], name="supervision_once_per_level"
            )
        ]

    def __str__(self) -> str:
        return f"{self.suggestion_id} · {self.region_id}"

    @property
    def by_system(self) -> bool:
        return self.created_by_id is None


class ReminderLog(models.Model):
    """A unit was reminded of one deadline of one assignment (claimed before queuing)."""

    class Kind(models.TextChoices):
        ACKNOWLEDGE = "acknowledge", _("签收期限")
        REPLY = "reply", _("答复期限")

    assignment = models.ForeignKey(
        "suggestions.Assignment", on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    due_date = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(
        region="assignment__suggestion__region_path", unit="assignment__unit_id"
    )

    class Meta:
        verbose_name = _("到期提醒")
        verbose_name_plural = _("到期提醒")
        constraints = [
            # A new due date (after an extension) may be reminded again; the same one not.
            models.UniqueConstraint(
                fields=["assignment", "kind", "due_date"], name="reminder_once_per_deadline"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assignment_id} {self.kind} {self.due_date}"


class DutyReminderLog(models.Model):
    """A deputy was reminded of one reception day at one station (claimed before queuing)."""

    deputy = models.ForeignKey(
        "deputies.Deputy", on_delete=models.CASCADE, related_name="duty_reminders"
    )
    station = models.ForeignKey("stations.Station", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="deputy__region_path", deputy="deputy_id")

    class Meta:
        verbose_name = _("值班提醒")
        verbose_name_plural = _("值班提醒")
        constraints = [
            models.UniqueConstraint(
                fields=["deputy", "station", "date"], name="duty_reminder_once_per_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.deputy_id} {self.station_id} {self.date}"
