"""Reception schedules (接待安排) and the registers of what deputies did.

Schedules: only the rules are stored. The reception days themselves are computed
between two dates (`receptions.selectors`), moved off holidays by the working-day
calendar, so a holiday entered later moves every affected day at once.

Registers: the reception log (`Reception`), deputies' fixed contact households and
home visits (`ContactHousehold`, `Visit`) and station activities
(`StationActivity`). Suggestions raised at a reception or on a visit become
`suggestions.Suggestion` rows through the suggestions intake service.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.counted import CountedQuerySet
from regions.models import RegionScoped, region_path_index
from tenancy.querysets import ScopedQuerySet
from tenancy.scope import TenancyRule


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("星期一")
    TUESDAY = 1, _("星期二")
    WEDNESDAY = 2, _("星期三")
    THURSDAY = 3, _("星期四")
    FRIDAY = 4, _("星期五")
    SATURDAY = 5, _("星期六")
    SUNDAY = 6, _("星期日")


class ReceptionRule(RegionScoped):
    """A station's recurring reception day, e.g. "every month on the 20th".

    `region` is a copy of the station's region (set by the services) so the rule
    filters by subtree without a join.

    The rota ("月进站") gives every deputy in its pool exactly one reception day a
    month. The pool is the rule's `deputies`, or, when none are picked, the deputies
    grouped into the station that month. The month's slots are the rule's weekday
    in that month, or, without a weekday, the working days from `day_of_month` (or
    the 1st) on; deputies are dealt round the slots, and the order turns by one
    each month so nobody always comes first.
    """

    class Kind(models.TextChoices):
        MONTHLY = "monthly", _("每月固定日")  # e.g. every month on the 20th
        WEEKLY = "weekly", _("每周固定日")  # e.g. every Thursday
        ROTA = "rota", _("月进站轮值")  # each deputy of the pool once a month, rotating

    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("联络站点"),
        on_delete=models.PROTECT,
        related_name="reception_rules",
    )
    kind = models.CharField(_("接待方式"), max_length=10, choices=Kind.choices)
    day_of_month = models.PositiveSmallIntegerField(
        _("每月几号"),
        null=True,
        blank=True,
        help_text=_("1至31；当月没有这一天时取月末。"),
    )
    weekday = models.PositiveSmallIntegerField(
        _("星期几"), choices=Weekday.choices, null=True, blank=True
    )
    start_time = models.TimeField(_("开始时间"), null=True, blank=True)
    end_time = models.TimeField(_("结束时间"), null=True, blank=True)
    valid_from = models.DateField(_("起始日期"))
    valid_until = models.DateField(_("截止日期"), null=True, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    deputies = models.ManyToManyField(
        "deputies.Deputy",
        verbose_name=_("值班代表"),
        blank=True,
        related_name="reception_rules",
    )
    note = models.CharField(_("备注"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path", station="station_id")

    class Meta:
        verbose_name = _("接待规则")
        verbose_name_plural = _("接待规则")
        ordering = ["station_id", "kind", "pk"]
        indexes = [
            region_path_index("receptionrule"),
            models.Index(fields=["station", "active"], name="receptionrule_station"),
        ]

    def __str__(self) -> str:
        return f"{self.station} · {self.describe()}"

    def describe(self) -> str:
        """The rule in words: "每月20日", "每周四", "月进站轮值（每周四）"."""
        if self.kind == self.Kind.MONTHLY:
            text = gettext("每月%(day)s日") % {"day": self.day_of_month}
        elif self.kind == self.Kind.WEEKLY:
            text = gettext("每%(weekday)s") % {"weekday": self.get_weekday_display()}
        elif self.weekday is not None:
            text = gettext("月进站轮值（每%(weekday)s）") % {"weekday": self.get_weekday_display()}
        else:
            text = gettext("月进站轮值（每月%(day)s日起的工作日）") % {
                "day": self.day_of_month or 1
            }
        if self.start_time and self.end_time:
            text += f" {self.start_time:%H:%M}–{self.end_time:%H:%M}"
        return text


class ReceptionException(RegionScoped):
    """One date of a rule done differently: cancelled, or with other deputies on duty.

    `date` is the day the reception actually falls on (after any holiday move).
    """

    rule = models.ForeignKey(
        ReceptionRule,
        verbose_name=_("接待规则"),
        on_delete=models.CASCADE,
        related_name="exceptions",
    )
    station = models.ForeignKey(
        "stations.Station", on_delete=models.PROTECT, related_name="+", editable=False
    )
    date = models.DateField(_("日期"))
    cancelled = models.BooleanField(_("当日取消接待"), default=False)
    deputies = models.ManyToManyField(
        "deputies.Deputy",
        verbose_name=_("当日值班代表"),
        blank=True,
        related_name="reception_exceptions",
        help_text=_("不选则沿用规则中的值班代表。"),
    )
    note = models.CharField(_("说明"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path", station="station_id")

    class Meta:
        verbose_name = _("接待日调整")
        verbose_name_plural = _("接待日调整")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "date"], name="receptionexception_unique")
        ]
        indexes = [region_path_index("receptionexc")]

    def __str__(self) -> str:
        return f"{self.rule.station} · {self.date:%Y-%m-%d}"


# --- What was done: the reception log, home visits, station activities -------------


class Reception(RegionScoped):
    """One entry of the reception register (接待群众意见建议登记簿).

    `region` is a copy of the station's region. The suggestions raised are suggestions
    (channel "reception"), made by the same submit that writes this row. `rule`
    links the entry to the schedule when a reception day of that rule falls on the
    same station and date (planned versus done).
    """

    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("联络站点"),
        on_delete=models.PROTECT,
        related_name="receptions",
    )
    date = models.DateField(_("接待日期"))
    deputies = models.ManyToManyField(
        "deputies.Deputy", verbose_name=_("接待代表"), related_name="receptions"
    )
    people_count = models.PositiveIntegerField(_("接待群众人数"), default=0)
    notes = models.TextField(_("接待情况"), blank=True, max_length=2000)
    rule = models.ForeignKey(
        ReceptionRule,
        verbose_name=_("对应接待安排"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="receptions",
    )
    suggestions = models.ManyToManyField(
        "suggestions.Suggestion",
        verbose_name=_("意见建议"),
        blank=True,
        related_name="reception_logs",
    )
    # Random token of the form that created the row: a retried POST finds it.
    form_token = models.CharField(max_length=64, unique=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CountedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path", station="station_id", deputy="deputies__id")

    class Meta:
        verbose_name = _("接待登记")
        verbose_name_plural = _("接待登记")
        ordering = ["-date", "-pk"]
        indexes = [
            region_path_index("reception"),
            models.Index(fields=["station", "date"], name="reception_station_date"),
        ]

    def __str__(self) -> str:
        return f"{self.station} · {self.date:%Y-%m-%d}"

    @property
    def on_schedule(self) -> bool:
        return self.rule_id is not None


class ContactHousehold(RegionScoped):
    """One of a deputy's fixed contact households (固定联系户, about ten each).

    The person is a `suggestions.Constituent` (deduplicated by phone within the
    county), so suggestions raised on a visit join that person's history. `region` is
    a copy of the deputy's region.
    """

    deputy = models.ForeignKey(
        "deputies.Deputy",
        verbose_name=_("人大代表"),
        on_delete=models.CASCADE,
        related_name="households",
    )
    constituent = models.ForeignKey(
        "suggestions.Constituent",
        verbose_name=_("联系户"),
        on_delete=models.PROTECT,
        related_name="contact_households",
    )
    address = models.CharField(_("住址"), max_length=120, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    active = models.BooleanField(_("联系中"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(
        region="region_path", station="deputy__memberships__station", deputy="deputy_id"
    )

    class Meta:
        verbose_name = _("固定联系户")
        verbose_name_plural = _("固定联系户")
        ordering = ["deputy_id", "-active", "pk"]
        indexes = [region_path_index("household")]
        constraints = [
            models.UniqueConstraint(
                fields=["deputy", "constituent"], name="household_once_per_deputy"
            )
        ]

    def __str__(self) -> str:
        return str(self.constituent)


class Visit(RegionScoped):
    """A deputy's home visit (走访) logged in the visit register.

    Either some of the deputy's contact households or a free-text place. Suggestions
    raised become suggestions (channel "visit") in the same submit.
    """

    deputy = models.ForeignKey(
        "deputies.Deputy",
        verbose_name=_("人大代表"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    date = models.DateField(_("走访日期"))
    households = models.ManyToManyField(
        ContactHousehold, verbose_name=_("走访联系户"), blank=True, related_name="visits"
    )
    place = models.CharField(_("走访地点"), max_length=120, blank=True)
    notes = models.TextField(_("走访情况"), blank=True, max_length=2000)
    suggestions = models.ManyToManyField(
        "suggestions.Suggestion",
        verbose_name=_("意见建议"),
        blank=True,
        related_name="visit_logs",
    )
    # Random token of the form that created the row: a retried POST finds it.
    form_token = models.CharField(max_length=64, unique=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(
        region="region_path", station="deputy__memberships__station", deputy="deputy_id"
    )

    class Meta:
        verbose_name = _("走访登记")
        verbose_name_plural = _("走访登记")
        ordering = ["-date", "-pk"]
        indexes = [
            region_path_index("visit"),
            models.Index(fields=["deputy", "date"], name="visit_deputy_date"),
        ]

    def __str__(self) -> str:
        return f"{self.deputy} · {self.date:%Y-%m-%d}"


class ActivityKind(models.TextChoices):
    """Kinds of station activity; each is a kind of duty in the points table."""

    TRAINING = "training", _("履职培训")
    PARTY_LECTURE = "party_lecture", _("代表讲党课")
    POLICY_LECTURE = "policy_lecture", _("代表讲政策")
    LAW_LECTURE = "law_lecture", _("代表讲法律")
    INSPECTION = "inspection", _("视察")
    SURVEY = "survey", _("调研")
    LEADER_DAY = "leader_day", _("领导干部进站")
    THEME = "theme", _("主题活动")


class StationActivity(RegionScoped):
    """An activity held at or by a station, with who attended and photos."""

    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("联络站点"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    kind = models.CharField(_("活动类型"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("活动主题"), max_length=100)
    date = models.DateField(_("活动日期"))
    deputies = models.ManyToManyField(
        "deputies.Deputy",
        verbose_name=_("参加代表"),
        blank=True,
        related_name="station_activities",
    )
    other_attendees = models.CharField(
        _("其他参加人员"),
        max_length=300,
        blank=True,
        help_text=_("如：县人大常委会副主任张某、镇党委书记李某、群众20人"),
    )
    notes = models.TextField(_("活动情况"), blank=True, max_length=3000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path", station="station_id", deputy="deputies__id")

    class Meta:
        verbose_name = _("站点活动")
        verbose_name_plural = _("站点活动")
        ordering = ["-date", "-pk"]
        indexes = [
            region_path_index("activity"),
            models.Index(fields=["station", "date"], name="activity_station_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.title}"


class ActivityPhoto(models.Model):
    """A photo of an activity: re-encoded on upload, served only through an access check."""

    activity = models.ForeignKey(StationActivity, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(_("照片"), upload_to="activities/%Y/%m/")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    # Seen by whoever sees the activity.
    tenancy_rule = TenancyRule(
        region="activity__region_path",
        station="activity__station_id",
        deputy="activity__deputies__id",
    )

    class Meta:
        verbose_name = _("活动照片")
        verbose_name_plural = _("活动照片")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.image.name
