"""Grassroots legislative liaison points (基层立法联系点): consultations and their comments.

A congress standing committee publishes a draft regulation (or a call for legislative
projects, or an evaluation of a regulation in force) for comment: a `Consultation`,
issued by the staff of a region, split into headings (编/章/节) and articles (条, with
their paragraphs 款). The legislative points asked to take part each get a
`Participation`: their own public page and QR code, the comments gathered there
(`Comment`, article by article, online and offline), the point's opinion on each
article (`ArticleOpinion`), the summary sent up (`Sending`) and, later, which
comments were adopted. A point keeps a register of its information collectors
(`Collector`) and of the meetings they attend (`Meeting`).

Who sees what (the rules below, read by `tenancy.scope`):
- a consultation: staff of the issuing region's subtree (and above); once published,
  also whoever sees one of the points asked (the point's officers, the staff of the
  point's county or township, deputies grouped into the point);
- a participation and everything under it: the same, for that one point;
- a comment: whoever sees its point, and the deputy who made it.
A point that was not asked sees nothing of the consultation.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock
from core.tokens import public_token
from regions.models import RegionScoped, region_path_index
from tenancy.querysets import ScopedQuerySet
from tenancy.scope import TenancyRule, grants_q

CONTENT_MAX_LENGTH = 2000


# --- Visibility ------------------------------------------------------------------------

# A point's rows: the point's region (its county's and township's staff), the point's
# officers (station grant), the deputies grouped into it.
POINT_RULE = TenancyRule(
    region="region_path",
    station="station_id",
    deputy="station__deputy_memberships__deputy_id",
)
# The issuing region's staff see the whole consultation, drafts included.
ISSUER_RULE = TenancyRule(region="region_path")


def _grants(scope, for_write):
    return scope.write if for_write else scope.read


def _either(*conditions):
    present = [c for c in conditions if c is not None]
    if not present:
        return None
    combined = present[0]
    for condition in present[1:]:
        combined |= condition
    return combined


def consultation_q(scope, *, for_write: bool = False) -> Q | None:
    """Consultations a scope reaches: issued in its subtree, or published and asking one of
    its points."""
    grants = _grants(scope, for_write)
    issued = grants_q(Consultation, ISSUER_RULE, grants)
    at_points = grants_q(Participation, POINT_RULE, grants)
    asked = None
    if at_points is not None:
        asked = Q(pk__in=Participation.objects.filter(at_points).values("consultation_id")) & ~Q(
            status=Consultation.Status.DRAFT
        )
    return _either(issued, asked)


def _consultations(queryset, scope, *, for_write=False):
    condition = consultation_q(scope, for_write=for_write)
    return queryset.none() if condition is None else queryset.filter(condition)


def _participations(queryset, scope, *, for_write=False):
    grants = _grants(scope, for_write)
    at_point = grants_q(Participation, POINT_RULE, grants)
    if at_point is not None:
        at_point &= ~Q(consultation__status=Consultation.Status.DRAFT)
    issued = grants_q(Participation, TenancyRule(region="consultation__region_path"), grants)
    condition = _either(at_point, issued)
    return queryset.none() if condition is None else queryset.filter(condition)


def _of_consultation(queryset, scope, *, for_write=False):
    """Rows of the text (headings, articles): seen with their consultation."""
    condition = consultation_q(scope, for_write=for_write)
    if condition is None:
        return queryset.none()
    return queryset.filter(consultation__in=Consultation.objects.filter(condition))


def _of_participation(queryset, scope, *, for_write=False):
    """Rows of one point's part (opinions, sendings, meetings): seen with the participation."""
    visible = _participations(Participation.objects.all(), scope, for_write=for_write)
    return queryset.filter(participation__in=visible)


def is_legislative_point_q(prefix: str = "") -> Q:
    """A station that is (or also serves as) a grassroots legislative liaison point."""
    from stations.models import Station

    return Q(**{f"{prefix}is_legislative_point": True}) | Q(
        **{f"{prefix}kind": Station.Kind.LEGISLATIVE}
    )


