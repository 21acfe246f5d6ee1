"""Deputies' formal suggestions (代表建议): raise, assign, handle, supervise (提、交、办、督).

In code the formal ones are `Proposal` ("Suggestion" is the public's 群众意见建议).
A deputy writes a `Proposal` to the congress of their level (`region`: the city,
county or township whose congress it goes to, "the body"); deputies of the same
body co-sign it on their own account (`Cosignature`). The body's office registers
and assigns it (`ProposalAssignment`: one lead unit 主办 and co-handling units 协办,
alone or at a dated assignment meeting, `AssignmentMeeting`); the lead unit records
its plan (四落实), three contacts with the deputy (`Contact`, 三见面) and a reply
(`Reply`, class A-D) that the author rates; 不满意 reopens it once. Numbers of days
and months are per-region settings (`ProposalSettings`).

Who sees what (`proposal_visible`, read by `tenancy.scope`):
- a draft: its author only; while it gathers co-signers, also the invited deputies;
- once submitted: the body's staff and staff above them, leaders there (read-only),
  the author and the co-signers, and the clerks of a unit that holds (or answered)
  an assignment of it; never a unit it was not assigned to, nor one that sent it back.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock
from core.due import DueRule
from regions.models import Region, RegionScoped, region_path_index
from tenancy.querysets import ScopedQuerySet
from tenancy.scope import Grants, Scope, TenancyRule, grants_q

TITLE_MAX = 100
TEXT_MAX = 5000


class Category(models.TextChoices):
    ECONOMY = "economy", _("经济发展")
    AGRICULTURE = "agriculture", _("农业农村")
    URBAN = "urban", _("城乡建设")
    TRANSPORT = "transport", _("交通运输")
    ENVIRONMENT = "environment", _("生态环境")
    EDUCATION = "education", _("教育科技")
    HEALTH = "health", _("医疗卫生")
    SOCIAL = "social", _("社会保障")
    CULTURE = "culture", _("文化旅游")
    GOVERNANCE = "governance", _("政法民政")
    OTHER = "other", _("其他")


class Session(models.TextChoices):
    DURING = "during", _("会议期间")
    BETWEEN = "between", _("闭会期间")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class ReplyClass(models.TextChoices):
    A = "A", _("A类：已解决或采纳")
    B = "B", _("B类：正在解决或列入计划")
    C = "C", _("C类：因条件限制留待以后解决")
    D = "D", _("D类：留作参考")


# Classes whose promise is kept on record and checked again (回头看).
PROMISE_CLASSES = (ReplyClass.B, ReplyClass.C)


class RefuseReason(models.TextChoices):
    NOT_A_PROPOSAL = "not_proposal", _("不属于代表建议")
    LITIGATION = "litigation", _("涉及诉讼、仲裁等法定程序")
    OTHER = "other", _("其他不予立案情形")


# --- Settings ----------------------------------------------------------------------------


class ProposalSettings(RegionScoped):
    """Every number of the formal suggestions, for one body; the nearest region up the tree
    that has a row decides, and without one the defaults below apply (Deputies Law art. 51,
    typical provincial rules)."""

    assign_days = models.PositiveSmallIntegerField(_("交办期限（工作日）"), default=7)
    return_days = models.PositiveSmallIntegerField(_("退回期限（工作日）"), default=7)
    reply_months = models.PositiveSmallIntegerField(_("答复期限（月）"), default=3)
    hard_reply_months = models.PositiveSmallIntegerField(_("重大复杂答复期限（月）"), default=6)
    co_view_months = models.PositiveSmallIntegerField(_("协办意见期限（月）"), default=1)
    max_extension_months = models.PositiveSmallIntegerField(_("最长延期（月）"), default=3)
    rehandle_months = models.PositiveSmallIntegerField(_("再办理期限（月）"), default=1)
    require_before_contact = models.BooleanField(
        _("答复前须办前见面"),
        default=True,
        help_text=_("开启后，未登记办理前与代表见面的，不能答复。"),
    )
    remind_days_before = models.PositiveSmallIntegerField(_("到期前提醒（工作日）"), default=5)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path")

    DEFAULTS = {
        "assign_days": 7,
        "return_days": 7,
        "reply_months": 3,
        "hard_reply_months": 6,
        "co_view_months": 1,
        "max_extension_months": 3,
        "rehandle_months": 1,
        "require_before_contact": True,
        "remind_days_before": 5,
    }

    class Meta:
        verbose_name = _("代表建议办理规则")
        verbose_name_plural = _("代表建议办理规则")
        ordering = ["region_path"]
        indexes = [region_path_index("propsettings")]
        constraints = [models.UniqueConstraint(fields=["region"], name="proposal_settings_one")]

    def __str__(self) -> str:
        return str(self.region)

    @classmethod
    def for_region(cls, region: Region) -> ProposalSettings:
        """The row of the nearest region up the tree, or an unsaved row of defaults."""
        codes = [c for c in region.path.split("/") if c]
        paths = ["".join(f"{c}/" for c in codes[: i + 1]) for i in range(len(codes))]
        rows = {row.region_path: row for row in cls.objects.filter(region_path__in=paths)}
        for path in reversed(paths):
            if path in rows:
                return rows[path]
        return cls(region=region, **cls.DEFAULTS)


# --- Visibility --------------------------------------------------------------------------


def unit_holds_q(prefix: str = "") -> Q:
    """The assignment is running or answered (not sent back, not withdrawn)."""
    return Q(**{f"{prefix}status__in": ["active", "done"]})


def proposal_q(scope, *, for_write: bool = False) -> Q | None:
    grants = scope.write if for_write else scope.read
    parts = []
    if grants.region_paths:
        office = grants_q(Proposal, TenancyRule(region="region_path"), grants)
        parts.append(office & ~Q(status__in=Proposal.PRIVATE_STATUSES))
    if grants.deputy_ids:
        ids = sorted(grants.deputy_ids)
        parts.append(Q(author_id__in=ids))
        invited = Cosignature.objects.filter(deputy_id__in=ids).values("proposal_id")
        parts.append(Q(pk__in=invited) & ~Q(status=Proposal.Status.DRAFT))
    if grants.unit_ids:
        held = ProposalAssignment.objects.filter(
            unit_holds_q(), unit_id__in=sorted(grants.unit_ids)
        ).values("proposal_id")
        parts.append(Q(pk__in=held))
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def _proposals(queryset, scope, *, for_write=False):
    condition = proposal_q(scope, for_write=for_write)
    return queryset.none() if condition is None else queryset.filter(condition)


def _of_proposal(queryset, scope, *, for_write=False):
    """Rows of one proposal (sources, contacts, replies, files): seen with it."""
    condition = proposal_q(scope, for_write=for_write)
    if condition is None:
        return queryset.none()
    return queryset.filter(proposal__in=Proposal.objects.filter(condition).values("pk"))


def _assignments(queryset, scope, *, for_write=False):
    """A clerk sees their own unit's assignments (not the co-handlers'); everyone else sees
    them with the proposal."""
    grants = scope.write if for_write else scope.read
    others = Grants(region_paths=grants.region_paths, deputy_ids=grants.deputy_ids)
    condition = proposal_q(Scope(read=others, write=others), for_write=for_write)
    parts = []
    if condition is not None:
        parts.append(Q(proposal__in=Proposal.objects.filter(condition).values("pk")))
    if grants.unit_ids:
        parts.append(Q(unit_id__in=sorted(grants.unit_ids)))
    if not parts:
        return queryset.none()
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return queryset.filter(combined)


# --- The proposal ---------------------------------------------------------------------------


class AssignmentMeeting(RegionScoped):
    """A dated assignment meeting (交办会) of one body, where proposals are assigned in a batch."""

    title = models.CharField(_("会议名称"), max_length=100)
    held_on = models.DateField(_("会议日期"))
    note = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path")

    class Meta:
        verbose_name = _("交办会")
        verbose_name_plural = _("交办会")
        ordering = ["-held_on", "-pk"]
        indexes = [region_path_index("propmeeting")]

    def __str__(self) -> str:
        return f"{self.title}（{self.held_on:%Y-%m-%d}）"


class Proposal(RegionScoped):
    """One formal suggestion of a deputy (代表建议), from draft to closing."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        COSIGNING = "cosigning", _("征集联名")
        SUBMITTED = "submitted", _("待登记")
        REGISTERED = "registered", _("待交办")
        REFUSED = "refused", _("不予立案")
        MERGED = "merged", _("已并案")
        ASSIGNED = "assigned", _("办理中")
        REPLIED = "replied", _("已答复待评价")
        REHANDLING = "rehandling", _("再办理")
        CLOSED = "closed", _("已办结")

    PRIVATE_STATUSES = (Status.DRAFT, Status.COSIGNING)
    HANDLING_STATUSES = (Status.ASSIGNED, Status.REHANDLING)
    REPLY_DUE = DueRule("due_date", "status", HANDLING_STATUSES)

    title = models.CharField(_("标题"), max_length=TITLE_MAX)
    problem = models.TextField(_("存在的问题"), max_length=TEXT_MAX)
    causes = models.TextField(_("原因分析"), max_length=TEXT_MAX)
    solution = models.TextField(_("意见建议"), max_length=TEXT_MAX)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    session = models.CharField(
        _("提出时间"), max_length=8, choices=Session.choices, default=Session.BETWEEN
    )
    author = models.ForeignKey(
        "deputies.Deputy",
        verbose_name=_("领衔代表"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    number = models.CharField(_("建议编号"), max_length=20, blank=True)
    submission_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    registered_at = models.DateTimeField(_("登记时间"), null=True, blank=True)
    refuse_reason = models.CharField(
        _("不予立案理由"), max_length=16, choices=RefuseReason.choices, blank=True
    )
    refuse_note = models.TextField(_("说明"), blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("并入"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_duplicates",
    )
    # Assignment and the reply deadline (recomputable from start + spec).
    hard_case = models.BooleanField(_("重大复杂"), default=False)
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    due_date = models.DateField(_("答复期限"), null=True, blank=True)
    due_rule = models.CharField(_("期限依据"), max_length=200, blank=True)
    due_start = models.DateField(null=True, blank=True)
    due_spec = models.CharField(max_length=32, blank=True)
    due_provisional = models.BooleanField(default=False)
    # The handling plan (四落实: 方案、措施、目标、时限).
    plan_scheme = models.TextField(_("办理方案"), blank=True)
    plan_measures = models.TextField(_("工作措施"), blank=True)
    plan_goal = models.TextField(_("办理目标"), blank=True)
    plan_due = models.DateField(_("完成时限"), null=True, blank=True)
    plan_recorded_at = models.DateTimeField(null=True, blank=True)
    rehandle_count = models.PositiveSmallIntegerField(_("再办理次数"), default=0)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # Supervision: 重点督办 with a leading supervisor (领衔督办).
    key_supervision = models.BooleanField(_("重点督办"), default=False)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("领衔督办领导"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervised_proposals",
    )
    # Publication: public by default, withheld by staff with a reason.
    withheld = models.BooleanField(_("不予公开"), default=False)
    withhold_reason = models.CharField(_("不公开理由"), max_length=200, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_proposals)

    class Meta:
        verbose_name = _("代表建议")
        verbose_name_plural = _("代表建议")
        ordering = ["-created_at", "-pk"]
        indexes = [
            region_path_index("proposal"),
            models.Index(fields=["status", "due_date"], name="proposal_status_due"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "number"], condition=~Q(number=""), name="proposal_number"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_overdue(self) -> bool:
        return self.REPLY_DUE.is_overdue(self)

    @property
    def is_private(self) -> bool:
        return self.status in self.PRIVATE_STATUSES

    def lead_assignment(self):
        rows = getattr(self, "_prefetched_objects_cache", {}).get("assignments")
        rows = rows if rows is not None else self.assignments.all()
        return next(
            (
                a
                for a in rows
                if a.role == ProposalAssignment.Role.LEAD
                and a.status == ProposalAssignment.Status.ACTIVE
            ),
            None,
        )

    def current_reply(self):
        return self.replies.order_by("-round").first()


class Cosignature(models.Model):
    """A deputy of the same body invited to co-sign (联名); they confirm on their own account."""

    class Status(models.TextChoices):
        INVITED = "invited", _("待确认")
        CONFIRMED = "confirmed", _("已确认")
        DECLINED = "declined", _("已谢绝")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="cosignatures")
    deputy = models.ForeignKey(
        "deputies.Deputy", verbose_name=_("联名代表"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.INVITED
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_of_proposal)

    class Meta:
        verbose_name = _("联名")
        verbose_name_plural = _("联名")
        ordering = ["proposal", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "deputy"], name="cosignature_once")
        ]

    def __str__(self) -> str:
        return str(self.deputy)


class Source(models.Model):
    """What the proposal grew from: a concern, a reception, a visit, an activity (视察)."""

    class Kind(models.TextChoices):
        SUGGESTION = "suggestion", _("群众意见建议")
        RECEPTION = "reception", _("接待选民")
        VISIT = "visit", _("走访")
        ACTIVITY = "activity", _("视察调研活动")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="sources")
    kind = models.CharField(_("来源类型"), max_length=12, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField()
    label = models.CharField(_("来源"), max_length=200)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_of_proposal)

    class Meta:
        verbose_name = _("建议来源")
        verbose_name_plural = _("建议来源")
        ordering = ["proposal", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "kind", "object_id"], name="proposal_source_once"
            )
        ]

    def __str__(self) -> str:
        return self.label


