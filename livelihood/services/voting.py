"""The vote, with the rules of law kept here whoever calls (page, API, two phones at once).

- a round opens only with a quorum present (two thirds of the seated deputies by
  default, a setting), and freezes its numbers: seated, present, the base;
- the first selection round puts every candidate to the vote and checks the margin
  (差额: at least margin% more candidates than places, rounded up; 等额: as many);
- a tie at the cut-off leaves a round among the tied only, for the places they tie for;
- electronic: one ballot per deputy signed in, during the window; the ballot is kept
  apart from the register of who voted, with no deputy, no time and a random key;
- paper: two tellers enter ballots issued and returned and the tallies (per project,
  or ballot by ballot); a ballot approving more projects than places is void;
- a round counts once a counter and a scrutineer (two people) confirmed it; returned
  ballots above issued ones make it void (hold it again); a project is adopted with
  approval strictly above half of the base, ranked by votes, the top N win;
- a confirmed round is never edited: a correction is a new round that supersedes it.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from core import clock
from duties.models import DutyKind
from duties.services import duty_credit

from .. import counting
from .. import permissions as can
from ..models import (
    RATING_CHOICES,
    SELECT_CHOICES,
    Ballot,
    Choice,
    Confirmation,
    Cycle,
    Meeting,
    Project,
    Round,
    Tally,
    VoterRecord,
)
from ..workflow import CYCLE, ROUND
from .common import CREATE, STATE, UPDATE, locked_cycle, record

R = Round.Status
SELECT = Meeting.Purpose.SELECT
RATING = Meeting.Purpose.RATING
DEFAULT_WINDOW_MINUTES = 30


def _locked_round(round: Round) -> Round:
    return (
        Round.objects.select_for_update(of=("self",))
        .select_related("cycle", "cycle__region", "meeting")
        .get(pk=round.pk)
    )


def _adopted_count(cycle: Cycle) -> int:
    return cycle.projects.filter(status=Project.Status.ADOPTED).count()


def _pending_tie(cycle: Cycle) -> tuple[set[int], int] | None:
    """The tie the last counted selection round left, if no round has settled it since."""
    last = cycle.rounds.filter(purpose=SELECT, status=R.CONFIRMED).order_by("-number").first()
    if last is None or not last.outcome.get("tied"):
        return None
    return set(last.outcome["tied"]), last.outcome["tie_places"]


def _selection_projects(cycle: Cycle, projects, places: int | None, corrects) -> tuple[list, int]:
    candidates = list(cycle.projects.filter(status=Project.Status.CANDIDATE))
    chosen = [p for p in candidates if p.pk in {q.pk for q in projects}] if projects else candidates
    if projects and len(chosen) != len({q.pk for q in projects}):
        raise ValidationError({"projects": _("只能对尚未通过的候选项目表决。")})
    first = not cycle.rounds.filter(purpose=SELECT, status=R.CONFIRMED).exists()
    if corrects is not None:
        return list(corrects.projects.all()), corrects.places
    if first:
        if len(chosen) != len(candidates):
            raise ValidationError({"projects": _("第一轮须对全部候选项目表决。")})
        count = len(candidates)
        if cycle.competitive and count < cycle.min_candidates:
            raise ValidationError(
                _("差额票决：%(places)s个名额至少需要%(min)s个候选项目，现有%(n)s个。")
                % {"places": cycle.places, "min": cycle.min_candidates, "n": count}
            )
        if not cycle.competitive and count != cycle.places:
            raise ValidationError(
                _("等额票决：候选项目数应等于名额%(places)s个，现有%(n)s个。")
                % {"places": cycle.places, "n": count}
            )
        return chosen, cycle.places
    remaining = cycle.places - _adopted_count(cycle)
    if remaining <= 0:
        raise ValidationError(_("名额已满，不再表决。"))
    tie = _pending_tie(cycle)
    if tie is not None:
        tied, tie_places = tie
        if {p.pk for p in chosen} != tied:
            raise ValidationError(
                {"projects": _("上一轮在名额末位出现票数相等，应只对票数相等的项目再次表决。")}
            )
        return chosen, tie_places
    places = places or remaining
    if places > remaining:
        raise ValidationError({"places": _("本轮名额不能超过剩余名额%(n)s个。") % {"n": remaining}})
    if len(chosen) < places:
        raise ValidationError({"projects": _("候选项目数不能少于本轮名额。")})
    return chosen, places


@transaction.atomic
def round_open(
    *,
    actor,
    cycle: Cycle,
    method: str,
    projects=None,
    places: int | None = None,
    minutes: int = DEFAULT_WINDOW_MINUTES,
    corrects: Round | None = None,
    note: str = "",
) -> Round:
    """Open a round at the phase's meeting (the session vote, or the year-end rating)."""
    cycle = locked_cycle(cycle)
    CYCLE.check("hold_round", actor, cycle)
    purpose = RATING if cycle.status == Cycle.Status.REVIEW else SELECT
    meeting = cycle.meetings.filter(purpose=purpose).first()
    if meeting is None:
        raise ValidationError(_("请先开始会议并签到。"))
    if method not in Round.Method.values:
        raise ValidationError({"method": _("请选择纸质选票或电子表决。")})
    if cycle.rounds.filter(status__in=[R.OPEN, R.COUNTING]).exists():
        raise ValidationError(_("上一轮尚未确认，不能开始新一轮。"))
    if corrects is not None:
        corrects = _locked_round(corrects)
        if corrects.cycle_id != cycle.pk:
            raise ValidationError(_("只能更正本年度的轮次。"))
        ROUND.check("correct", actor, corrects)
        if corrects.purpose != purpose or method != Round.Method.PAPER:
            raise ValidationError(_("更正轮次须为同一议程的纸质计票。"))
    seated = cycle.members.count()
    present = meeting.attendances.count()
    quorum = cycle.quorum_for(seated)
    if corrects is not None:
        seated, present = corrects.seated, corrects.present
    elif seated == 0 or present < quorum:
        raise ValidationError(
            _(
                "出席代表%(present)s人，未达到实有代表%(seated)s人的%(num)s/%(den)s（%(quorum)s人），不能表决。"
            )
            % {
                "present": present,
                "seated": seated,
                "num": cycle.quorum_numerator,
                "den": cycle.quorum_denominator,
                "quorum": quorum,
            }
        )
    if purpose == SELECT:
        chosen, round_places = _selection_projects(cycle, projects, places, corrects)
    else:
        chosen = list(cycle.projects.filter(status=Project.Status.ADOPTED))
        round_places = None
        if not chosen:
            raise ValidationError(_("没有需要测评的项目。"))
    base = present if cycle.threshold_base == Cycle.Base.PRESENT else seated
    now = clock.now()
    electronic = method == Round.Method.ELECTRONIC
    if electronic and not 1 <= minutes <= 24 * 60:
        raise ValidationError({"minutes": _("投票时长应在1分钟到24小时之间。")})
    last = cycle.rounds.order_by("-number").values_list("number", flat=True).first() or 0
    round = Round.objects.create(
        cycle=cycle,
        meeting=meeting,
        number=last + 1,
        purpose=purpose,
        method=method,
        status=R.OPEN if electronic else R.COUNTING,
        places=round_places,
        corrects=corrects,
        seated=seated,
        present=present,
        base=corrects.base if corrects is not None else base,
        opened_at=now,
        closes_at=now + datetime.timedelta(minutes=minutes) if electronic else None,
        issued=present if electronic else None,
        note=note.strip()[:300],
        created_by=actor,
    )
    round.projects.set(chosen)
    Tally.objects.bulk_create([Tally(cycle=cycle, round=round, project=p) for p in chosen])
    record(
        actor,
        CREATE,
        round,
        changes={
            "method": [None, method],
            "seated": [None, seated],
            "present": [None, present],
            "places": [None, round_places],
        },
    )
    return round


