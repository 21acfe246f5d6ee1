"""A cycle's phases and a round's count, as tables: each action declared once.

    cycle:  collecting ─close_collection─▶ screening ─fix_candidates─▶ candidates
            ─start_voting─▶ voting ─publish─▶ published ─close_session─▶ plans
            ─start_progress─▶ progress ─start_review─▶ review ─finish_rating─▶ rated
            ─close─▶ done
    round:  open ─close─▶ counting ─confirm─▶ confirmed | void  (a paper round opens
            counting; a confirmed round is superseded only by a confirmed correction)

The vote's rules of law (quorum, margin, strict majority, void rounds and ballots,
ties) are kept by the services (`livelihood/services/voting.py`, with the arithmetic in
`livelihood/counting.py`); the `when` conditions here say when a phase may move.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import clock
from core.workflow import Action, Workflow

from . import permissions as can
from .models import ApprovalStep, Confirmation, Cycle, Member, Project, Proposal, Round

C = Cycle.Status
R = Round.Status
PLAN_DEADLINE = "livelihood.plan"
PROBLEM_DEADLINE = "livelihood.problem"
BEFORE_VOTE = [C.COLLECTING, C.SCREENING, C.CANDIDATES]


def _date(value) -> str:
    return _("%(y)s年%(m)s月%(d)s日") % {"y": value.year, "m": value.month, "d": value.day}


def collecting_refusal(cycle) -> str | None:
    """Why the public page takes no proposal today (None: it does)."""
    if cycle.status != C.COLLECTING:
        return _("本年度民生实事项目征集已结束，感谢关注。")
    today = clock.today()
    if today < cycle.collect_from:
        return _("征集将于%(day)s开始，届时再提出建议。") % {"day": _date(cycle.collect_from)}
    if today > cycle.collect_until:
        return _("征集已于%(day)s截止，不再接收建议。") % {"day": _date(cycle.collect_until)}
    return None


def _public_window(cycle, **_context) -> str | None:
    # Staff enter what came in offline whatever the date; the public page keeps the dates.
    return collecting_refusal(cycle) if _context.get("public") else None


def _all_screened(cycle, **_context) -> str | None:
    pending = cycle.proposals.filter(decision=Proposal.Decision.PENDING).count()
    if pending:
        return _("还有%(n)s件项目建议未初审，初审完毕后才能确定候选项目。") % {"n": pending}
    count = cycle.projects.count()
    if not count:
        return _("请先录入候选项目。")
    if cycle.competitive and count < cycle.min_candidates:
        return _(
            "差额票决：%(places)s个名额至少需要%(min)s个候选项目（差额比例不低于%(pct)s%%），现有%(n)s个。"
        ) % {
            "places": cycle.places,
            "min": cycle.min_candidates,
            "pct": cycle.margin_percent,
            "n": count,
        }
    if not cycle.competitive and count != cycle.places:
        return _("等额票决：候选项目数应等于名额%(places)s个，现有%(n)s个。") % {
            "places": cycle.places,
            "n": count,
        }
    return None


def _known(obj, annotation: str, query) -> bool:
    """The answer a list's queryset annotated on `obj` (see `annotate_cycle_guards`),
    else the query's: a list of N cycles then asks its guards nothing row by row."""
    value = getattr(obj, annotation, None)
    return query().exists() if value is None else bool(value)


def annotate_cycle_guards(queryset):
    """Annotate the facts the cycle actions' guards read, for lists of cycles."""
    rounds = Round.objects.filter(cycle=OuterRef("pk"))
    return queryset.annotate(
        guard_has_members=Exists(Member.objects.filter(cycle=OuterRef("pk"))),
        guard_has_approvals=Exists(ApprovalStep.objects.filter(cycle=OuterRef("pk"))),
        guard_round_running=Exists(rounds.filter(status__in=[R.OPEN, R.COUNTING])),
        guard_select_confirmed=Exists(rounds.filter(purpose="select", status=R.CONFIRMED)),
    )


def annotate_round_guards(queryset):
    """Annotate the facts the round actions' guards read, for lists of rounds."""
    return queryset.annotate(
        guard_confirmed=Exists(Confirmation.objects.filter(round=OuterRef("pk")))
    )


def _roster_ready(cycle, **_context) -> str | None:
    if not _known(cycle, "guard_has_members", lambda: cycle.members):
        return _("请先确定本届实有代表名单（可从代表名册载入）。")
    if not _known(cycle, "guard_has_approvals", lambda: cycle.approvals):
        return _("请先登记候选项目的审议程序（主任会议、党委审定、常委会审议等）。")
    return None


def _no_round_running(cycle) -> str | None:
    running = lambda: cycle.rounds.filter(status__in=[R.OPEN, R.COUNTING])  # noqa: E731
    if _known(cycle, "guard_round_running", running):
        return _("还有未确认的表决轮次，请先完成计票确认。")
    return None


def _vote_done(cycle, **_context) -> str | None:
    running = _no_round_running(cycle)
    if running:
        return running
    confirmed = lambda: cycle.rounds.filter(purpose="select", status=R.CONFIRMED)  # noqa: E731
    if not _known(cycle, "guard_select_confirmed", confirmed):
        return _("还没有经计票人、监票人确认的有效表决结果。")
    return None


def _plans_in(cycle, **_context) -> str | None:
    missing = cycle.projects.filter(status=Project.Status.ADOPTED).exclude(plan_state="in")
    if missing.exists():
        return _("还有%(n)s个项目未报送实施方案。") % {"n": missing.count()}
    return None