class Attachment(models.Model):
    """A file of the proposal (the deputy's material) or of a reply (the signed letter)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments")
    reply = models.ForeignKey(
        "Reply", on_delete=models.CASCADE, null=True, blank=True, related_name="letters"
    )
    file = models.FileField(_("附件"), upload_to="proposals/%Y/%m/")
    name = models.CharField(_("文件名"), max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_of_proposal)

    class Meta:
        verbose_name = _("建议附件")
        verbose_name_plural = _("建议附件")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class ProposalAssignment(models.Model):
    """The proposal assigned (交办) to one unit, as lead (主办) or co-handling (协办)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("主办")
        CO = "co", _("协办")

    class Status(models.TextChoices):
        ACTIVE = "active", _("办理中")
        RETURNED = "returned", _("已退回")
        DONE = "done", _("已答复")
        WITHDRAWN = "withdrawn", _("已撤回")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        "suggestions.HandlingUnit",
        verbose_name=_("承办单位"),
        on_delete=models.PROTECT,
        related_name="proposal_assignments",
    )
    role = models.CharField(_("主办/协办"), max_length=4, choices=Role.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    meeting = models.ForeignKey(
        AssignmentMeeting,
        verbose_name=_("交办会"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    assigned_at = models.DateTimeField(_("交办时间"), default=clock.now)
    # A misrouted proposal is sent back within `return_due` (working days).
    return_due = models.DateField(_("退回期限"), null=True, blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回理由"), blank=True)
    # A co-handling unit gives its view to the lead within `co_view_due`.
    co_view_due = models.DateField(_("协办意见期限"), null=True, blank=True)
    co_view = models.TextField(_("协办意见"), blank=True)
    co_view_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_assignments)

    class Meta:
        verbose_name = _("代表建议交办")
        verbose_name_plural = _("代表建议交办")
        ordering = ["proposal", "role", "pk"]
        indexes = [models.Index(fields=["unit", "status"], name="propassign_unit_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "unit"],
                condition=Q(status__in=["active", "done"]),
                name="propassign_one_per_unit",
            ),
            models.UniqueConstraint(
                fields=["proposal"],
                condition=Q(status__in=["active", "done"], role="lead"),
                name="propassign_one_lead",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_role_display()}"


class Contact(models.Model):
    """One of the three contacts with the deputy (三见面): before, during, at the reply."""

    class Stage(models.TextChoices):
        BEFORE = "before", _("办前见面")
        DURING = "during", _("办中见面")
        REPLY = "reply", _("答复见面")

    class Mode(models.TextChoices):
        FACE = "face", _("当面座谈")
        SITE = "site", _("现场察看")
        PHONE = "phone", _("电话沟通")
        LETTER = "letter", _("书面函告")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="contacts")
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    stage = models.CharField(_("环节"), max_length=8, choices=Stage.choices)
    held_on = models.DateField(_("日期"))
    mode = models.CharField(_("方式"), max_length=8, choices=Mode.choices)
    participants = models.CharField(_("参加人员"), max_length=300)
    agreed = models.TextField(_("商定事项"), max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_of_proposal)

    class Meta:
        verbose_name = _("见面沟通")
        verbose_name_plural = _("见面沟通")
        ordering = ["proposal", "round", "held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_stage_display()} {self.held_on}"


class Reply(models.Model):
    """The unit's reply letter for one handling round, and the author's rating of it."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="replies")
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    unit = models.ForeignKey(
        "suggestions.HandlingUnit", on_delete=models.PROTECT, related_name="proposal_replies"
    )
    klass = models.CharField(_("答复类别"), max_length=1, choices=ReplyClass.choices)
    text = models.TextField(_("答复内容"), max_length=TEXT_MAX)
    signed_by = models.CharField(_("签发人"), max_length=64)
    replied_at = models.DateTimeField(_("答复时间"), default=clock.now)
    on_time = models.BooleanField(_("按期答复"), default=True)
    # B/C: what the unit promised and when it reports again (回头看).
    promise = models.TextField(_("承诺事项"), blank=True)
    promise_due = models.DateField(_("承诺期限"), null=True, blank=True)
    promise_report = models.TextField(_("回头看情况"), blank=True)
    promise_reported_at = models.DateTimeField(null=True, blank=True)
    # The author's rating.
    attitude = models.CharField(_("办理态度"), max_length=12, choices=Rating.choices, blank=True)
    result = models.CharField(_("办理结果"), max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("评价意见"), blank=True)
    rated_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_of_proposal)

    class Meta:
        verbose_name = _("答复")
        verbose_name_plural = _("答复")
        ordering = ["proposal", "round"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "round"], name="proposal_reply_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} · {self.klass}"


class Extension(models.Model):
    """The one extension of the reply deadline, asked by the lead unit before it passes."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REFUSED = "refused", _("未批准")

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="extensions")
    months = models.PositiveSmallIntegerField(_("延长月数"))
    reason = models.TextField(_("延期理由"), max_length=1000)
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
    tenancy_rule = TenancyRule(region=None, custom=_of_proposal)

    class Meta:
        verbose_name = _("延期申请")
        verbose_name_plural = _("延期申请")
        ordering = ["-requested_at"]
        constraints = [
            # One extension per proposal, ever (a refused one may not be asked again either).
            models.UniqueConstraint(fields=["proposal"], name="proposal_one_extension")
        ]

    def __str__(self) -> str:
        return f"{self.proposal_id} +{self.months}"
