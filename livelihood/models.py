"""Livelihood projects voted by deputies (民生实事项目人大代表票决制).

"群众点单、代表定单、政府买单、人大验单": one `Cycle` per voting body and year, run by the
congress office of a township, county or city. The public proposes (`Proposal`), the
government screens the proposals into candidates (`Project`), the body votes on them
in `Round`s at a `Meeting` where the seated deputies (`Member`) sign in
(`Attendance`), the adopted projects get an implementation plan (`Milestone`s) within
30 days, deputies supervise them (`ProgressReport`, `Inspection`, `Problem`) and at
year end rate them in a rating round.

Ballot secrecy: an electronic ballot (`Ballot`) has no deputy, no time and a random
key; who voted is a separate register (`VoterRecord`) that carries no choice. No
screen, export or API joins the two, and nothing in the database can.

Who sees what (read by `tenancy.scope`): a cycle and everything under it is seen by
the staff and leaders of the cycle's region and above, and by the deputies seated in
the cycle's body (its `Member`s). Ballots and voter records are never listed at all.
"""

from __future__ import annotations

import math
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.due import DueRule
from core.tokens import public_token
from regions.models import RegionScoped, region_path_index
from tenancy.querysets import ScopedQuerySet
from tenancy.scope import TenancyRule, grants_q

TEXT_MAX = 2000

# --- Visibility ------------------------------------------------------------------------

CYCLE_RULE = TenancyRule(region="region_path", deputy="members__deputy_id")


def cycle_q(scope, *, for_write: bool = False) -> Q | None:
    grants = scope.write if for_write else scope.read
    return grants_q(Cycle, CYCLE_RULE, grants)


def _cycles(queryset, scope, *, for_write=False):
    condition = cycle_q(scope, for_write=for_write)
    return queryset.none() if condition is None else queryset.filter(condition)


def _of_cycle(queryset, scope, *, for_write=False):
    """Rows of one cycle: seen with it."""
    condition = cycle_q(scope, for_write=for_write)
    if condition is None:
        return queryset.none()
    return queryset.filter(cycle__in=Cycle.objects.filter(condition))


def _never(queryset, scope, *, for_write=False):
    """Ballots and voter records: no user lists them, staff included."""
    return queryset.none()


# --- The cycle -------------------------------------------------------------------------


class Body(models.TextChoices):
    """Who votes (the voting body is a setting of the cycle)."""

    TOWNSHIP_CONGRESS = "township_congress", _("乡镇人民代表大会")
    COUNTY_CONGRESS = "county_congress", _("县（市、区）人民代表大会")
    CITY_CONGRESS = "city_congress", _("市人民代表大会")
    STANDING_COMMITTEE = "standing_committee", _("人大常委会（常委会票决）")
    STREET_COUNCIL = "street_council", _("街道议事代表会")


# The deputies of a body's register (for `members_from_register`): their level.
BODY_DEPUTY_LEVEL = {
    Body.TOWNSHIP_CONGRESS: "township",
    Body.STREET_COUNCIL: "county",  # a street's council: the district's deputies living there
    Body.COUNTY_CONGRESS: "county",
    Body.CITY_CONGRESS: "city",
    Body.STANDING_COMMITTEE: None,  # committee members are entered by hand
}