# --- The consultation and its text ---------------------------------------------------------


class Consultation(RegionScoped):
    """A draft, a call for projects or an evaluation published for comment (立法征求意见).

    `region` is where the staff who published it sit; the points asked lie under it.
    Comments are taken from `opens_on` to `closes_on` inclusive, never after; each
    point's summary is due by `closes_on`.
    """

    class Kind(models.TextChoices):
        DRAFT = "draft", _("法规草案征求意见")
        PROJECTS = "projects", _("立法项目征集")
        EVALUATION = "evaluation", _("立法后评估")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")  # being prepared: text, points and dates can change
        PUBLISHED = "published", _("已发布")  # public; open or closed by its dates

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.DRAFT)
    title = models.CharField(_("名称"), max_length=200)
    issuing_body = models.CharField(_("征求意见单位"), max_length=100)
    summary_to = models.CharField(_("意见报送单位"), max_length=100)
    description = models.TextField(_("征求意见说明"), blank=True, max_length=2000)
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    source_name = models.CharField(_("来源文件"), max_length=200, blank=True)
    preamble = models.TextField(_("题注"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_consultations)

    class Meta:
        verbose_name = _("立法征求意见")
        verbose_name_plural = _("立法征求意见")
        ordering = ["-opens_on", "-pk"]
        indexes = [region_path_index("consult")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")),
                name="consult_dates_in_order",
                violation_error_message=_("截止日期不能早于开始日期。"),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def phase(self, today=None) -> str:
        """Where the consultation stands today: the one rule for "open" and "closed"."""
        if self.status == self.Status.DRAFT:
            return Phase.DRAFT
        today = today or clock.today()
        if today < self.opens_on:
            return Phase.UPCOMING
        return Phase.OPEN if today <= self.closes_on else Phase.CLOSED

    @property
    def current_phase(self) -> str:
        return self.phase()

    @property
    def current_phase_label(self) -> str:
        return Phase(self.phase()).label


class Phase(models.TextChoices):
    """A consultation's phase, from its status and dates (`Consultation.phase`)."""

    DRAFT = "draft", _("草稿")  # not published
    UPCOMING = "upcoming", _("未开始")  # published, before the opening date
    OPEN = "open", _("征求中")  # comments taken, opening to closing date inclusive
    CLOSED = "closed", _("已截止")  # after the closing date: no comment is taken


class Heading(models.Model):
    """A 编, 章 or 节 of the text, in document order."""

    class Level(models.TextChoices):
        PART = "part", _("编")
        CHAPTER = "chapter", _("章")
        SECTION = "section", _("节")

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="headings"
    )
    order = models.PositiveIntegerField()
    level = models.CharField(max_length=8, choices=Level.choices)
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=20)  # 第二章
    title = models.CharField(max_length=100, blank=True)  # 消防安全责任
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_of_consultation)

    class Meta:
        ordering = ["consultation", "order"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "order"], name="heading_order_unique")
        ]

    def __str__(self) -> str:
        return f"{self.label} {self.title}".strip()


class Article(models.Model):
    """One article (条) with its paragraphs (款); addressed by its number (第十二条 = 12)."""

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="articles"
    )
    order = models.PositiveIntegerField()
    number = models.PositiveIntegerField()
    label = models.CharField(max_length=20)  # 第十二条
    paragraphs = models.JSONField(default=list)  # 款, each possibly with its 项 on new lines
    heading = models.ForeignKey(
        Heading, on_delete=models.SET_NULL, null=True, blank=True, related_name="articles"
    )

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_of_consultation)

    class Meta:
        ordering = ["consultation", "order"]
        constraints = [
            models.UniqueConstraint(fields=["consultation", "number"], name="article_number_unique")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


# --- A point's part --------------------------------------------------------------------------


class Participation(RegionScoped):
    """One legislative point asked to take part in a consultation (`region`: the point's)."""

    class Status(models.TextChoices):
        COLLECTING = "collecting", _("征集汇总中")  # comments come in, the point works them
        SENT = "sent", _("已报送")  # the summary went up; waiting for the adoption report
        FEEDBACK = "feedback", _("已反馈")  # adopted comments marked, authors told

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="participations"
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("基层立法联系点"),
        on_delete=models.PROTECT,
        related_name="legislative_participations",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.COLLECTING
    )
    public_token = models.CharField(
        max_length=32, unique=True, default=public_token, editable=False
    )
    first_sent_at = models.DateTimeField(_("首次报送时间"), null=True, blank=True)
    feedback_at = models.DateTimeField(_("反馈时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_participations)

    class Meta:
        verbose_name = _("联系点参与")
        verbose_name_plural = _("联系点参与")
        ordering = ["consultation", "station__name", "pk"]
        indexes = [region_path_index("lparticip")]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "station"], name="participation_once_per_point"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consultation} · {self.station}"


