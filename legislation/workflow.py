"""Consultations and each point's part in them, as tables: each action declared once.

    consultation:  draft ─ publish ─▶ published   (open from opens_on to closes_on)
    a point's part: collecting ─ send ─▶ sent ─ feedback ─▶ feedback
                    sent ─ reopen (补报: correct and send again) ─▶ collecting

Comments (`comment` by a citizen or a deputy in their own name, `record` by the
point's officer for what came in offline) are taken only while the consultation
is open (its phase, `Consultation.phase`), and refused after its closing date
whoever asks, page or API. The point works the comments (`decide`: keep, merge,
drop) and writes its opinion per article while collecting; it sends when none is
left undecided. Adopted comments are marked and the feedback given once the
consultation has closed.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import clock
from core.workflow import Action, Workflow

from . import permissions as can
from .models import Comment, Consultation, Participation, Phase

C = Consultation.Status
P = Participation.Status
SUMMARY_DEADLINE = "legislation.summary"


def _date(value) -> str:
    return _("%(y)s年%(m)s月%(d)s日") % {"y": value.year, "m": value.month, "d": value.day}


def _ready_to_publish(consultation, **_context) -> str | None:
    if not consultation.participations.exists():
        return _("请先选择参加征求意见的基层立法联系点。")
    needs_text = consultation.kind != Consultation.Kind.PROJECTS
    if needs_text and not consultation.articles.exists():
        return _("请先导入或粘贴草案文本。")
    if consultation.closes_on < clock.today():
        return _("截止日期已过，请先修改截止日期。")
    return None


def comments_refusal(consultation) -> str | None:
    """Why the consultation takes no comment today (None: it does)."""
    phase = consultation.phase()
    if phase == Phase.OPEN:
        return None
    if phase == Phase.UPCOMING:
        return _("征求意见将于%(day)s开始，届时再提出意见。") % {
            "day": _date(consultation.opens_on)
        }
    if phase == Phase.CLOSED:
        return _("征求意见已于%(day)s截止，不再接收意见。") % {"day": _date(consultation.closes_on)}
    return _("该征求意见尚未发布。")


def _open_for_comments(participation, **_context) -> str | None:
    return comments_refusal(participation.consultation)


def _closed(participation, **_context) -> str | None:
    if participation.consultation.phase() != Phase.CLOSED:
        return _("征求意见截止（%(day)s）后才能登记采纳情况。") % {
            "day": _date(participation.consultation.closes_on)
        }
    return None


def _nothing_pending(participation, **_context) -> str | None:
    pending = participation.comments.filter(decision=Comment.Decision.PENDING).count()
    if pending:
        return _("还有%(n)s条意见未处理（保留、合并或舍弃），处理完毕后才能报送。") % {"n": pending}
    return None


CONSULTATION = Workflow(
    name=gettext_lazy("征求意见"),
    states=Consultation.Status,
    actions=[
        Action(
            "edit",
            gettext_lazy("修改"),
            sources=[C.DRAFT, C.PUBLISHED],
            target=None,
            allowed=can.can_manage_consultation,
        ),
        Action(
            "set_text",
            gettext_lazy("导入文本"),
            sources=[C.DRAFT],
            target=None,
            allowed=can.can_manage_consultation,
        ),
        Action(
            "publish",
            gettext_lazy("发布"),
            sources=[C.DRAFT],
            target=C.PUBLISHED,
            allowed=can.can_manage_consultation,
            when=_ready_to_publish,
            deadline=SUMMARY_DEADLINE,
        ),
    ],
)

PARTICIPATION = Workflow(
    name=gettext_lazy("联系点征集"),
    states=Participation.Status,
    actions=[
        Action(
            "comment",
            gettext_lazy("提出意见"),
            sources=[P.COLLECTING, P.SENT],
            target=None,
            allowed=can.can_comment,
            when=_open_for_comments,
        ),
        Action(
            "record",
            gettext_lazy("录入意见"),
            sources=[P.COLLECTING, P.SENT],
            target=None,
            allowed=can.can_keep_participation,
            when=_open_for_comments,
        ),
        Action(
            "meeting",
            gettext_lazy("登记座谈走访"),
            sources=[P.COLLECTING, P.SENT],
            target=None,
            allowed=can.can_keep_participation,
        ),
        Action(
            "decide",
            gettext_lazy("处理意见"),
            sources=[P.COLLECTING],
            target=None,
            allowed=can.can_keep_participation,
        ),
        Action(
            "opinion",
            gettext_lazy("填写联系点意见"),
            sources=[P.COLLECTING],
            target=None,
            allowed=can.can_keep_participation,
        ),
        Action(
            "send",
            gettext_lazy("报送汇总"),
            sources=[P.COLLECTING],
            target=P.SENT,
            allowed=can.can_keep_participation,
            when=_nothing_pending,
        ),
        Action(
            "reopen",
            gettext_lazy("退回修改"),
            sources=[P.SENT],
            target=P.COLLECTING,
            allowed=can.can_keep_participation,
        ),
        Action(
            "adopt",
            gettext_lazy("登记采纳情况"),
            sources=[P.SENT],
            target=None,
            allowed=can.can_keep_participation,
            when=_closed,
        ),
        Action(
            "feedback",
            gettext_lazy("完成采纳反馈"),
            sources=[P.SENT],
            target=P.FEEDBACK,
            allowed=can.can_keep_participation,
            when=_closed,
        ),
    ],
)
