"""The suggestion workflow (群众意见建议) as a table: each action declared once.

    submitted ─ accept ─▶ accepted ─┬─ answer on the spot (deputy) ─────────▶ replied
        │                           ├─ handle locally (station/township) ─▶ handling
        └─ reject ─▶ rejected       └─ assign (lead + co units) ─▶ assigned
    assigned ─ lead unit signs ─▶ handling ─ reply ─▶ replied ─ follow-up ─▶ closed
    assigned/handling ─ lead returns as misrouted ─▶ accepted (back to the assigner)
    replied ─ follow-up 不满意 (first time) ─▶ handling again, new 1-month deadline
    submitted/accepted ─ merge ─▶ merged (the survivor carries on)

A handling decision taken on a `submitted` suggestion accepts it first (one step for
the staff, two events in the timeline). Three tables: the suggestion's own states,
an assignment's (a unit signs or sends back), an extension request's (staff decide).
Who may take each action is a predicate of `suggestions/permissions.py`; the
services enforce the tables, the pages and the API offer what they allow.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import clock
from core.workflow import Action, Workflow

from . import permissions as can
from .models import Assignment, ExtensionRequest, Suggestion

S = Suggestion.Status
A = Assignment.Status
E = ExtensionRequest.Status
TRIAGE = (S.SUBMITTED, S.ACCEPTED)
RUNNING = Suggestion.RUNNING_STATUSES


def _date(value) -> str:
    return value.strftime("%Y年%m月%d日").replace("年0", "年").replace("月0", "月") if value else ""


def _before_reply_deadline(suggestion, **_context) -> str | None:
    if suggestion.due_date is not None and clock.today() > suggestion.due_date:
        return _("答复期限（%(due)s）已过，应在期限届满前申请延期。") % {
            "due": _date(suggestion.due_date)
        }
    if any(e.status == E.PENDING for e in suggestion.extensions.all()):
        return _("已有待审批的延期申请。")
    return None


def _may_send_back(assignment, *, suggestion, **_context) -> str | None:
    if suggestion.status not in RUNNING:
        return _("该事项已答复或办结，不能退回。")
    if assignment.return_due is not None and clock.today() > assignment.return_due:
        return _("已超过退回期限（%(due)s），不能退回，请与交办单位联系。") % {
            "due": _date(assignment.return_due)
        }
    return None


def _suggestion_still_running(extension, *, suggestion, **_context) -> str | None:
    if suggestion.status not in RUNNING:
        return _("该事项当前状态为“%(status)s”，不能批准延期。") % {
            "status": suggestion.get_status_display()
        }
    return None


SUGGESTION = Workflow(
    name=gettext_lazy("事项"),
    states=Suggestion.Status,
    actions=[
        Action(
            "accept",
            gettext_lazy("受理"),
            sources=[S.SUBMITTED],
            target=S.ACCEPTED,
            allowed=can.can_triage_suggestion,
        ),
        Action(
            "reject",
            gettext_lazy("不予受理"),
            sources=TRIAGE,
            target=S.REJECTED,
            allowed=can.can_triage_suggestion,
        ),
        Action(
            "answer",
            gettext_lazy("当场答复"),
            sources=TRIAGE,
            target=S.REPLIED,
            allowed=can.can_answer_suggestion,
        ),
        Action(
            "handle",
            gettext_lazy("自行办理"),
            sources=TRIAGE,
            target=S.HANDLING,
            allowed=can.can_triage_suggestion,
            deadline="reply",
        ),
        Action(
            "assign",
            gettext_lazy("交办"),
            sources=TRIAGE,
            target=S.ASSIGNED,
            allowed=can.can_assign_suggestion,
            deadline="acknowledge, return, reply",
        ),
        Action(
            "merge",
            gettext_lazy("合并"),
            sources=TRIAGE,
            target=S.MERGED,
            allowed=can.can_merge_suggestion,
        ),
        Action(
            "extend",
            gettext_lazy("申请延期"),
            sources=RUNNING,
            target=None,
            allowed=can.can_handle_suggestion,
            when=_before_reply_deadline,
        ),
        Action(
            "reply",
            gettext_lazy("答复"),
            sources=[S.HANDLING],
            target=S.REPLIED,
            allowed=can.can_handle_suggestion,
        ),
        # Closes; or, the first 不满意, reopens for re-handling with a new deadline.
        Action(
            "follow_up",
            gettext_lazy("回访评价"),
            sources=[S.REPLIED],
            target=(S.CLOSED, S.HANDLING),
            allowed=can.can_follow_up_suggestion,
            deadline="rehandle",
        ),
    ],
)

ASSIGNMENT = Workflow(
    name=gettext_lazy("交办"),
    states=Assignment.Status,
    actions=[
        # The lead unit's signature also moves the suggestion from assigned to handling.
        Action(
            "acknowledge",
            gettext_lazy("签收"),
            sources=[A.PENDING],
            target=A.ACKNOWLEDGED,
            allowed=can.can_act_for_assignment,
        ),
        # The lead's return sends the whole suggestion back to the assigner.
        Action(
            "return",
            gettext_lazy("退回"),
            sources=Assignment.ACTIVE_STATUSES,
            target=A.RETURNED,
            allowed=can.can_act_for_assignment,
            when=_may_send_back,
        ),
    ],
)

EXTENSION = Workflow(
    name=gettext_lazy("延期申请"),
    states=ExtensionRequest.Status,
    actions=[
        Action(
            "approve",
            gettext_lazy("批准延期"),
            sources=[E.PENDING],
            target=E.APPROVED,
            allowed=lambda actor, extension, *, suggestion: can.can_decide_extension(
                actor, suggestion
            ),
            when=_suggestion_still_running,
        ),
        Action(
            "refuse",
            gettext_lazy("不批准延期"),
            sources=[E.PENDING],
            target=E.REFUSED,
            allowed=lambda actor, extension, *, suggestion: can.can_decide_extension(
                actor, suggestion
            ),
        ),
    ],
)