class Cycle(RegionScoped):
    """One body's livelihood-project year (`region`: the body's region).

    Every number of the vote is a setting, with the seeds' values as defaults.
    """

    class Status(models.TextChoices):
        COLLECTING = "collecting", _("征集项目")  # 群众点单: the public page takes proposals
        SCREENING = "screening", _("初审")  # the government decides on each proposal
        CANDIDATES = "candidates", _("候选项目已确定")  # list fixed, approval trail recorded
        VOTING = "voting", _("大会票决")  # the session: sign-in, rounds
        PUBLISHED = "published", _("已公告")  # results public
        PLANS = "plans", _("编制实施方案")  # session closed: plans due within N days
        PROGRESS = "progress", _("实施督办")  # projects under way, supervised
        REVIEW = "review", _("年终评估")  # the satisfaction vote
        RATED = "rated", _("已测评")  # ratings known; explanations and rectification
        DONE = "done", _("已完成")

    class Base(models.TextChoices):
        PRESENT = "present", _("参会代表（出席人数）")
        SEATED = "seated", _("全体代表（实有人数）")

    year = models.PositiveIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200)
    body = models.CharField(_("票决机关"), max_length=24, choices=Body.choices)
    body_name = models.CharField(
        _("会议名称"), max_length=120, blank=True, help_text=_("如：孝义市八届人大四次会议")
    )
    status = models.CharField(
        _("阶段"), max_length=12, choices=Status.choices, default=Status.COLLECTING
    )
    description = models.TextField(_("征集说明"), blank=True, max_length=TEXT_MAX)
    # Dated phases.
    collect_from = models.DateField(_("征集开始"))
    collect_until = models.DateField(_("征集截止"))
    session_on = models.DateField(_("大会日期"), null=True, blank=True)
    session_closed_on = models.DateField(_("大会闭幕日期"), null=True, blank=True)
    review_on = models.DateField(_("满意度测评日期"), null=True, blank=True)
    # The vote's settings.
    places = models.PositiveIntegerField(_("项目名额"), default=7)
    competitive = models.BooleanField(
        _("差额票决"), default=True, help_text=_("不勾选为等额票决：候选项目数等于名额。")
    )
    margin_percent = models.PositiveIntegerField(
        _("最低差额比例（%）"), default=10, help_text=_("候选项目至少比名额多出的比例，向上取整。")
    )
    threshold_base = models.CharField(
        _("通过票数基数"), max_length=8, choices=Base.choices, default=Base.PRESENT
    )
    quorum_numerator = models.PositiveSmallIntegerField(_("法定人数（分子）"), default=2)
    quorum_denominator = models.PositiveSmallIntegerField(_("法定人数（分母）"), default=3)
    plan_days = models.PositiveSmallIntegerField(_("实施方案期限（日）"), default=30)
    rating_percent = models.PositiveSmallIntegerField(
        _("测评通过比例（%）"), default=50, help_text=_("满意票须超过此比例，默认超过半数。")
    )
    public_token = models.CharField(
        max_length=32, unique=True, default=public_token, editable=False
    )
    entered = models.JSONField(default=dict, blank=True)  # status -> ISO date entered
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_cycles)

    class Meta:
        verbose_name = _("民生实事票决")
        verbose_name_plural = _("民生实事票决")
        ordering = ["-year", "-pk"]
        indexes = [region_path_index("lhcycle")]
        constraints = [
            models.UniqueConstraint(
                fields=["region", "body", "year"], name="lhcycle_once_per_body_year"
            ),
            models.CheckConstraint(
                condition=Q(collect_until__gte=models.F("collect_from")),
                name="lhcycle_dates_in_order",
                violation_error_message=_("征集截止日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(quorum_denominator__gt=0)
                & Q(quorum_numerator__lte=models.F("quorum_denominator")),
                name="lhcycle_quorum_fraction",
                violation_error_message=_("法定人数比例应为不大于1的分数。"),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def min_candidates(self) -> int:
        """Candidates the list must have: 等额 the places; 差额 at least margin% more,
        rounded up (8 for 7 places at 10%)."""
        if not self.competitive:
            return self.places
        return self.places + max(1, math.ceil(self.places * self.margin_percent / 100))

    def quorum_for(self, seated: int) -> int:
        """Deputies who must be present: two thirds of the seated (rounded up)."""
        return math.ceil(seated * self.quorum_numerator / self.quorum_denominator)


class Member(models.Model):
    """A deputy seated in the cycle's body (实有代表): the roster sign-in is taken from."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="members")
    deputy = models.ForeignKey(
        "deputies.Deputy", on_delete=models.PROTECT, related_name="livelihood_seats"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_of_cycle)

    class Meta:
        ordering = ["cycle", "deputy__name"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "deputy"], name="lhmember_once"),
        ]

    def __str__(self) -> str:
        return f"{self.cycle_id}:{self.deputy_id}"


class ApprovalStep(models.Model):
    """The candidate list's approval trail, as dated records (主任会议、党委审定、常委会审议)."""

    class Kind(models.TextChoices):
        DIRECTORS = "directors", _("人大常委会主任会议")
        PARTY = "party", _("党委审定")
        STANDING = "standing", _("人大常委会审议")
        PRESIDIUM = "presidium", _("大会主席团会议")
        OTHER = "other", _("其他")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="approvals")
    kind = models.CharField(_("程序"), max_length=12, choices=Kind.choices)
    held_on = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_of_cycle)

    class Meta:
        ordering = ["cycle", "held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"


# --- Proposals (群众点单) ------------------------------------------------------------------


class Proposal(models.Model):
    """A project someone proposed, online or collected offline."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("扫码/网上征集")
        RECEPTION = "reception", _("联络站接待")
        LETTER = "letter", _("信件、邮件、电话、传真")
        MEETING = "meeting", _("征集会、走访")
        IMPORT = "import", _("表格导入")
        SUGGESTION = "suggestion", _("意见建议转入")
        CARRIED = "carried", _("上年度结转")

    class Decision(models.TextChoices):
        PENDING = "pending", _("待初审")
        CANDIDATE = "candidate", _("纳入候选项目")
        MERGED = "merged", _("合并")
        REJECTED = "rejected", _("未采纳")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="proposals")
    number = models.PositiveIntegerField(_("编号"))
    title = models.CharField(_("项目名称"), max_length=120)
    content = models.TextField(_("内容和地点"), max_length=TEXT_MAX)
    reason = models.TextField(_("理由"), blank=True, max_length=TEXT_MAX)
    photo = models.ImageField(_("照片"), upload_to="livelihood/proposals/", blank=True)
    contact_name = models.CharField(_("联系人"), max_length=64, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    channel = models.CharField(_("来源"), max_length=12, choices=Channel.choices)
    received_on = models.DateField(_("收到日期"))
    submission_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    receipt_token = models.CharField(
        max_length=32, unique=True, default=public_token, editable=False
    )
    suggestion = models.OneToOneField(
        "suggestions.Suggestion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="livelihood_proposal",
    )
    carried_from = models.ForeignKey(
        "Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="carried_into"
    )
    # Screening (初审).
    decision = models.CharField(
        _("初审结果"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    decision_reason = models.TextField(_("初审理由"), blank=True, max_length=TEXT_MAX)
    criteria = models.JSONField(default=dict, blank=True)  # criterion -> True/False
    merged_into = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="merged"
    )
    project = models.ForeignKey(
        "Project", on_delete=models.SET_NULL, null=True, blank=True, related_name="proposals"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_of_cycle)

    class Meta:
        verbose_name = _("项目建议")
        verbose_name_plural = _("项目建议")
        ordering = ["cycle", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "number"], name="lhproposal_number_once"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"


# The four criteria of screening (seed 002).
CRITERIA = [
    ("necessity", _("必要性")),
    ("feasibility", _("可行性")),
    ("inclusiveness", _("普惠性")),
    ("balance", _("区域平衡协调性")),
]


# --- Candidates and projects -------------------------------------------------------------


class Project(models.Model):
    """A candidate project (候选项目); once adopted by the vote, a livelihood project."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate", _("候选项目")
        ADOPTED = "adopted", _("票决通过")
        NOT_ADOPTED = "not_adopted", _("未通过")

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASIC = "basic", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="projects")
    number = models.PositiveIntegerField(_("序号"))
    name = models.CharField(_("项目名称"), max_length=120)
    content = models.TextField(_("主要内容"), max_length=TEXT_MAX)
    implementer = models.CharField(_("实施主体（责任单位）"), max_length=120)
    lead_unit = models.ForeignKey(
        "suggestions.HandlingUnit",
        verbose_name=_("牵头单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    co_units = models.ManyToManyField(
        "suggestions.HandlingUnit", verbose_name=_("配合单位"), blank=True, related_name="+"
    )
    investment = models.DecimalField(_("投资额度（万元）"), max_digits=12, decimal_places=2)
    funding_source = models.CharField(_("资金来源"), max_length=120, blank=True)
    due_by = models.DateField(_("完成时限"))
    requirements = models.TextField(_("相关要求"), blank=True, max_length=TEXT_MAX)
    status = models.CharField(
        _("票决结果"), max_length=12, choices=Status.choices, default=Status.CANDIDATE
    )
    rank = models.PositiveIntegerField(_("名次"), null=True, blank=True)
    votes_for = models.PositiveIntegerField(_("赞成票"), null=True, blank=True)
    public_token = models.CharField(
        max_length=32, unique=True, default=public_token, editable=False
    )
    supervisors = models.ManyToManyField(
        "deputies.Deputy", verbose_name=_("监督小组"), blank=True, related_name="+"
    )
    # Implementation plan (实施方案).
    plan_tasks = models.TextField(_("任务分解"), blank=True, max_length=TEXT_MAX)
    plan_state = models.CharField(max_length=10, blank=True)  # "" (not due), "due", "in" (entered)
    plan_due_on = models.DateField(_("方案报送期限"), null=True, blank=True)
    plan_submitted_on = models.DateField(_("方案报送日期"), null=True, blank=True)
    # Progress.
    percent_done = models.PositiveSmallIntegerField(_("完成进度（%）"), default=0)
    spent = models.DecimalField(_("已用资金（万元）"), max_digits=12, decimal_places=2, default=0)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    # Year-end.
    rating = models.CharField(_("测评结果"), max_length=12, choices=Rating.choices, blank=True)
    explanation = models.TextField(_("书面说明"), blank=True, max_length=TEXT_MAX)
    rectification = models.TextField(_("整改措施"), blank=True, max_length=TEXT_MAX)
    rectification_due = models.DateField(_("整改期限"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_of_cycle)
    # The plan is due `plan_days` after the session closed, until it is entered.
    PLAN_DUE = DueRule(due_field="plan_due_on", state_field="plan_state", running=("due",))

    class Meta:
        verbose_name = _("民生实事项目")
        verbose_name_plural = _("民生实事项目")
        ordering = ["cycle", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "number"], name="lhproject_number_once"),
            models.CheckConstraint(
                condition=Q(percent_done__lte=100),
                name="lhproject_percent",
                violation_error_message=_("完成进度不能超过100%。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def needs_rectification(self) -> bool:
        """不满意, or not finished at the rating: a written explanation and 整改 are due."""
        return self.status == self.Status.ADOPTED and (
            self.rating == self.Rating.UNSATISFIED
            or (bool(self.rating) and self.completed_on is None)
        )


class Milestone(models.Model):
    """A step of a project's plan: a date and its planned share of the work."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("节点任务"), max_length=120)
    due_on = models.DateField(_("计划完成日期"))
    share = models.PositiveSmallIntegerField(_("计划占比（%）"))
    unit = models.ForeignKey(
        "suggestions.HandlingUnit",
        verbose_name=_("责任单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_of_cycle)

    class Meta:
        ordering = ["project", "due_on", "pk"]

    def __str__(self) -> str:
        return self.title


class ProgressReport(models.Model):
    """Progress reported on a project (per milestone when given): done, money, a photo."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    milestone = models.ForeignKey(
        Milestone, on_delete=models.SET_NULL, null=True, blank=True, related_name="reports"
    )
    reported_on = models.DateField(_("报告日期"))
    percent_done = models.PositiveSmallIntegerField(_("完成进度（%）"))
    spent = models.DecimalField(_("累计已用资金（万元）"), max_digits=12, decimal_places=2)
    note = models.TextField(_("进展情况"), max_length=TEXT_MAX)
    photo = models.ImageField(_("照片"), upload_to="livelihood/progress/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_of_cycle)

    class Meta:
        ordering = ["project", "-reported_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.project_id} {self.reported_on} {self.percent_done}%"


class Inspection(models.Model):
    """A 视察、调研 or 听取报告 on a project, with what was found."""

    class Kind(models.TextChoices):
        INSPECTION = "inspection", _("视察")
        SURVEY = "survey", _("调研")
        HEARING = "hearing", _("听取报告")
        EVALUATION = "evaluation", _("评议")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="inspections")
    kind = models.CharField(_("形式"), max_length=12, choices=Kind.choices)
    held_on = models.DateField(_("日期"))
    findings = models.TextField(_("发现情况"), max_length=TEXT_MAX)
    deputies = models.ManyToManyField(
        "deputies.Deputy", verbose_name=_("参加代表"), blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_of_cycle)

    class Meta:
        ordering = ["project", "-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"


class Problem(models.Model):
    """A problem an inspection found: a supervised item with its own deadline."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="problems")
    inspection = models.ForeignKey(
        Inspection, on_delete=models.SET_NULL, null=True, blank=True, related_name="problems"
    )
    description = models.TextField(_("问题"), max_length=TEXT_MAX)
    due_on = models.DateField(_("整改期限"))
    resolved_on = models.DateField(_("解决日期"), null=True, blank=True)
    resolution = models.TextField(_("解决情况"), blank=True, max_length=TEXT_MAX)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_of_cycle)

    class Meta:
        ordering = ["project", "due_on", "pk"]

    def __str__(self) -> str:
        return self.description[:40]


# --- The vote ----------------------------------------------------------------------------


class Meeting(models.Model):
    """A sitting of the body where deputies sign in: the session vote, the year-end rating."""

    class Purpose(models.TextChoices):
        SELECT = "select", _("票决民生实事项目")
        RATING = "rating", _("满意度测评")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="meetings")
    purpose = models.CharField(_("议程"), max_length=8, choices=Purpose.choices)
    held_on = models.DateField(_("日期"))
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_of_cycle)

    class Meta:
        ordering = ["cycle", "held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.held_on:%Y-%m-%d}"


class Attendance(models.Model):
    """A seated deputy signed in at a meeting (签到)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    deputy = models.ForeignKey("deputies.Deputy", on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_of_cycle)

    class Meta:
        ordering = ["meeting", "deputy__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "deputy"], name="lhattendance_once"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.deputy_id}"


class Round(models.Model):
    """One round of voting (a ballot over some projects), paper or electronic.

    Its numbers are frozen when it opens (seated, present, the base). Tallies are
    entered (paper) or counted (electronic) while COUNTING, then confirmed by two
    tellers; a confirmed round is never edited. A correction is a new round that
    names the one it corrects and, once confirmed, supersedes it.
    """

    class Method(models.TextChoices):
        PAPER = "paper", _("纸质选票")
        ELECTRONIC = "electronic", _("电子表决")

    class Status(models.TextChoices):
        OPEN = "open", _("投票中")  # electronic: the window is open
        COUNTING = "counting", _("计票中")  # tallies entered or counted, awaiting confirmation
        CONFIRMED = "confirmed", _("有效")  # confirmed by two tellers: it counts
        VOID = "void", _("无效")  # confirmed void (returned > issued): hold it again
        SUPERSEDED = "superseded", _("已更正")  # replaced by a confirmed correction round

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="rounds")
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="rounds")
    number = models.PositiveIntegerField(_("轮次"))
    purpose = models.CharField(_("议程"), max_length=8, choices=Meeting.Purpose.choices)
    method = models.CharField(_("方式"), max_length=12, choices=Method.choices)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices)
    projects = models.ManyToManyField(Project, related_name="rounds")
    places = models.PositiveIntegerField(_("本轮名额"), null=True, blank=True)
    corrects = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="corrections"
    )
    # Frozen at opening.
    seated = models.PositiveIntegerField(_("实有代表"))
    present = models.PositiveIntegerField(_("出席代表"))
    base = models.PositiveIntegerField(_("通过票数基数"))
    opened_at = models.DateTimeField()
    closes_at = models.DateTimeField(null=True, blank=True)
    # Counts (paper: entered; electronic: counted at closing).
    issued = models.PositiveIntegerField(_("发出选票"), null=True, blank=True)
    returned = models.PositiveIntegerField(_("收回选票"), null=True, blank=True)
    invalid = models.PositiveIntegerField(_("废票"), default=0)
    per_ballot = models.BooleanField(_("逐张录入"), default=False)
    outcome = models.JSONField(default=dict, blank=True)  # what `counting.result` found
    void_reason = models.CharField(max_length=200, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_of_cycle)

    class Meta:
        ordering = ["cycle", "number"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "number"], name="lhround_number_once"),
        ]

    def __str__(self) -> str:
        return _("第%(n)s轮%(what)s") % {"n": self.number, "what": self.get_purpose_display()}

    @property
    def valid_ballots(self) -> int:
        return max(0, (self.returned or 0) - self.invalid)


