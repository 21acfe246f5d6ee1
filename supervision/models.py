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
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import clock
from core.due import DueRule
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

    # What is supervised: a people's suggestion, or a tracked deadline of another
    # workflow (a formal suggestion's reply, a livelihood project's plan...).
    suggestion = models.ForeignKey(
        "suggestions.Suggestion",
        verbose_name=_("意见建议"),
        on_delete=models.CASCADE,
        related_name="supervisions",
        null=True,
        blank=True,
    )
    deadline = models.ForeignKey(
        "supervision.TrackedDeadline",
        verbose_name=_("办理期限"),
        on_delete=models.CASCADE,
        related_name="supervisions",
        null=True,
        blank=True,
    )
    # The supervised item's region path (visibility follows it).
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
    created_at = models.DateTimeField(_("督办时间"), default=clock.now)
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
            # Once per suggestion (or deadline) and level, however many sweeps or people try.
            models.UniqueConstraint(
                fields=["suggestion", "region"], name="supervision_once_per_level"
            ),
            models.UniqueConstraint(
                fields=["deadline", "region"], name="supervision_deadline_once_per_level"
            ),
            models.CheckConstraint(
                condition=Q(suggestion__isnull=True) ^ Q(deadline__isnull=True),
                name="supervision_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.suggestion_id or self.deadline_id} · {self.region_id}"

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
    created_at = models.DateTimeField(default=clock.now)
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
    created_at = models.DateTimeField(default=clock.now)
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


class TrackedDeadline(RegionScoped):
    """A deadline of any workflow that the supervision machinery watches.

    Apps register their deadlines with `supervision.tracking.track` in the same
    transaction that sets them (a formal suggestion's reply, a livelihood project's
    plan, a body fixing an appointment...) and settle them when met. The sweeps
    remind before `due_date` and supervise after it, exactly once per level, like
    the people's suggestions. `region` is the body whose process it is; `unit` (or
    `responsible`) is who must act. `due_start`/`due_spec` let a holiday change
    count the date again.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("进行中")  # the deadline runs
        MET = "met", _("已完成")  # done (on time or late)
        CANCELLED = "cancelled", _("已取消")  # no longer needed (withdrawn, refused...)

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    subject = GenericForeignKey("content_type", "object_id")
    kind = models.CharField(_("期限类别"), max_length=40)
    # What must be done, and on what: "答复代表建议", "建议〔2026〕12号 关于…".
    label = models.CharField(_("办理事项"), max_length=60)
    title = models.CharField(_("名称"), max_length=200)
    link = models.CharField(max_length=300, blank=True)
    unit = models.ForeignKey(
        "suggestions.HandlingUnit",
        verbose_name=_("承办单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tracked_deadlines",
    )
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    due_date = models.DateField(_("期限"))
    due_start = models.DateField(null=True, blank=True)
    due_spec = models.CharField(max_length=32, blank=True)
    due_rule = models.CharField(max_length=200, blank=True)
    due_provisional = models.BooleanField(default=False)
    remind_days_before = models.PositiveSmallIntegerField(default=2)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=clock.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    # "Overdue" for every tracked deadline: open and past its date.
    DUE = DueRule("due_date", "status", (Status.OPEN,))

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path", unit="unit_id")

    class Meta:
        verbose_name = _("办理期限")
        verbose_name_plural = _("办理期限")
        indexes = [
            region_path_index("trackeddl"),
            models.Index(fields=["content_type", "object_id"], name="trackeddl_subject"),
            models.Index(
                fields=["due_date"], name="trackeddl_open_due", condition=Q(status="open")
            ),
        ]
        constraints = [
            # One running deadline of a kind per subject; a new one replaces it.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "kind"],
                condition=Q(status="open"),
                name="trackeddl_one_open_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} · {self.title}"

    @property
    def is_overdue(self) -> bool:
        return self.DUE.is_overdue(self)


class TrackedReminder(models.Model):
    """Someone was reminded of one tracked deadline's date (claimed before queuing)."""

    deadline = models.ForeignKey(
        TrackedDeadline, on_delete=models.CASCADE, related_name="reminders"
    )
    due_date = models.DateField()
    created_at = models.DateTimeField(default=clock.now)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["deadline", "due_date"], name="trackedreminder_once_per_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.deadline_id} {self.due_date}"