# --- Electronic ballots -----------------------------------------------------------------------


def _allowed_choices(round: Round):
    return SELECT_CHOICES if round.purpose == SELECT else RATING_CHOICES


def _clean_marks(round: Round, marks: dict, *, partial: bool) -> dict[str, str]:
    """{project id: choice} for exactly the round's projects (paper may leave blanks)."""
    ids = {str(pk) for pk in round.projects.values_list("pk", flat=True)}
    allowed = {str(c) for c in _allowed_choices(round)}
    clean = {}
    for key, value in (marks or {}).items():
        if str(key) not in ids:
            raise ValidationError({"marks": _("选票上没有这个项目。")})
        if not value:
            continue
        if str(value) not in allowed:
            raise ValidationError({"marks": _("请为每个项目选择一项。")})
        clean[str(key)] = str(value)
    if not partial and set(clean) != ids:
        raise ValidationError({"marks": _("请为每个项目选择一项后再提交。")})
    return clean


def _approvals(marks: dict[str, str]) -> int:
    return sum(1 for value in marks.values() if value == Choice.YES)


def voter_of(actor, round: Round):
    return can.seated_deputy(actor, round.cycle)


def has_voted(actor, round: Round) -> bool:
    deputy = voter_of(actor, round)
    return deputy is not None and VoterRecord.objects.filter(round=round, deputy=deputy).exists()


