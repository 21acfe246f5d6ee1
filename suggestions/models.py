"""Suggestions and suggestions from the people (群众意见建议) and the bodies that handle them.

One `Suggestion` keeps the whole record of a suggestion (一事一记): its timeline
(`SuggestionEvent`), the units it was assigned to (`Assignment`), extension requests,
the reply and the citizen's satisfaction. State changes happen only in
`suggestions.services`.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock
from core.counted import CountedQuerySet
from core.due import DueRule
from core.tokens import readable_code
from regions.models import RegionScoped, region_path_index
from tenancy.querysets import ScopedQuerySet
from tenancy.scope import TenancyRule

CONTENT_MAX_LENGTH = 1000
PLACE_MAX_LENGTH = 120
TRACKING_CODE_LENGTH = 8


class Category(models.TextChoices):
    """What a suggestion is about; the reply deadline depends on it (see SLAProfile)."""

    ROADS = "roads", _("道路交通")
    GAS = "gas", _("燃气")
    WATER = "water", _("供水")
    HEATING = "heating", _("供暖")
    DRAINAGE = "drainage", _("排水防涝")
    PARKING = "parking", _("停车")
    OLD_HOUSING = "old_housing", _("老旧小区")
    SCHOOLS = "schools", _("教育入学")
    ELDERLY_CARE = "elderly_care", _("养老服务")
    ENVIRONMENT = "environment", _("环境卫生")
    EMPLOYMENT = "employment", _("就业社保")
    OTHER = "other", _("其他")


class Channel(models.TextChoices):
    """How the suggestion reached us."""

    QR = "qr", _("扫码反映")
    STATION = "station", _("联络站接待")
    RECEPTION = "reception", _("代表接待日")
    VISIT = "visit", _("走访")
    ONLINE = "online", _("网上联络站")
    PHONE = "phone", _("电话")
    MAIL = "mail", _("来信")
    OPEN311 = "open311", _("对接系统")  # another system (12345 hotline...) handed it over


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class RejectReason(models.TextChoices):
    """Suggestions that belong to other legal procedures are refused with a reason."""

    LITIGATION = "litigation", _("已进入或应通过诉讼程序解决")
    ARBITRATION = "arbitration", _("应通过仲裁解决")
    RECONSIDERATION = "reconsideration", _("应通过行政复议解决")
    PERSONAL_DISPUTE = "personal_dispute", _("属个人之间的民事纠纷")
    OTHER = "other", _("其他不予受理情形")


class HandlingUnit(RegionScoped):
    """A body suggestions are assigned to (承办单位): a department, township government..."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("政府部门")
        TOWNSHIP_GOVERNMENT = "township_government", _("乡镇政府（街道办）")
        UTILITY = "utility", _("公用事业单位")
        COURT = "court", _("法院")
        PROCURATORATE = "procuratorate", _("检察院")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices, default=Kind.DEPARTMENT)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    duties = models.CharField(_("主要职责"), max_length=200, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path", unit="pk")

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering = ["region_path", "name"]
        indexes = [region_path_index("unit")]
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="unit_unique_name_in_region")
        ]

    def __str__(self) -> str:
        return self.name