class Collector(RegionScoped):
    """An information collector (信息采集员) registered at a point: a judicial officer, a
    police-station head, a lawyer, a grid worker, a deputy... (`region`: the point's).

    `public_token` is the collector's personal link: comments sent through it are in
    the collector's name. A new token (the old link lost) makes the old one useless.
    """

    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("基层立法联系点"),
        on_delete=models.PROTECT,
        related_name="legislative_collectors",
    )
    name = models.CharField(_("姓名"), max_length=64)
    occupation = models.CharField(_("职业身份"), max_length=64)
    unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    active = models.BooleanField(_("在册"), default=True)
    public_token = models.CharField(
        max_length=32, unique=True, default=public_token, editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path", station="station_id")

    class Meta:
        verbose_name = _("信息采集员")
        verbose_name_plural = _("信息采集员")
        ordering = ["station__name", "-active", "name", "pk"]
        indexes = [region_path_index("lcollector")]

    def __str__(self) -> str:
        return self.name


class Channel(models.TextChoices):
    """How a comment reached the point."""

    ONLINE = "online", _("扫码/网上")
    PORTAL = "portal", _("代表履职平台")
    SYMPOSIUM = "symposium", _("座谈会")
    BOX = "box", _("意见箱")
    VISIT = "visit", _("走访")
    RECEPTION = "reception", _("来访接待")
    PHONE = "phone", _("电话")
    LETTER = "letter", _("信函")
    OTHER = "other", _("其他")


# Channels an officer records by hand (the others are the forms' own).
OFFLINE_CHANNELS = [
    Channel.SYMPOSIUM,
    Channel.BOX,
    Channel.VISIT,
    Channel.RECEPTION,
    Channel.PHONE,
    Channel.LETTER,
    Channel.OTHER,
]


class AuthorKind(models.TextChoices):
    CITIZEN = "citizen", _("群众")
    DEPUTY = "deputy", _("人大代表")
    COLLECTOR = "collector", _("信息采集员")
    ORGANISATION = "organisation", _("单位/组织")


class Comment(RegionScoped):
    """One comment on a draft, on one article or on the whole (`article` empty).

    `region` and `station` are the point's. `author_name` and `contact_phone` are
    personal data: never on a public page, in the summary or in an API answer; the
    phone serves only to text the author when the comment is adopted.
    """

    class Decision(models.TextChoices):
        PENDING = "pending", _("待处理")  # not yet worked by the point
        KEEP = "keep", _("保留")  # goes into the summary
        MERGE = "merge", _("合并")  # the same as another comment, which carries it
        DROP = "drop", _("舍弃")  # not sent up, with a reason

    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, related_name="comments"
    )
    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="comments"
    )
    station = models.ForeignKey(
        "stations.Station", on_delete=models.PROTECT, related_name="legislative_comments"
    )
    # 第N号 at the point: assigned under the participation's row lock, printed in the summary.
    number = models.PositiveIntegerField(_("序号"))
    article = models.ForeignKey(
        Article,
        verbose_name=_("条款"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comments",
    )
    content = models.TextField(_("意见内容"), max_length=CONTENT_MAX_LENGTH)
    author_kind = models.CharField(
        _("提出人类别"), max_length=12, choices=AuthorKind.choices, default=AuthorKind.CITIZEN
    )
    author_name = models.CharField(_("姓名/单位"), max_length=64, blank=True)
    contact_phone = models.CharField(_("手机号"), max_length=20, blank=True)
    deputy = models.ForeignKey(
        "deputies.Deputy",
        verbose_name=_("人大代表"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="legislative_comments",
    )
    collector = models.ForeignKey(
        Collector,
        verbose_name=_("信息采集员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comments",
    )
    channel = models.CharField(_("渠道"), max_length=12, choices=Channel.choices)
    received_on = models.DateField(_("收到日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # A citizen's form carries a random token: the same POST twice is one comment.
    submission_token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    decision = models.CharField(
        _("处理"), max_length=8, choices=Decision.choices, default=Decision.PENDING
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("并入"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged",
    )
    drop_reason = models.CharField(_("舍弃理由"), max_length=200, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    adopted = models.BooleanField(_("被采纳"), default=False)
    # When the adoption text was queued to the author (once).
    adoption_sms_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path", station="station_id", deputy="deputy_id")

    class Meta:
        verbose_name = _("立法意见")
        verbose_name_plural = _("立法意见")
        ordering = ["participation", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "number"], name="lcomment_number_unique"
            )
        ]
        indexes = [
            region_path_index("lcomment"),
            models.Index(fields=["participation", "article"], name="lcomment_article"),
            models.Index(fields=["station", "received_on"], name="lcomment_point_day"),
        ]

    def __str__(self) -> str:
        return _("第%(n)s号") % {"n": self.number}

    @property
    def article_label(self) -> str:
        return self.article.label if self.article_id else str(_("总体意见"))


class ArticleOpinion(models.Model):
    """The point's opinion on one article that drew comments (or on the whole: no article)."""

    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="opinions"
    )
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    text = models.TextField(_("联系点意见"), max_length=CONTENT_MAX_LENGTH)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_of_participation)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["participation", "article"], name="opinion_once_per_article"
            ),
            models.UniqueConstraint(
                fields=["participation"],
                condition=Q(article__isnull=True),
                name="opinion_once_on_the_whole",
            ),
        ]

    def __str__(self) -> str:
        return self.text[:30]


class Sending(models.Model):
    """The summary sent up (汇总上报): when, to whom, how. A point may send again (补报)."""

    class Method(models.TextChoices):
        DOCUMENT = "document", _("正式行文报送")
        EMAIL = "email", _("电子邮件")
        PLATFORM = "platform", _("立法工作平台")
        BY_HAND = "by_hand", _("当面递交")

    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="sendings"
    )
    sent_on = models.DateField(_("报送日期"))
    sent_to = models.CharField(_("报送单位"), max_length=100)
    method = models.CharField(_("报送方式"), max_length=10, choices=Method.choices)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    # What the summary held when it went (the comments it counted, those kept).
    comments_count = models.PositiveIntegerField(default=0)
    kept_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_of_participation)

    class Meta:
        ordering = ["participation", "sent_on", "pk"]

    def __str__(self) -> str:
        return f"{self.sent_on} → {self.sent_to}"


class Meeting(models.Model):
    """A meeting held for a consultation (座谈会, a visit round, a market stall), with the
    collectors who attended: their attendance counts in the yearly tally."""

    class Kind(models.TextChoices):
        SYMPOSIUM = "symposium", _("座谈会")
        SURVEY = "survey", _("走访调研")
        STALL = "stall", _("摆摊征集")
        OTHER = "other", _("其他")

    participation = models.ForeignKey(
        Participation, on_delete=models.CASCADE, related_name="meetings"
    )
    kind = models.CharField(_("形式"), max_length=10, choices=Kind.choices)
    held_on = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    people_count = models.PositiveIntegerField(_("参加人数"), default=0)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    collectors = models.ManyToManyField(
        Collector, verbose_name=_("参加的信息采集员"), blank=True, related_name="meetings"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region=None, custom=_of_participation)

    class Meta:
        ordering = ["participation", "-held_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.held_on}"