def ballot_cast(*, actor, round: Round, marks: dict) -> None:
    """A deputy's secret electronic ballot. Returns nothing that names the ballot."""
    try:
        with transaction.atomic():
            round = _locked_round(round)
            ROUND.check("vote", actor, round)
            deputy = voter_of(actor, round)
            if not round.meeting.attendances.filter(deputy=deputy).exists():
                raise ValidationError(_("您没有在本次会议签到，不能投票。"))
            if VoterRecord.objects.filter(round=round, deputy=deputy).exists():
                raise ValidationError(_("您已经投过票了，每人每轮只能投一票。"))
            clean = _clean_marks(round, marks, partial=False)
            if counting.ballot_void(_approvals(clean), round.places):
                raise ValidationError(
                    {
                        "marks": _("赞成的项目不能超过本轮名额%(n)s个，否则为废票。")
                        % {"n": round.places}
                    }
                )
            VoterRecord.objects.create(round=round, deputy=deputy)
            Ballot.objects.create(round=round, marks=clean)
            # The register says who voted (audited); the ballot says nothing of whom.
            record(actor, UPDATE, round, note=_("电子投票（不记录选择）"))
            _credit_vote(deputy, round)
    except IntegrityError:  # the twin request won the unique register row
        raise ValidationError(_("您已经投过票了，每人每轮只能投一票。")) from None


def _credit_vote(deputy, round: Round) -> None:
    duty_credit(
        deputy=deputy,
        kind=DutyKind.VOTE,
        date=round.meeting.held_on,
        source=round.meeting,
        title=_("%(cycle)s：%(what)s")
        % {
            "cycle": round.cycle.title,
            "what": round.meeting.get_purpose_display(),
        },
        url=reverse("livelihood:detail", args=[round.cycle_id]),
    )


def _count_ballots(round: Round) -> None:
    """Tallies from the ballots (electronic, or paper entered one by one)."""
    counts = {
        pk: dict.fromkeys(Choice.values, 0) for pk in round.projects.values_list("pk", flat=True)
    }
    invalid = 0
    returned = 0
    for ballot in round.ballots.all():
        returned += 1
        if ballot.void:
            invalid += 1
            continue
        for key, value in ballot.marks.items():
            counts[int(key)][value] += 1
    for tally in round.tallies.all():
        for choice, number in counts[tally.project_id].items():
            setattr(tally, choice, number)
        tally.save()
    round.returned = returned
    round.invalid = invalid


@transaction.atomic
def round_close(*, actor, round: Round) -> Round:
    """End the electronic window and count."""
    round = _locked_round(round)
    ROUND.check("close", actor, round)
    ROUND.move("close", round)
    round.issued = round.present
    _count_ballots(round)
    round.closes_at = min(round.closes_at or clock.now(), clock.now())
    round.save()
    record(actor, STATE, round, changes={"returned": [None, round.returned]})
    return round


# --- Paper ----------------------------------------------------------------------------------


def _check_enter(actor, round: Round) -> Round:
    round = _locked_round(round)
    ROUND.check("enter", actor, round)
    if round.method != Round.Method.PAPER:
        raise ValidationError(_("电子表决由系统计票，不能手工录入。"))
    return round