class SLAProfile(RegionScoped):
    """Deadlines for public suggestions in one region, for one category or (blank) all.

    The nearest region up the tree that has a profile decides; in that region a
    profile for the suggestion's category beats the general one. Without any profile
    the built-in defaults of `suggestions.deadlines` apply (12345 hotline practice).
    """

    category = models.CharField(
        _("类别"),
        max_length=20,
        choices=Category.choices,
        blank=True,
        help_text=_("留空表示所有类别"),
    )
    acknowledge_days = models.PositiveSmallIntegerField(_("签收期限（工作日）"), default=2)
    return_days = models.PositiveSmallIntegerField(_("退回期限（工作日）"), default=2)
    reply_days = models.PositiveSmallIntegerField(_("答复期限（工作日）"), default=10)
    rehandle_months = models.PositiveSmallIntegerField(_("不满意再办理期限（月）"), default=1)
    remind_days_before = models.PositiveSmallIntegerField(
        _("到期前提醒（工作日）"),
        default=2,
        help_text=_("签收和答复期限届满前几个工作日提醒承办单位；0表示不提醒。"),
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path")

    class Meta:
        verbose_name = _("办理期限规则")
        verbose_name_plural = _("办理期限规则")
        ordering = ["region_path", "category"]
        indexes = [region_path_index("sla")]
        constraints = [
            models.UniqueConstraint(fields=["region", "category"], name="sla_one_per_category")
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self.get_category_display() or _('所有类别')}"


class Constituent(RegionScoped):
    """A citizen who raised a suggestion (选民/群众), one row per phone number in a county.

    `region` is the county (or the city, for a suggestion raised at city level): the
    same phone number in the same county is the same person. Phone numbers are
    shown masked; revealing one is an audited action.
    """

    name = models.CharField(_("姓名"), max_length=64, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    village = models.CharField(_("村（社区）"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    # County staff see their county's constituents; a station officer or deputy sees
    # the people who came through their station or code.
    tenancy_rule = TenancyRule(
        region="region_path", station="suggestions__station", deputy="suggestions__deputy"
    )

    class Meta:
        verbose_name = _("群众")
        verbose_name_plural = _("群众")
        ordering = ["region_path", "name"]
        indexes = [region_path_index("constituent")]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "phone"],
                condition=~Q(phone=""),
                name="constituent_one_per_phone_in_region",
            )
        ]

    def __str__(self) -> str:
        return self.name or _("匿名群众")


def new_tracking_code() -> str:
    return readable_code(TRACKING_CODE_LENGTH)


def unit_holds_q(prefix: str) -> Q:
    """The assignment is running or done (not returned as misrouted, not withdrawn)."""
    return Q(**{f"{prefix}status__in": ["pending", "acknowledged", "done"]})


# For rows that belong to one suggestion (photos, attachments, extensions): seen by
# whoever sees the suggestion.
FOLLOWS_ITS_SUGGESTION = TenancyRule(
    region="suggestion__region_path",
    station="suggestion__station_id",
    deputy="suggestion__deputy_id",
    unit="suggestion__assignments__unit",
    unit_condition=lambda: unit_holds_q("suggestion__assignments__"),
)


class Suggestion(RegionScoped):
    """One suggestion raised by the people, from intake to closing (一事一记)."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待受理")  # received, nobody has looked at it yet
        ACCEPTED = "accepted", _("已受理")  # in scope, waiting for a handling decision
        REJECTED = "rejected", _("不予受理")  # out of scope (litigation...), closed with a reason
        ASSIGNED = "assigned", _("已交办")  # sent to handling units, lead unit not yet signed
        HANDLING = (
            "handling",
            _("办理中"),
        )  # signed by the lead unit, or handled by station/township
        REPLIED = "replied", _("已答复")  # answer given, waiting for the return visit
        CLOSED = "closed", _("已办结")  # return visit done, satisfaction recorded
        MERGED = "merged", _("已合并")  # a duplicate, folded into `merged_into`

    class Handling(models.TextChoices):
        """Graded handling (分级处理): who answers the suggestion."""

        ON_SPOT = "on_spot", _("代表当场答复")
        LOCAL = "local", _("联络站/乡镇自行办理")
        ASSIGNED = "assigned", _("交办承办单位")

    OPEN_STATUSES = (
        Status.SUBMITTED,
        Status.ACCEPTED,
        Status.ASSIGNED,
        Status.HANDLING,
        Status.REPLIED,
    )
    # Statuses in which a reply deadline is running.
    RUNNING_STATUSES = (Status.ASSIGNED, Status.HANDLING)
    # "Overdue" and "due soon" for the reply deadline: every reader asks this rule.
    REPLY_DUE = DueRule("due_date", "status", RUNNING_STATUSES)

    tracking_code = models.CharField(
        _("查询码"), max_length=16, unique=True, default=new_tracking_code, editable=False
    )
    # Random token issued with the intake form: a retried POST finds the same row.
    submission_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    channel = models.CharField(_("渠道"), max_length=12, choices=Channel.choices)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    content = models.TextField(_("反映内容"), max_length=CONTENT_MAX_LENGTH)
    place = models.CharField(_("地点"), max_length=PLACE_MAX_LENGTH, blank=True)
    # Where it is, when the phone (with the citizen's permission) or a client system said.
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    deputy = models.ForeignKey(
        "deputies.Deputy",
        verbose_name=_("人大代表"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suggestions",
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("联络站点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suggestions",
    )
    constituent = models.ForeignKey(
        Constituent,
        verbose_name=_("反映人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="suggestions",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    handling = models.CharField(_("办理方式"), max_length=12, choices=Handling.choices, blank=True)
    reject_reason = models.CharField(
        _("不予受理理由"), max_length=20, choices=RejectReason.choices, blank=True
    )
    reject_note = models.TextField(_("不予受理说明"), blank=True)
    reply_text = models.TextField(_("答复内容"), blank=True)
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    satisfaction = models.CharField(
        _("满意度"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    followed_up_at = models.DateTimeField(_("回访时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # 不满意 reopens a suggestion once; the second 不满意 closes it for good.
    reopened_count = models.PositiveSmallIntegerField(_("再办理次数"), default=0)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("合并至"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_duplicates",
    )
    # The running reply deadline. `due_start` + `due_spec` ("wd:10", "m:1") recompute
    # it when the holiday calendar changes while `due_provisional` is set.
    due_date = models.DateField(_("答复期限"), null=True, blank=True)
    due_rule = models.CharField(_("期限依据"), max_length=200, blank=True)
    due_provisional = models.BooleanField(_("期限暂定"), default=False)
    due_start = models.DateField(null=True, blank=True)
    due_spec = models.CharField(max_length=16, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), default=clock.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The congress that assigned the suggestion or handles it itself (township, county,
    # city); 督办 escalates to the level above it. None: the suggestion's own township
    # or county (rows from before this field).
    assigner_region = models.ForeignKey(
        "regions.Region",
        verbose_name=_("交办层级"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = CountedQuerySet.as_manager()
    tenancy_rule = TenancyRule(
        region="region_path",
        station="station_id",
        deputy="deputy_id",
        unit="assignments__unit",
        # A unit keeps the suggestions it holds or answered, not those it sent back
        # or that were taken from it.
        unit_condition=lambda: unit_holds_q("assignments__"),
    )

    class Meta:
        verbose_name = _("群众意见建议")
        verbose_name_plural = _("群众意见建议")
        ordering = ["-submitted_at", "-pk"]
        indexes = [
            # Subtree filters, and a subtree's suggestions received in a period (a
            # dashboard's today, a ledger's month) without visiting the other rows.
            models.Index(
                fields=["region_path", "submitted_at"],
                name="suggestion_rpath_received",
                opclasses=["varchar_pattern_ops", "timestamptz_ops"],
            ),
            models.Index(fields=["status", "due_date"], name="suggestion_status_due"),
            # The overdue and reminder sweeps read open suggestions by due date only.
            models.Index(
                fields=["due_date"],
                name="suggestion_running_due",
                condition=Q(status__in=["assigned", "handling"]),
            ),
            # "Overdue now" in a region's subtree (dashboards): the running ones only.
            models.Index(
                fields=["region_path", "due_date"],
                name="suggestion_running_rpath",
                opclasses=["varchar_pattern_ops", "date_ops"],
                condition=Q(status__in=["assigned", "handling"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_code} {self.content[:20]}"

    @property
    def display_code(self) -> str:
        """The tracking code in groups of four, easy to read over the phone."""
        code = self.tracking_code
        return " ".join(code[i : i + 4] for i in range(0, len(code), 4))

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def is_running(self) -> bool:
        """A reply deadline is running (assigned or being handled)."""
        return self.status in self.RUNNING_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.REPLY_DUE.is_overdue(self)


class SuggestionPhoto(models.Model):
    """A photo the citizen attached, re-encoded on upload (no EXIF, no GPS)."""

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to="suggestions/photos/%Y/%m/")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = FOLLOWS_ITS_SUGGESTION

    class Meta:
        verbose_name = _("照片")
        verbose_name_plural = _("照片")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.image.name


class ReplyAttachment(models.Model):
    """A file sent with the reply (答复函, photos of the repair...)."""

    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.CASCADE, related_name="reply_attachments"
    )
    file = models.FileField(_("附件"), upload_to="suggestions/replies/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = FOLLOWS_ITS_SUGGESTION

    class Meta:
        verbose_name = _("答复附件")
        verbose_name_plural = _("答复附件")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """A suggestion assigned (交办) to one handling unit, as lead (主办) or co-handler (协办)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("主办")
        CO = "co", _("协办")

    class Status(models.TextChoices):
        PENDING = "pending", _("待签收")  # sent, the unit has not signed yet
        ACKNOWLEDGED = "acknowledged", _("已签收")  # signed, being handled
        RETURNED = "returned", _("已退回")  # sent back as misrouted, with a reason
        DONE = "done", _("已办结")  # the suggestion was replied to or closed
        WITHDRAWN = "withdrawn", _("已撤回")  # the suggestion was merged or re-routed

    ACTIVE_STATUSES = (Status.PENDING, Status.ACKNOWLEDGED)
    # "Overdue" for signing: the unit has not signed by `acknowledge_due`.
    ACKNOWLEDGE_DUE = DueRule("acknowledge_due", "status", (Status.PENDING,))

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("承办单位"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    role = models.CharField(_("主办/协办"), max_length=4, choices=Role.choices, default=Role.LEAD)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    note = models.TextField(_("交办意见"), blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(_("交办时间"), default=clock.now)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    # Deadlines to sign and to send a misrouted suggestion back, counted from `due_start`.
    due_start = models.DateField(null=True, blank=True)
    acknowledge_due = models.DateField(_("签收期限"), null=True, blank=True)
    acknowledge_spec = models.CharField(max_length=16, blank=True)
    acknowledge_rule = models.CharField(max_length=200, blank=True)
    acknowledge_provisional = models.BooleanField(default=False)
    return_due = models.DateField(_("退回期限"), null=True, blank=True)
    return_spec = models.CharField(max_length=16, blank=True)
    return_rule = models.CharField(max_length=200, blank=True)
    return_provisional = models.BooleanField(default=False)

    objects = ScopedQuerySet.as_manager()
    # Staff, station and deputy see it through the suggestion; a clerk sees their
    # own unit's assignments only, not the co-handlers'.
    tenancy_rule = TenancyRule(
        region="suggestion__region_path",
        station="suggestion__station_id",
        deputy="suggestion__deputy_id",
        unit="unit_id",
    )

    class Meta:
        verbose_name = _("交办")
        verbose_name_plural = _("交办")
        ordering = ["suggestion", "role", "pk"]
        indexes = [
            models.Index(fields=["unit", "status"], name="assignment_unit_status"),
            # The sweeps read unsigned assignments by their signing deadline.
            models.Index(
                fields=["acknowledge_due"],
                name="assignment_pending_ack_due",
                condition=Q(status="pending"),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion", "unit"],
                condition=Q(status__in=["pending", "acknowledged"]),
                name="assignment_one_active_per_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_role_display()}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def acknowledge_overdue(self) -> bool:
        return self.ACKNOWLEDGE_DUE.is_overdue(self)


class ExtensionRequest(models.Model):
    """A handler asks, before the deadline, for more time to reply (申请延期)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")  # waiting for the assigning staff
        APPROVED = "approved", _("已批准")  # the reply deadline moved
        REFUSED = "refused", _("未批准")  # the deadline stands

    suggestion = models.ForeignKey(Suggestion, on_delete=models.CASCADE, related_name="extensions")
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, null=True, blank=True, related_name="extensions"
    )
    days = models.PositiveSmallIntegerField(_("延长工作日"))
    reason = models.TextField(_("延期理由"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=clock.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("审批意见"), blank=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = FOLLOWS_ITS_SUGGESTION

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["suggestion"],
                condition=Q(status="pending"),
                name="extension_one_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.suggestion_id} +{self.days}"


class SuggestionEvent(models.Model):
    """One step in a suggestion's timeline: plain Chinese for the citizen, detail for staff."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("提交")
        ACCEPTED = "accepted", _("受理")
        REJECTED = "rejected", _("不予受理")
        ANSWERED_ON_SPOT = "on_spot", _("当场答复")
        HANDLED_LOCALLY = "local", _("自行办理")
        ASSIGNED = "assigned", _("交办")
        ACKNOWLEDGED = "acknowledged", _("签收")
        RETURNED = "returned", _("退回")
        EXTENSION_REQUESTED = "ext_requested", _("申请延期")
        EXTENSION_APPROVED = "ext_approved", _("批准延期")
        EXTENSION_REFUSED = "ext_refused", _("不批准延期")
        REPLIED = "replied", _("答复")
        FOLLOWED_UP = "followed_up", _("回访")
        REOPENED = "reopened", _("再办理")
        CLOSED = "closed", _("办结")
        MERGED = "merged", _("合并")
        DEADLINE_CHANGED = "deadline", _("期限调整")
        REMINDED = "reminded", _("到期提醒")
        SUPERVISED = "supervised", _("督办")

    # No index of its own: `suggestion_event_at` (suggestion, at) serves every lookup by
    # suggestion, and one index fewer is kept up on each of the many event writes.
    suggestion = models.ForeignKey(
        Suggestion, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True)
    at = models.DateTimeField(default=clock.now)
    public_text = models.CharField(_("公开说明"), max_length=500, blank=True)
    staff_text = models.TextField(_("内部说明"), blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["suggestion", "at"], name="suggestion_event_at")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d %H:%M}"


class ReplyTemplate(RegionScoped):
    """A reusable reply text for one category (or all), offered when replying."""

    category = models.CharField(
        _("类别"),
        max_length=20,
        choices=Category.choices,
        blank=True,
        help_text=_("留空表示所有类别"),
    )
    title = models.CharField(_("标题"), max_length=60)
    body = models.TextField(_("答复内容"), max_length=2000)
    is_active = models.BooleanField(_("启用"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path")

    class Meta:
        verbose_name = _("答复模板")
        verbose_name_plural = _("答复模板")
        ordering = ["region_path", "category", "title"]
        indexes = [region_path_index("replytpl")]

    def __str__(self) -> str:
        return self.title


class RateCounter(models.Model):
    """One fixed-window rate-limit count (`suggestions.ratelimit`): a row per scope,
    value digest and window, counted by one UPSERT (no read-modify-write, no lost
    counts when requests arrive together). Rows past `expires` are never read again
    and are pruned hourly (`suggestions.tasks.rate_counters_prune`)."""

    key = models.CharField(max_length=120, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("频率计数")
        verbose_name_plural = _("频率计数")

    def __str__(self) -> str:
        return f"{self.key}: {self.count}"
