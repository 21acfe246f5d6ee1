"""A formal suggestion (代表建议) as a table: each action declared once.

    draft ─ invite ─▶ cosigning ─ submit ─▶ submitted        (提: the author; co-signers confirm)
    draft ─ submit ─▶ submitted
    submitted ─ register ─▶ registered ─ assign ─▶ assigned   (交: the body's office)
    submitted/registered ─ refuse ─▶ refused | merge ─▶ merged
    assigned ─ return (lead unit, misrouted) ─▶ registered    (co-handler's return: stays assigned)
    assigned ─ reply ─▶ replied                                (办: the lead unit, after the
                                                                "before" contact when the region
                                                                asks for it)
    replied ─ rate ─▶ closed, or rehandling on 不满意 with the result (评: the author), once
    rehandling ─ reply ─▶ replied ─ rate ─▶ closed

Actions that change nothing but record: edit, cosign/decline, plan, contact, co_view,
extend/decide_extension, report_promise (回头看), supervise (重点督办), publication.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import clock
from core.workflow import Action, Workflow

from . import permissions as can
from .models import Contact, Extension, Proposal, ProposalSettings

S = Proposal.Status
OPEN_AFTER_SUBMIT = [S.SUBMITTED, S.REGISTERED, S.ASSIGNED, S.REPLIED, S.REHANDLING]

ASSIGN_DEADLINE = "proposals.assign"
REPLY_DEADLINE = "proposals.reply"
CO_VIEW_DEADLINE = "proposals.coview"
PROMISE_DEADLINE = "proposals.promise"


def _has_invitations(proposal, **_context) -> str | None:
    if not proposal.cosignatures.exists():
        return _("请先添加联名代表。")
    return None


def _no_pending_cosigners(proposal, **_context) -> str | None:
    waiting = proposal.cosignatures.filter(status="invited").count()
    if waiting:
        return _("还有%(n)s位联名代表未确认，请等待确认或移除后再提交。") % {"n": waiting}
    return None


def _within_return_window(proposal, *, assignment=None, **_context) -> str | None:
    if assignment is None or assignment.status != "active":
        return _("该交办已不在办理中。")
    if assignment.return_due and clock.today() > assignment.return_due:
        return _("退回期限（%(day)s）已过，不能再退回，请与交办机关沟通。") % {
            "day": assignment.return_due.isoformat()
        }
    return None


def _co_view_open(proposal, *, assignment=None, **_context) -> str | None:
    if assignment is None or assignment.status != "active":
        return _("该协办已不在办理中。")
    if assignment.co_view_at is not None:
        return _("已提交协办意见。")
    return None


def _can_extend(proposal, **_context) -> str | None:
    if proposal.rehandle_count:
        return _("再办理不能申请延期。")
    if proposal.extensions.exists():
        return _("每件建议只能申请一次延期。")
    if proposal.due_date and clock.today() > proposal.due_date:
        return _("答复期限已过，延期须在期限届满前申请。")
    return None


def _extension_pending(proposal, **_context) -> str | None:
    if not proposal.extensions.filter(status=Extension.Status.PENDING).exists():
        return _("没有待审批的延期申请。")
    return None


def before_contact_missing(proposal) -> bool:
    settings = ProposalSettings.for_region(proposal.region)
    if not settings.require_before_contact:
        return False
    return not proposal.contacts.filter(
        stage=Contact.Stage.BEFORE, round=proposal.rehandle_count + 1
    ).exists()


def _ready_to_reply(proposal, **_context) -> str | None:
    if before_contact_missing(proposal):
        return _("答复前须先登记办理前与代表的见面沟通（三见面）。")
    return None


def _promise_open(proposal, **_context) -> str | None:
    reply = proposal.current_reply()
    if reply is None or not reply.promise_due:
        return _("该答复没有需要回头看的承诺。")
    if reply.promise_reported_at is not None:
        return _("已报告承诺办理情况。")
    return None


def _rated_not_yet(proposal, **_context) -> str | None:
    reply = proposal.current_reply()
    if reply is None or reply.rated_at is not None:
        return _("没有待评价的答复。")
    return None


WORKFLOW = Workflow(
    name=gettext_lazy("代表建议"),
    states=Proposal.Status,
    actions=[
        Action(
            "edit",
            gettext_lazy("修改"),
            sources=[S.DRAFT, S.COSIGNING],
            target=None,
            allowed=can.can_edit_proposal,
        ),
        Action(
            "invite",
            gettext_lazy("征集联名"),
            sources=[S.DRAFT],
            target=S.COSIGNING,
            allowed=can.can_edit_proposal,
            when=_has_invitations,
        ),
        Action(
            "cosign",
            gettext_lazy("确认联名"),
            sources=[S.COSIGNING],
            target=None,
            allowed=can.can_answer_cosign,
        ),
        Action(
            "decline",
            gettext_lazy("谢绝联名"),
            sources=[S.COSIGNING],
            target=None,
            allowed=can.can_answer_cosign,
        ),
        Action(
            "submit",
            gettext_lazy("提交"),
            sources=[S.DRAFT, S.COSIGNING],
            target=S.SUBMITTED,
            allowed=can.can_edit_proposal,
            when=_no_pending_cosigners,
            deadline=ASSIGN_DEADLINE,
        ),
        Action(
            "register",
            gettext_lazy("登记立案"),
            sources=[S.SUBMITTED],
            target=S.REGISTERED,
            allowed=can.can_manage_proposal,
        ),
        Action(
            "refuse",
            gettext_lazy("不予立案"),
            sources=[S.SUBMITTED, S.REGISTERED],
            target=S.REFUSED,
            allowed=can.can_manage_proposal,
        ),
        Action(
            "merge",
            gettext_lazy("并案"),
            sources=[S.SUBMITTED, S.REGISTERED],
            target=S.MERGED,
            allowed=can.can_manage_proposal,
        ),
        Action(
            "assign",
            gettext_lazy("交办"),
            sources=[S.REGISTERED],
            target=S.ASSIGNED,
            allowed=can.can_manage_proposal,
            deadline=REPLY_DEADLINE,
        ),
        Action(
            "return",
            gettext_lazy("退回"),
            sources=[S.ASSIGNED],
            target=(S.REGISTERED, S.ASSIGNED),
            allowed=can.can_return_assignment,
            when=_within_return_window,
        ),
        Action(
            "co_view",
            gettext_lazy("提交协办意见"),
            sources=[S.ASSIGNED, S.REHANDLING],
            target=None,
            allowed=can.can_give_co_view,
            when=_co_view_open,
        ),
        Action(
            "plan",
            gettext_lazy("登记办理方案"),
            sources=[S.ASSIGNED, S.REHANDLING],
            target=None,
            allowed=can.can_handle_proposal,
        ),
        Action(
            "contact",
            gettext_lazy("登记见面沟通"),
            sources=[S.ASSIGNED, S.REHANDLING, S.REPLIED],
            target=None,
            allowed=can.can_handle_proposal,
        ),
        Action(
            "extend",
            gettext_lazy("申请延期"),
            sources=[S.ASSIGNED],
            target=None,
            allowed=can.can_handle_proposal,
            when=_can_extend,
        ),
        Action(
            "decide_extension",
            gettext_lazy("审批延期"),
            sources=[S.ASSIGNED],
            target=None,
            allowed=can.can_manage_proposal,
            when=_extension_pending,
        ),
        Action(
            "reply",
            gettext_lazy("答复"),
            sources=[S.ASSIGNED, S.REHANDLING],
            target=S.REPLIED,
            allowed=can.can_handle_proposal,
            when=_ready_to_reply,
        ),
        Action(
            "rate",
            gettext_lazy("评价"),
            sources=[S.REPLIED],
            target=(S.CLOSED, S.REHANDLING),
            allowed=can.can_rate_proposal,
            when=_rated_not_yet,
        ),
        Action(
            "report_promise",
            gettext_lazy("报告承诺办理情况"),
            sources=[S.REPLIED, S.CLOSED],
            target=None,
            allowed=can.can_handle_proposal,
            when=_promise_open,
            deadline=PROMISE_DEADLINE,
        ),
        Action(
            "supervise",
            gettext_lazy("重点督办"),
            sources=OPEN_AFTER_SUBMIT,
            target=None,
            allowed=can.can_manage_proposal,
        ),
        Action(
            "publication",
            gettext_lazy("公开设置"),
            sources=[S.REPLIED, S.REHANDLING, S.CLOSED],
            target=None,
            allowed=can.can_manage_proposal,
        ),
    ],
)