class Tally(models.Model):
    """A round's count for one project: for/against/abstain, or the three ratings."""

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="tallies")
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="tallies")
    yes = models.PositiveIntegerField(_("赞成"), default=0)
    no = models.PositiveIntegerField(_("反对"), default=0)
    abstain = models.PositiveIntegerField(_("弃权"), default=0)
    satisfied = models.PositiveIntegerField(_("满意"), default=0)
    basic = models.PositiveIntegerField(_("基本满意"), default=0)
    unsatisfied = models.PositiveIntegerField(_("不满意"), default=0)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_of_cycle)

    class Meta:
        ordering = ["round", "project__number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "project"], name="lhtally_once"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.project_id}"


class Confirmation(models.Model):
    """A teller's confirmation of a round's count (计票人, 监票人): two different people."""

    class Role(models.TextChoices):
        COUNTER = "counter", _("计票人")
        SCRUTINEER = "scrutineer", _("监票人")

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="confirmations")
    role = models.CharField(_("身份"), max_length=12, choices=Role.choices)
    teller_name = models.CharField(_("姓名"), max_length=64)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_of_cycle)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["round", "role"], name="lhconfirm_role_once"),
            models.UniqueConstraint(fields=["round", "user"], name="lhconfirm_user_once"),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.teller_name}"