def _all_rated(cycle, **_context) -> str | None:
    running = _no_round_running(cycle)
    if running:
        return running
    unrated = cycle.projects.filter(status=Project.Status.ADOPTED, rating="")
    if unrated.exists():
        return _("还有%(n)s个项目没有有效的满意度测评结果。") % {"n": unrated.count()}
    return None


def _rectified(cycle, **_context) -> str | None:
    missing = [
        p.name
        for p in cycle.projects.filter(status=Project.Status.ADOPTED)
        if p.needs_rectification and not (p.explanation and p.rectification)
    ]
    if missing:
        return _("以下不满意或未完成的项目须先填写书面说明和整改措施：%(names)s") % {
            "names": "、".join(missing)
        }
    return None


def _not_running(cycle, **_context) -> str | None:
    return _no_round_running(cycle)


CYCLE = Workflow(
    name=gettext_lazy("票决工作"),
    states=Cycle.Status,
    actions=[
        Action("edit", gettext_lazy("修改设置"), BEFORE_VOTE, None, can.can_manage_cycle),
        Action(
            "propose",
            gettext_lazy("提出项目建议"),
            [C.COLLECTING, C.SCREENING],
            None,
            can.can_propose,
            when=_public_window,
        ),
        Action(
            "close_collection",
            gettext_lazy("结束征集"),
            [C.COLLECTING],
            C.SCREENING,
            can.can_manage_cycle,
        ),
        Action("screen", gettext_lazy("初审"), [C.SCREENING], None, can.can_manage_cycle),
        Action(
            "approve",
            gettext_lazy("登记审议程序"),
            [C.SCREENING, C.CANDIDATES, C.VOTING],
            None,
            can.can_manage_cycle,
        ),
        Action(
            "fix_candidates",
            gettext_lazy("确定候选项目"),
            [C.SCREENING],
            C.CANDIDATES,
            can.can_manage_cycle,
            when=_all_screened,
        ),
        Action(
            "roster",
            gettext_lazy("维护代表名单"),
            [C.COLLECTING, C.SCREENING, C.CANDIDATES, C.VOTING, C.PROGRESS, C.REVIEW],
            None,
            can.can_manage_cycle,
            when=_not_running,
        ),
        Action(
            "start_voting",
            gettext_lazy("开始大会票决"),
            [C.CANDIDATES],
            C.VOTING,
            can.can_manage_cycle,
            when=_roster_ready,
        ),
        Action(
            "hold_round",
            gettext_lazy("签到和表决"),
            [C.VOTING, C.REVIEW],
            None,
            can.can_manage_cycle,
        ),
        Action(
            "publish",
            gettext_lazy("发布大会公告"),
            [C.VOTING],
            C.PUBLISHED,
            can.can_manage_cycle,
            when=_vote_done,
        ),
        Action(
            "close_session",
            gettext_lazy("大会闭幕，开始编制实施方案"),
            [C.PUBLISHED],
            C.PLANS,
            can.can_manage_cycle,
            deadline=PLAN_DEADLINE,
        ),
        Action(
            "plan",
            gettext_lazy("录入实施方案"),
            [C.PLANS, C.PROGRESS],
            None,
            can.can_manage_cycle,
        ),
        Action(
            "start_progress",
            gettext_lazy("进入实施督办"),
            [C.PLANS],
            C.PROGRESS,
            can.can_manage_cycle,
            when=_plans_in,
        ),
        Action(
            "supervise",
            gettext_lazy("跟踪督办"),
            [C.PLANS, C.PROGRESS, C.REVIEW],
            None,
            can.can_manage_cycle,
        ),
        Action(
            "start_review",
            gettext_lazy("开始年终评估"),
            [C.PROGRESS],
            C.REVIEW,
            can.can_manage_cycle,
        ),
        Action(
            "finish_rating",
            gettext_lazy("确认测评结果"),
            [C.REVIEW],
            C.RATED,
            can.can_manage_cycle,
            when=_all_rated,
        ),
        Action(
            "rectify",
            gettext_lazy("书面说明和整改"),
            [C.RATED],
            None,
            can.can_manage_cycle,
        ),
        Action(
            "close",
            gettext_lazy("办结"),
            [C.RATED],
            C.DONE,
            can.can_manage_cycle,
            when=_rectified,
        ),
    ],
)


def _window_open(round, **_context) -> str | None:
    if round.closes_at and clock.now() > round.closes_at:
        return _("投票时间已结束。")
    return None


def _nothing_confirmed(round, **_context) -> str | None:
    if _known(round, "guard_confirmed", lambda: round.confirmations):
        return _("计票结果已有人确认，不能再修改；如有错误，请另起一轮更正。")
    return None


ROUND = Workflow(
    name=gettext_lazy("表决轮次"),
    states=Round.Status,
    actions=[
        Action("vote", gettext_lazy("投票"), [R.OPEN], None, can.can_vote, when=_window_open),
        Action("close", gettext_lazy("结束投票并计票"), [R.OPEN], R.COUNTING, can.can_count_round),
        Action(
            "enter",
            gettext_lazy("录入计票结果"),
            [R.COUNTING],
            None,
            can.can_count_round,
            when=_nothing_confirmed,
        ),
        Action(
            "confirm",
            gettext_lazy("确认计票结果"),
            [R.COUNTING],
            (R.COUNTING, R.CONFIRMED, R.VOID),
            can.can_count_round,
        ),
        Action(
            "correct",
            gettext_lazy("更正（另起一轮）"),
            [R.CONFIRMED, R.VOID],
            None,
            can.can_count_round,
        ),
    ],
)
