"""Appointments (约见), report-backs with the voters' evaluation (述职评议), deputy
groups' activities, the standing committee's contact with deputies (双联系),
leaders' station days (领导干部进站) and the other duties staff record.

Built on the existing registers: a booking that takes place becomes a
`receptions.Reception` (what the citizen raised becomes suggestions through the
reception log); a report-back that is held writes the deputy's
`duties.DutyReport`; a group's activity is a `receptions.StationActivity`; the
meetings with government bodies go to a `suggestions.HandlingUnit` and their
deadlines to `supervision.tracking`; every duty is credited through
`duties.services.duty_credit`.

Workflows: `appointments/workflow.py`. Who may act: `appointments/permissions.py`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.tokens import public_token
from regions.models import RegionScoped, region_path_index
from suggestions.models import Satisfaction
from tenancy.querysets import ScopedQuerySet
from tenancy.scope import TenancyRule

# 满意 / 基本满意 / 不满意: the one scale the suggestions' follow-ups use too.
Rating = Satisfaction


# --- 1. A citizen books a deputy (扫码有约) -------------------------------------------


class BookingSlot(RegionScoped):
    """One deputy's reception day at a station, as far as bookings go.

    Reception days are computed from the schedule (`receptions.selectors`); a slot
    row is written the first time someone books that day, and carries the capacity
    and the count of places taken. Services lock it to book, so a slot is never
    booked beyond its capacity, however many requests arrive at once.
    """

    rule = models.ForeignKey(
        "receptions.ReceptionRule", on_delete=models.CASCADE, related_name="booking_slots"
    )
    deputy = models.ForeignKey(
        "deputies.Deputy", on_delete=models.CASCADE, related_name="booking_slots"
    )
    station = models.ForeignKey(
        "stations.Station", on_delete=models.PROTECT, related_name="booking_slots"
    )
    date = models.DateField(_("接待日期"))
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    capacity = models.PositiveSmallIntegerField(_("可约人数"))
    taken = models.PositiveSmallIntegerField(_("已约人数"), default=0)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path", station="station_id", deputy="deputy_id")

    class Meta:
        verbose_name = _("预约时段")
        verbose_name_plural = _("预约时段")
        ordering = ["date", "pk"]
        indexes = [region_path_index("bookingslot")]
        constraints = [
            models.UniqueConstraint(fields=["rule", "date", "deputy"], name="bookingslot_once"),
            models.CheckConstraint(
                condition=models.Q(taken__lte=models.F("capacity")), name="bookingslot_capacity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deputy_id} · {self.date:%Y-%m-%d}"

    @property
    def left(self) -> int:
        return max(self.capacity - self.taken, 0)


class Booking(RegionScoped):
    """A citizen's appointment with a deputy (代表有约、扫码有约).

    Either on one of the deputy's reception days (`slot`) or at another time the
    citizen asks for (`wished`). The phone is shown in full only to the deputy and
    the station's officer (`permissions.can_see_booking_phone`). `region` copies
    the station's.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("待确认")
        PROPOSED = "proposed", _("已另约时间")  # the station proposed another time
        CONFIRMED = "confirmed", _("已确认")
        DECLINED = "declined", _("已婉拒")
        CANCELLED = "cancelled", _("已取消")
        HELD = "held", _("已接待")
        MISSED = "missed", _("未到场")

    deputy = models.ForeignKey(
        "deputies.Deputy",
        verbose_name=_("约见代表"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("联络站点"),
        on_delete=models.PROTECT,
        related_name="bookings",
    )
    slot = models.ForeignKey(
        BookingSlot,
        verbose_name=_("预约时段"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
    )
    date = models.DateField(_("约见日期"), null=True, blank=True)
    time_note = models.CharField(_("约见时间"), max_length=60, blank=True)
    wished = models.CharField(
        _("希望的时间"), max_length=100, blank=True, help_text=_("没有合适的接待日时填写")
    )
    topic = models.TextField(_("约见事由"), max_length=1000)
    category = models.CharField(_("问题类别"), max_length=20, default="other")
    name = models.CharField(_("姓名"), max_length=40)
    phone = models.CharField(_("手机号"), max_length=20)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.REQUESTED
    )
    reason = models.CharField(_("说明"), max_length=300, blank=True)
    reception = models.ForeignKey(
        "receptions.Reception",
        verbose_name=_("接待登记"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
    )
    # The form's random token: a retried submit finds the first booking.
    submission_token = models.CharField(max_length=64, unique=True, editable=False)
    # The citizen's receipt link (no login): follow, accept another time, cancel.
    public_token = models.CharField(
        max_length=32, unique=True, default=public_token, editable=False
    )
    reminded_on = models.DateField(null=True, blank=True, editable=False)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("预约时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path", station="station_id", deputy="deputy_id")

    class Meta:
        verbose_name = _("群众约见")
        verbose_name_plural = _("群众约见")
        ordering = ["-created_at", "-pk"]
        indexes = [
            region_path_index("booking"),
            models.Index(fields=["status", "date"], name="booking_status_date"),
        ]

    def __str__(self) -> str:
        return f"{self.deputy} · {self.name}"

    # Places in the slot are held while the booking waits or is confirmed.
    HOLDS_PLACE = (Status.REQUESTED, Status.CONFIRMED)


# --- 2. Deputies meet the heads of government bodies (代表约见国家机关负责人) -------------


class MeetingRequest(RegionScoped):
    """One or several deputies ask to meet the head of a body (a handling unit).

    `region` is the congress whose office reviews it (the body's region). The body
    sees it once forwarded (`unit_condition`).
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        FORWARDED = "forwarded", _("已转交")
        DECLINED = "declined", _("未同意")
        SCHEDULED = "scheduled", _("已安排")
        HELD = "held", _("已约见")
        ANSWERED = "answered", _("已书面反馈")
        CLOSED = "closed", _("已评价")

    unit = models.ForeignKey(
        "suggestions.HandlingUnit",
        verbose_name=_("约见单位"),
        on_delete=models.PROTECT,
        related_name="meeting_requests",
    )
    deputies = models.ManyToManyField(
        "deputies.Deputy", verbose_name=_("约见代表"), related_name="meeting_requests"
    )
    subject = models.CharField(_("约见事项"), max_length=200)
    reasons = models.TextField(_("约见理由"), max_length=3000)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    decline_reason = models.CharField(_("不同意理由"), max_length=300, blank=True)
    schedule_due = models.DateField(_("安排期限"), null=True, blank=True)
    meeting_at = models.DateTimeField(_("约见时间"), null=True, blank=True)
    place = models.CharField(_("约见地点"), max_length=120, blank=True)
    attendees = models.CharField(_("参加约见的负责人"), max_length=300, blank=True)
    minutes = models.TextField(_("约见纪要"), max_length=5000, blank=True)
    answer_due = models.DateField(_("书面反馈期限"), null=True, blank=True)
    answer = models.TextField(_("书面反馈"), max_length=5000, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    form_token = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(
        region="region_path",
        # Through "__" so the condition applies (a plain field path takes no condition):
        # the body sees a request once the office forwarded it.
        unit="unit__pk",
        unit_condition=lambda: ~models.Q(status__in=["submitted", "declined"]),
        deputy="deputies__id",
    )

    class Meta:
        verbose_name = _("约见国家机关负责人")
        verbose_name_plural = _("约见国家机关负责人")
        ordering = ["-created_at", "-pk"]
        indexes = [region_path_index("meetingrequest")]

    def __str__(self) -> str:
        return self.subject


class MeetingRating(models.Model):
    """One deputy's rating of the body's written follow-up; once per deputy."""

    request = models.ForeignKey(MeetingRequest, on_delete=models.CASCADE, related_name="ratings")
    deputy = models.ForeignKey("deputies.Deputy", on_delete=models.CASCADE, related_name="+")
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices)
    comment = models.CharField(_("意见"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(
        region="request__region_path", unit="request__unit_id", deputy="deputy_id"
    )

    class Meta:
        verbose_name = _("约见反馈评价")
        verbose_name_plural = _("约见反馈评价")
        constraints = [
            models.UniqueConstraint(fields=["request", "deputy"], name="meetingrating_once")
        ]

    def __str__(self) -> str:
        return f"{self.request_id} · {self.deputy_id} · {self.rating}"


# --- 3. Report-back with evaluation (述职评议) ------------------------------------------


class ReportBack(RegionScoped):
    """A deputy's report-back meeting with voters at a station, evaluated on the spot.

    When held it writes the deputy's `duties.DutyReport` (`duty_report`). The
    evaluation is a paper tally entered by the officer, or a phone poll open for
    the meeting's hour, one vote per phone, votes kept apart from phones
    (`PollVote`). `region` copies the station's.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("已安排")
        HELD = "held", _("已述职")  # held; evaluation being taken
        EVALUATED = "evaluated", _("已评议")
        CANCELLED = "cancelled", _("已取消")

    class Method(models.TextChoices):
        PAPER = "paper", _("现场纸质测评")
        PHONE = "phone", _("手机扫码测评")

    deputy = models.ForeignKey(
        "deputies.Deputy",
        verbose_name=_("述职代表"),
        on_delete=models.PROTECT,
        related_name="report_backs",
    )
    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("述职地点"),
        on_delete=models.PROTECT,
        related_name="report_backs",
    )
    starts_at = models.DateTimeField(_("述职时间"))
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.SCHEDULED
    )
    method = models.CharField(
        _("测评方式"), max_length=8, choices=Method.choices, default=Method.PAPER
    )
    audience = models.PositiveIntegerField(_("参加选民人数"), default=0)
    report_text = models.TextField(_("述职报告"), max_length=20000, blank=True)
    satisfied = models.PositiveIntegerField(_("满意"), default=0)
    basically = models.PositiveIntegerField(_("基本满意"), default=0)
    unsatisfied = models.PositiveIntegerField(_("不满意"), default=0)
    poll_opens_at = models.DateTimeField(null=True, blank=True)
    poll_closes_at = models.DateTimeField(null=True, blank=True)
    poll_token = models.CharField(max_length=32, unique=True, default=public_token, editable=False)
    duty_report = models.OneToOneField(
        "duties.DutyReport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="report_back",
    )
    suggestions = models.ManyToManyField(
        "suggestions.Suggestion", blank=True, related_name="report_backs"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    form_token = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path", station="station_id", deputy="deputy_id")

    class Meta:
        verbose_name = _("述职评议")
        verbose_name_plural = _("述职评议")
        ordering = ["-starts_at", "-pk"]
        indexes = [region_path_index("reportback")]

    def __str__(self) -> str:
        return f"{self.deputy} · {self.starts_at:%Y-%m-%d}"

    @property
    def votes(self) -> int:
        return self.satisfied + self.basically + self.unsatisfied

    @property
    def satisfaction_rate(self) -> float | None:
        """满意 + 基本满意 over all votes (the figure the articles quote)."""
        if not self.votes:
            return None
        return (self.satisfied + self.basically) / self.votes


class PollVote(models.Model):
    """One phone's vote in a report-back's poll.

    `voter` is a keyed digest of the phone number and the poll, never the number:
    it stops a second vote from the same phone and tells nobody who voted what.
    The unique constraint holds under concurrent requests.
    """

    report_back = models.ForeignKey(ReportBack, on_delete=models.CASCADE, related_name="votes_cast")
    voter = models.CharField(max_length=64)
    rating = models.CharField(max_length=12, choices=Rating.choices)

    class Meta:
        verbose_name = _("测评票")
        verbose_name_plural = _("测评票")
        constraints = [
            models.UniqueConstraint(fields=["report_back", "voter"], name="pollvote_one_per_phone")
        ]

    def __str__(self) -> str:
        return f"{self.report_back_id} · {self.rating}"


# --- 4. Deputy groups meet (代表小组活动) ------------------------------------------------


class GroupActivity(RegionScoped):
    """A station activity held by a deputy group, with the member who convened it."""

    activity = models.OneToOneField(
        "receptions.StationActivity", on_delete=models.CASCADE, related_name="group_link"
    )
    group = models.ForeignKey(
        "deputies.DeputyGroup",
        verbose_name=_("代表小组"),
        on_delete=models.CASCADE,
        related_name="group_activities",
    )
    convenor = models.ForeignKey(
        "deputies.Deputy",
        verbose_name=_("召集人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    date = models.DateField(editable=False)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path", station="activity__station_id")

    class Meta:
        verbose_name = _("代表小组活动")
        verbose_name_plural = _("代表小组活动")
        ordering = ["-date", "-pk"]
        indexes = [
            region_path_index("groupactivity"),
            models.Index(fields=["group", "date"], name="groupactivity_group_date"),
        ]


class GroupQuarterFlag(RegionScoped):
    """A group that held no activity in a quarter, flagged to its township once."""

    group = models.ForeignKey("deputies.DeputyGroup", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    quarter = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["group", "year", "quarter"], name="groupflag_once")
        ]


# --- 5. Standing-committee members' contact with deputies (双联系) ----------------------


class ContactMode(models.TextChoices):
    VISIT = "visit", _("走访")
    MEETING = "meeting", _("座谈")
    PHONE = "phone", _("电话")
    MESSAGE = "message", _("微信、短信")
    OTHER = "other", _("其他")


class LiaisonBinding(RegionScoped):
    """A standing-committee member (a leader account) keeps contact with a deputy.

    `region` copies the deputy's; the member sees their own bindings (`owner`).
    """

    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("常委会组成人员"),
        on_delete=models.CASCADE,
        related_name="liaison_bindings",
    )
    deputy = models.ForeignKey(
        "deputies.Deputy",
        verbose_name=_("联系代表"),
        on_delete=models.CASCADE,
        related_name="liaison_bindings",
    )
    active = models.BooleanField(_("联系中"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path", deputy="deputy_id", owner="member_id")

    class Meta:
        verbose_name = _("联系代表")
        verbose_name_plural = _("联系代表")
        ordering = ["member_id", "deputy__name"]
        indexes = [region_path_index("liaisonbinding")]
        constraints = [
            models.UniqueConstraint(fields=["member", "deputy"], name="liaisonbinding_once")
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.deputy}"


class LiaisonContact(RegionScoped):
    """One contact between a member and a deputy they keep contact with."""

    binding = models.ForeignKey(
        LiaisonBinding,
        verbose_name=_("联系对象"),
        on_delete=models.CASCADE,
        related_name="contacts",
    )
    date = models.DateField(_("联系日期"))
    mode = models.CharField(_("联系方式"), max_length=10, choices=ContactMode.choices)
    matters = models.TextField(_("联系事项"), max_length=2000)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    form_token = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(
        region="region_path", deputy="binding__deputy_id", owner="binding__member_id"
    )

    class Meta:
        verbose_name = _("联系记录")
        verbose_name_plural = _("联系记录")
        ordering = ["-date", "-pk"]
        indexes = [region_path_index("liaisoncontact")]


# --- 6. Leaders at stations (领导干部进站) ------------------------------------------------


class LeaderVisit(RegionScoped):
    """A leader's day at a station: people received, matters collected (suggestions)."""

    station = models.ForeignKey(
        "stations.Station",
        verbose_name=_("联络站点"),
        on_delete=models.PROTECT,
        related_name="leader_visits",
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("进站领导"),
        on_delete=models.PROTECT,
        related_name="station_visits",
    )
    date = models.DateField(_("进站日期"))
    people_count = models.PositiveIntegerField(_("接待群众人数"), default=0)
    notes = models.TextField(_("进站情况"), max_length=2000, blank=True)
    suggestions = models.ManyToManyField(
        "suggestions.Suggestion", blank=True, related_name="leader_visits"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    form_token = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path", station="station_id", owner="leader_id")

    class Meta:
        verbose_name = _("领导干部进站")
        verbose_name_plural = _("领导干部进站")
        ordering = ["-date", "-pk"]
        indexes = [region_path_index("leadervisit")]


# --- 7. Other duties staff record (出席大会、视察、执法检查、列席常委会、培训...) -------------


class DutyEvent(RegionScoped):
    """A duty several deputies took part in, recorded by congress staff.

    Each deputy present is credited through `duties.services.duty_credit`, so the
    duty record and the points (per region, `duties.PointRule`) count it.
    """

    KINDS = ("session", "proposal", "inspection", "law_check", "standing_committee", "training")

    kind = models.CharField(_("履职类型"), max_length=20)
    title = models.CharField(_("事项"), max_length=200)
    date = models.DateField(_("日期"))
    deputies = models.ManyToManyField(
        "deputies.Deputy", verbose_name=_("参加代表"), related_name="duty_events"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    form_token = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    tenancy_rule = TenancyRule(region="region_path", deputy="deputies__id")

    class Meta:
        verbose_name = _("履职活动")
        verbose_name_plural = _("履职活动")
        ordering = ["-date", "-pk"]
        indexes = [region_path_index("dutyevent")]

    def __str__(self) -> str:
        return self.title