@transaction.atomic
def round_enter_totals(
    *, actor, round: Round, issued: int, returned: int, invalid: int, tallies: dict
) -> Round:
    """Paper, per project: ballots issued, returned, void, and each project's counts.

    `tallies` {project id: {"yes": n, "no": n, "abstain": n}} (or the three ratings).
    """
    round = _check_enter(actor, round)
    if round.per_ballot:
        raise ValidationError(_("本轮已逐张录入选票，请继续逐张录入。"))
    errors = {}
    for name, value in (("issued", issued), ("returned", returned), ("invalid", invalid)):
        if value is None or int(value) < 0:
            errors[name] = _("请填写不小于0的整数。")
    if errors:
        raise ValidationError(errors)
    issued, returned, invalid = int(issued), int(returned), int(invalid)
    if invalid > returned:
        raise ValidationError({"invalid": _("废票数不能超过收回选票数。")})
    valid = returned - invalid
    fields = [str(c) for c in _allowed_choices(round)]
    ids = set(round.projects.values_list("pk", flat=True))
    given = {int(k): v for k, v in (tallies or {}).items()}
    if set(given) != ids:
        raise ValidationError({"tallies": _("请为本轮每个项目填写计票数。")})
    approvals = 0
    for pk, counts in given.items():
        numbers = {f: int(counts.get(f) or 0) for f in fields}
        if any(n < 0 for n in numbers.values()):
            raise ValidationError({"tallies": _("票数不能为负数。")})
        if sum(numbers.values()) > valid:
            raise ValidationError(
                {"tallies": _("某项目的票数合计超过有效票%(n)s张。") % {"n": valid}}
            )
        approvals += numbers.get("yes", 0)
        given[pk] = numbers
    if round.places is not None and approvals > valid * round.places:
        raise ValidationError(
            {"tallies": _("赞成票总数超过有效票数乘以名额，请核对（超过名额的选票应作废票）。")}
        )
    for tally in round.tallies.all():
        for field, number in given[tally.project_id].items():
            setattr(tally, field, number)
        tally.save()
    before = {"issued": round.issued, "returned": round.returned, "invalid": round.invalid}
    round.issued, round.returned, round.invalid = issued, returned, invalid
    round.save()
    record(
        actor,
        UPDATE,
        round,
        changes={
            **{
                k: [before[k], v]
                for k, v in (("issued", issued), ("returned", returned), ("invalid", invalid))
            },
            "tallies": [None, {str(k): v for k, v in given.items()}],
        },
        note=_("录入计票结果"),
    )
    return round


@transaction.atomic
def round_set_issued(*, actor, round: Round, issued: int) -> Round:
    round = _check_enter(actor, round)
    if issued is None or int(issued) < 0:
        raise ValidationError({"issued": _("请填写不小于0的整数。")})
    before = round.issued
    round.issued = int(issued)
    round.save(update_fields=["issued"])
    record(actor, UPDATE, round, changes={"issued": [before, round.issued]})
    return round


@transaction.atomic
def round_enter_ballot(*, actor, round: Round, paper_number: int, marks: dict) -> bool:
    """Paper, ballot by ballot; returns whether the ballot is valid. A ballot approving
    more projects than places is kept, as void."""
    round = _check_enter(actor, round)
    if (
        round.tallies.exclude(yes=0, no=0, abstain=0, satisfied=0, basic=0, unsatisfied=0).exists()
        and not round.per_ballot
    ):
        raise ValidationError(_("本轮已按项目录入合计，不能再逐张录入。"))
    if not paper_number or int(paper_number) < 1:
        raise ValidationError({"paper_number": _("请填写选票编号。")})
    if round.ballots.filter(paper_number=paper_number).exists():
        raise ValidationError({"paper_number": _("第%(n)s张选票已录入。") % {"n": paper_number}})
    clean = _clean_marks(round, marks, partial=True)
    void = counting.ballot_void(_approvals(clean), round.places)
    Ballot.objects.create(round=round, marks=clean, void=void, paper_number=int(paper_number))
    round.per_ballot = True
    _count_ballots(round)
    round.save()
    record(
        actor,
        UPDATE,
        round,
        changes={"ballot": [None, {"number": int(paper_number), "void": void}]},
        note=_("录入纸质选票"),
    )
    return not void


# --- Confirmation ---------------------------------------------------------------------------