class Ballot(models.Model):
    """One ballot's marks: {project id: choice}. No deputy, no time, a random key.

    Electronic ballots are cast from the deputies' phones; paper ballots entered one
    by one carry their paper number. Nothing here can lead back to a voter.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="ballots")
    marks = models.JSONField(default=dict)
    void = models.BooleanField(default=False)
    paper_number = models.PositiveIntegerField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_never)

    class Meta:
        ordering = ["id"]  # random: never the order of casting
        constraints = [
            models.UniqueConstraint(
                fields=["round", "paper_number"],
                condition=Q(paper_number__isnull=False),
                name="lhballot_paper_once",
            ),
        ]

    def __str__(self) -> str:
        return str(_("选票"))


class VoterRecord(models.Model):
    """Who voted electronically in a round (the register), without what they chose."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="voters")
    deputy = models.ForeignKey("deputies.Deputy", on_delete=models.PROTECT, related_name="+")

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_never)

    class Meta:
        ordering = ["round", "deputy_id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "deputy"], name="lhvoter_once"),
        ]

    def __str__(self) -> str:
        return str(_("已投票"))


class Choice(models.TextChoices):
    YES = "yes", _("赞成")
    NO = "no", _("反对")
    ABSTAIN = "abstain", _("弃权")
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


SELECT_CHOICES = (Choice.YES, Choice.NO, Choice.ABSTAIN)
RATING_CHOICES = (Choice.SATISFIED, Choice.BASIC, Choice.UNSATISFIED)
