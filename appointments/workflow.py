"""The stateful objects of appointments as tables: each action declared once.

booking:   requested ─ confirm ─▶ confirmed ─ hold ─▶ held (a reception record)
           requested ─ propose (another time) ─▶ proposed ─ accept (citizen) ─▶ confirmed
           requested/proposed ─ decline (with a reason) ─▶ declined
           requested/proposed/confirmed ─ cancel (citizen) ─▶ cancelled
           confirmed ─ miss ─▶ missed
meeting:   submitted ─ forward ─▶ forwarded ─ schedule (body, within a deadline) ─▶
           scheduled ─ hold (minutes) ─▶ held ─ answer (body's written follow-up) ─▶
           answered ─ rate (each deputy; the last one closes) ─▶ answered | closed
           submitted ─ decline (with a reason) ─▶ declined
report-back: scheduled ─ hold (audience, text, questions) ─▶ held
           held ─ tally (paper counts) ─▶ evaluated
           held ─ open_poll ─▶ held (phones vote for the meeting's hour) ─ close_poll ─▶
           evaluated;  scheduled ─ cancel ─▶ cancelled
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import clock
from core.workflow import Action, Workflow

from . import permissions as can
from .models import Booking, MeetingRequest, ReportBack

B = Booking.Status
M = MeetingRequest.Status
R = ReportBack.Status

SCHEDULE_DEADLINE = "appointments.meeting_schedule"
ANSWER_DEADLINE = "appointments.meeting_answer"


def _day_come(booking, **_context) -> str | None:
    if booking.date and booking.date > clock.today():
        return _("约见日期（%(day)s）还没到，到期后再登记接待情况。") % {"day": booking.date}
    return None


def _meeting_passed(request, **_context) -> str | None:
    if request.meeting_at and request.meeting_at > clock.now():
        return _("约见时间还没到，约见后再登记纪要。")
    return None


def _started(report_back, **_context) -> str | None:
    if report_back.starts_at > clock.now():
        return _("述职时间还没到，述职后再登记。")
    return None


def _poll_not_running(report_back, **_context) -> str | None:
    if report_back.method == ReportBack.Method.PHONE and report_back.poll_opens_at:
        return _("手机测评已经开始，请在测评结束后查看结果。")
    return None


def _poll_open(report_back, **_context) -> str | None:
    now = clock.now()
    if report_back.method != ReportBack.Method.PHONE or report_back.poll_opens_at is None:
        return _("本次述职没有开启手机测评。")
    if now < report_back.poll_opens_at:
        return _("测评尚未开始。")
    if now >= report_back.poll_closes_at:
        return _("测评已经结束，感谢参与。")
    return None


def _poll_running(report_back, **_context) -> str | None:
    if report_back.method != ReportBack.Method.PHONE or report_back.poll_opens_at is None:
        return _("本次述职没有开启手机测评。")
    return None


BOOKING = Workflow(
    name=gettext_lazy("约见"),
    states=Booking.Status,
    actions=[
        Action(
            "confirm",
            gettext_lazy("确认约见"),
            sources=[B.REQUESTED],
            target=B.CONFIRMED,
            allowed=can.can_answer_booking,
        ),
        Action(
            "propose",
            gettext_lazy("另约时间"),
            sources=[B.REQUESTED],
            target=B.PROPOSED,
            allowed=can.can_answer_booking,
        ),
        Action(
            "decline",
            gettext_lazy("婉拒"),
            sources=[B.REQUESTED, B.PROPOSED],
            target=B.DECLINED,
            allowed=can.can_answer_booking,
        ),
        Action(
            "accept",
            gettext_lazy("接受新时间"),
            sources=[B.PROPOSED],
            target=B.CONFIRMED,
            allowed=can.is_citizen,
        ),
        Action(
            "cancel",
            gettext_lazy("取消预约"),
            sources=[B.REQUESTED, B.PROPOSED, B.CONFIRMED],
            target=B.CANCELLED,
            allowed=can.is_citizen,
        ),
        Action(
            "hold",
            gettext_lazy("登记接待"),
            sources=[B.CONFIRMED],
            target=B.HELD,
            allowed=can.can_answer_booking,
            when=_day_come,
        ),
        Action(
            "miss",
            gettext_lazy("未到场"),
            sources=[B.CONFIRMED],
            target=B.MISSED,
            allowed=can.can_answer_booking,
            when=_day_come,
        ),
    ],
)

MEETING = Workflow(
    name=gettext_lazy("约见"),
    states=MeetingRequest.Status,
    actions=[
        Action(
            "forward",
            gettext_lazy("审核转交"),
            sources=[M.SUBMITTED],
            target=M.FORWARDED,
            allowed=can.can_review_meeting,
            deadline=SCHEDULE_DEADLINE,
        ),
        Action(
            "decline",
            gettext_lazy("不同意约见"),
            sources=[M.SUBMITTED],
            target=M.DECLINED,
            allowed=can.can_review_meeting,
        ),
        Action(
            "schedule",
            gettext_lazy("安排约见"),
            sources=[M.FORWARDED, M.SCHEDULED],
            target=M.SCHEDULED,
            allowed=can.can_keep_meeting,
        ),
        Action(
            "hold",
            gettext_lazy("登记约见纪要"),
            sources=[M.SCHEDULED],
            target=M.HELD,
            allowed=can.can_keep_meeting,
            when=_meeting_passed,
            deadline=ANSWER_DEADLINE,
        ),
        Action(
            "answer",
            gettext_lazy("书面反馈"),
            sources=[M.HELD],
            target=M.ANSWERED,
            allowed=can.can_keep_meeting,
        ),
        Action(
            "rate",
            gettext_lazy("评价反馈"),
            sources=[M.ANSWERED],
            target=(M.ANSWERED, M.CLOSED),
            allowed=can.can_rate_meeting,
        ),
    ],
)

REPORT_BACK = Workflow(
    name=gettext_lazy("述职"),
    states=ReportBack.Status,
    actions=[
        Action(
            "hold",
            gettext_lazy("登记述职"),
            sources=[R.SCHEDULED],
            target=R.HELD,
            allowed=can.can_keep_report_back,
            when=_started,
        ),
        Action(
            "cancel",
            gettext_lazy("取消述职"),
            sources=[R.SCHEDULED],
            target=R.CANCELLED,
            allowed=can.can_keep_report_back,
        ),
        Action(
            "tally",
            gettext_lazy("录入测评结果"),
            sources=[R.HELD],
            target=R.EVALUATED,
            allowed=can.can_keep_report_back,
            when=_poll_not_running,
        ),
        Action(
            "open_poll",
            gettext_lazy("开启手机测评"),
            sources=[R.HELD],
            target=None,
            allowed=can.can_keep_report_back,
            when=_poll_not_running,
        ),
        Action(
            "vote",
            gettext_lazy("测评"),
            sources=[R.HELD],
            target=None,
            allowed=can.can_vote,
            when=_poll_open,
        ),
        Action(
            "close_poll",
            gettext_lazy("结束测评"),
            sources=[R.HELD],
            target=R.EVALUATED,
            allowed=can.can_keep_report_back,
            when=_poll_running,
        ),
    ],
)