@transaction.atomic
def round_confirm(*, actor, round: Round, role: str, teller_name: str) -> Round:
    """A teller confirms the count; with a counter and a scrutineer (two different
    people) the round counts and is never edited again."""
    round = _locked_round(round)
    ROUND.check("confirm", actor, round)
    if role not in Confirmation.Role.values:
        raise ValidationError({"role": _("请选择计票人或监票人。")})
    teller_name = (teller_name or "").strip()
    if not teller_name:
        raise ValidationError({"teller_name": _("请填写计票人或监票人姓名。")})
    if round.issued is None or round.returned is None:
        raise ValidationError(_("请先录入发出和收回的选票数。"))
    if round.confirmations.filter(role=role).exists():
        raise ValidationError({"role": _("该身份已确认过。")})
    if round.confirmations.filter(user=actor).exists():
        raise ValidationError(_("计票人和监票人须由两个人分别确认。"))
    Confirmation.objects.create(
        cycle=round.cycle,
        round=round,
        role=role,
        teller_name=teller_name,
        user=actor,
        confirmed_at=clock.now(),
    )
    record(
        actor,
        UPDATE,
        round,
        note=_("%(role)s确认：%(name)s")
        % {
            "role": Confirmation.Role(role).label,
            "name": teller_name,
        },
    )
    if round.confirmations.count() < 2:
        return round
    _finalise(actor, round)
    return round


def _finalise(actor, round: Round) -> None:
    if counting.round_void(round.issued, round.returned):
        round.void_reason = _("收回选票%(r)s张多于发出选票%(i)s张，本轮表决无效，须重新表决。") % {
            "r": round.returned,
            "i": round.issued,
        }
        ROUND.move("confirm", round, R.VOID)
    else:
        ROUND.move("confirm", round, R.CONFIRMED)
        tallies = list(round.tallies.all())
        if round.purpose == SELECT:
            result = counting.select(
                {t.project_id: t.yes for t in tallies}, places=round.places, base=round.base
            )
            round.outcome = result.as_dict()
        else:
            round.outcome = {
                "ratings": {
                    str(t.project_id): counting.rating(
                        t.satisfied, t.basic, t.unsatisfied, percent=round.cycle.rating_percent
                    )
                    for t in tallies
                }
            }
    round.confirmed_at = clock.now()
    round.save()
    if round.corrects_id and round.status == R.CONFIRMED:
        Round.objects.filter(pk=round.corrects_id).update(status=R.SUPERSEDED)
    record(
        actor,
        STATE,
        round,
        changes={"status": [R.COUNTING, round.status], "outcome": [None, round.outcome]},
    )
    _apply(round.cycle, round.purpose)
    if round.method == Round.Method.PAPER and round.status == R.CONFIRMED and not round.corrects_id:
        for attendance in round.meeting.attendances.select_related("deputy"):
            _credit_vote(attendance.deputy, round)


def _apply(cycle: Cycle, purpose: str) -> None:
    """Project results from the counted rounds of `purpose`, walked in order (so a
    correction that supersedes a round takes its place)."""
    projects = {p.pk: p for p in cycle.projects.all()}
    if purpose == SELECT:
        for project in projects.values():
            if project.status != Project.Status.NOT_ADOPTED:
                project.status = Project.Status.CANDIDATE
            project.rank = None
            project.votes_for = None
        ranked = 0
        for round in cycle.rounds.filter(purpose=SELECT, status=R.CONFIRMED).order_by("number"):
            yes = dict(round.tallies.values_list("project_id", "yes"))
            for pk, votes in yes.items():
                projects[pk].votes_for = votes
            for pk in round.outcome.get("winners", []):
                if projects[pk].status != Project.Status.ADOPTED:
                    ranked += 1
                    projects[pk].status = Project.Status.ADOPTED
                    projects[pk].rank = ranked
        Project.objects.bulk_update(projects.values(), ["status", "rank", "votes_for"])
        return
    ratings = {}
    for round in cycle.rounds.filter(purpose=RATING, status=R.CONFIRMED).order_by("number"):
        ratings.update(round.outcome.get("ratings", {}))
    for project in projects.values():
        adopted = project.status == Project.Status.ADOPTED
        project.rating = ratings.get(str(project.pk), "") if adopted else ""
    Project.objects.bulk_update(projects.values(), ["rating"])


def places_open(cycle: Cycle) -> int:
    return max(0, cycle.places - _adopted_count(cycle))


def pending_tie(cycle: Cycle):
    return _pending_tie(cycle)
