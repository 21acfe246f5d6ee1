"""Deputies' duty records (履职档案, 一人一档) and points (积分制).

Most of a duty record is read from other apps (receptions, visits, activities,
suggestions, the reception schedule); this app stores only what has no other
home: the annual report-back to voters (`DutyReport`), the points each kind of
duty is worth in a region (`PointRule`) and the yearly points computed from them
(`DeputyPoints`, rewritten by `duties.services.deputy_points_recompute`).
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from regions.models import RegionScoped, region_path_index
from tenancy.querysets import ScopedQuerySet
from tenancy.scope import TenancyRule


class DutyKind(models.TextChoices):
    """A kind of duty a deputy is credited (or, for a missed duty day, debited) for."""

    RECEPTION = "reception", _("进站接待")  # present at a logged reception
    DUTY_ATTENDED = "duty_attended", _("按安排进站值班")  # on duty by the schedule and present
    DUTY_MISSED = "duty_missed", _("缺席进站值班")  # on duty by the schedule, no reception logged
    VISIT = "visit", _("走访选民")  # a logged home visit
    SUGGESTION = "suggestion", _("收集意见建议")  # a suggestion that came through the deputy
    ANSWERED = "answered", _("当场答复")  # a suggestion the deputy answered on the spot
    TRAINING = "training", _("履职培训")
    PARTY_LECTURE = "party_lecture", _("代表讲党课")
    POLICY_LECTURE = "policy_lecture", _("代表讲政策")
    LAW_LECTURE = "law_lecture", _("代表讲法律")
    INSPECTION = "inspection", _("视察")
    SURVEY = "survey", _("调研")
    LEADER_DAY = "leader_day", _("领导干部进站")
    THEME = "theme", _("主题活动")
    REPORT = "report", _("向选民述职")  # the annual report-back (述职)
    # Credited by the apps of the democratic processes (DutyCredit rows):
    PROPOSAL = "proposal", _("提出代表建议")  # author of a formal suggestion (领衔)
    PROPOSAL_COSIGN = "proposal_cosign", _("联名代表建议")  # a confirmed co-signer
    VOTE = "vote", _("参加民生实事票决")  # voted in a livelihood-project round
    PROJECT_SUPERVISION = "project_supervision", _("监督民生实事项目")  # a supervising group
    LEGISLATIVE_COMMENT = "legislative_comment", _("提出立法意见")  # a comment on a draft
    SESSION = "session", _("出席人代会")  # attended the congress session
    STANDING_COMMITTEE = "standing_committee", _("列席常委会")
    LAW_CHECK = "law_check", _("执法检查")
    APPOINTMENT = "appointment", _("约见国家机关负责人")


# Points per kind when no region up the tree sets its own (PointRule).
DEFAULT_POINTS: dict[str, int] = {
    DutyKind.RECEPTION: 3,
    DutyKind.DUTY_ATTENDED: 2,
    DutyKind.DUTY_MISSED: -2,
    DutyKind.VISIT: 2,
    DutyKind.SUGGESTION: 1,
    DutyKind.ANSWERED: 2,
    DutyKind.TRAINING: 1,
    DutyKind.PARTY_LECTURE: 3,
    DutyKind.POLICY_LECTURE: 3,
    DutyKind.LAW_LECTURE: 3,
    DutyKind.INSPECTION: 2,
    DutyKind.SURVEY: 2,
    DutyKind.LEADER_DAY: 1,
    DutyKind.THEME: 1,
    DutyKind.REPORT: 5,
    DutyKind.PROPOSAL: 3,
    DutyKind.PROPOSAL_COSIGN: 1,
    DutyKind.VOTE: 2,
    DutyKind.PROJECT_SUPERVISION: 2,
    DutyKind.LEGISLATIVE_COMMENT: 2,
    DutyKind.SESSION: 3,
    DutyKind.STANDING_COMMITTEE: 2,
    DutyKind.LAW_CHECK: 2,
    DutyKind.APPOINTMENT: 2,
}
POINTS_MIN, POINTS_MAX = -50, 50


class PointRule(RegionScoped):
    """What one kind of duty is worth in a region and below it.

    For each kind the nearest region up the tree that has a rule decides; without
    any, `DEFAULT_POINTS` applies.
    """

    kind = models.CharField(_("履职类型"), max_length=20, choices=DutyKind.choices)
    points = models.SmallIntegerField(_("分值"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path")

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["region_path", "kind"]
        indexes = [region_path_index("pointrule")]
        constraints = [
            models.UniqueConstraint(fields=["region", "kind"], name="pointrule_one_per_kind"),
            models.CheckConstraint(
                condition=models.Q(points__gte=POINTS_MIN, points__lte=POINTS_MAX),
                name="pointrule_points_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region} · {self.get_kind_display()} · {self.points}"


class DeputyPoints(RegionScoped):
    """A deputy's points for one year, as last computed, with how they were made.

    `breakdown` is {kind: {"count": n, "points": weight, "total": n * weight,
    "source": region name or ""}} for every kind with a count. `region` copies the
    deputy's region so rankings filter by subtree without a join.
    """

    deputy = models.ForeignKey(
        "deputies.Deputy",
        verbose_name=_("人大代表"),
        on_delete=models.CASCADE,
        related_name="yearly_points",
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    points = models.IntegerField(_("积分"), default=0)
    breakdown = models.JSONField(_("积分构成"), default=dict)
    computed_at = models.DateTimeField(_("计算时间"))

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(
        region="region_path", station="deputy__memberships__station", deputy="deputy_id"
    )

    class Meta:
        verbose_name = _("代表年度积分")
        verbose_name_plural = _("代表年度积分")
        ordering = ["-year", "-points", "deputy_id"]
        indexes = [
            region_path_index("deputypoints"),
            models.Index(fields=["year", "-points"], name="deputypoints_year_points"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["deputy", "year"], name="deputypoints_one_per_year")
        ]

    def __str__(self) -> str:
        return f"{self.deputy} · {self.year} · {self.points}"


class DutyReport(RegionScoped):
    """A deputy's annual report-back to voters (述职). `region` copies the deputy's."""

    deputy = models.ForeignKey(
        "deputies.Deputy",
        verbose_name=_("人大代表"),
        on_delete=models.PROTECT,
        related_name="duty_reports",
    )
    year = models.PositiveSmallIntegerField(_("述职年度"))
    date = models.DateField(_("述职日期"))
    notes = models.TextField(_("述职情况"), blank=True, max_length=3000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(
        region="region_path", station="deputy__memberships__station", deputy="deputy_id"
    )

    class Meta:
        verbose_name = _("代表述职")
        verbose_name_plural = _("代表述职")
        ordering = ["-date", "-pk"]
        indexes = [region_path_index("dutyreport")]

    def __str__(self) -> str:
        return f"{self.deputy} · {self.year}"


class DutyCredit(RegionScoped):
    """A duty a deputy took part in, recorded by the app where it happened.

    The processes with registers of their own elsewhere (formal suggestions,
    livelihood votes, consultations, appointments...) credit the deputy through
    `duties.services.duty_credit` in their own transaction; the duty record, the
    points and the rankings read these rows like receptions and visits. One row per
    (deputy, kind, source): crediting twice changes nothing, and the source's page
    is one click away (`url`). `region` copies the deputy's.
    """

    deputy = models.ForeignKey(
        "deputies.Deputy",
        verbose_name=_("人大代表"),
        on_delete=models.CASCADE,
        related_name="duty_credits",
    )
    kind = models.CharField(_("履职类型"), max_length=20, choices=DutyKind.choices)
    date = models.DateField(_("日期"))
    title = models.CharField(_("事项"), max_length=200)
    url = models.CharField(max_length=300, blank=True)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(
        region="region_path", station="deputy__memberships__station", deputy="deputy_id"
    )

    class Meta:
        verbose_name = _("履职记录")
        verbose_name_plural = _("履职记录")
        indexes = [
            region_path_index("dutycredit"),
            models.Index(fields=["deputy", "date"], name="dutycredit_deputy_date"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["deputy", "kind", "content_type", "object_id"],
                name="dutycredit_once_per_source",
            )
        ]

    def __str__(self) -> str:
        return f"{self.deputy_id} · {self.get_kind_display()} · {self.date}"
