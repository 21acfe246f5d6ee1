"""The vote's rules of law, each with numbers, through the services any page or API calls."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import Role
from duties.models import DutyCredit, DutyKind
from livelihood import counting, services
from livelihood.models import Ballot, Cycle, Project, Round, VoterRecord
from tests import factories as f

from .world import SESSION, voting_cycle

pytestmark = pytest.mark.django_db
AT_SESSION = datetime.datetime(2026, 4, 10, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture
def at_session(clock):
    clock(AT_SESSION)


def paper(world, cycle, **kwargs):
    return services.round_open(actor=world.township_officer, cycle=cycle, method="paper", **kwargs)


def enter(world, round, votes, *, issued=None, returned=None, invalid=0, field="yes"):
    """Per-project totals: `votes` {project: approvals}; the rest voted against."""
    issued = round.present if issued is None else issued
    returned = issued if returned is None else returned
    valid = returned - invalid
    tallies = {}
    for project in round.projects.all():
        yes = votes.get(project, 0)
        tallies[project.pk] = {field: yes, "no": max(0, valid - yes)}
    return services.round_enter_totals(
        actor=world.township_officer,
        round=round,
        issued=issued,
        returned=returned,
        invalid=invalid,
        tallies=tallies,
    )


def confirm(world, round):
    services.round_confirm(
        actor=world.township_officer, round=round, role="counter", teller_name="张计票"
    )
    services.round_confirm(
        actor=world.county_officer, round=round, role="scrutineer", teller_name="李监票"
    )
    round.refresh_from_db()
    return round


def deputy_user(deputy):
    user = f.user_with_role(f"u{deputy.pk}", Role.DEPUTY, region=deputy.region)
    deputy.user = user
    deputy.save(update_fields=["user"])
    return user


# --- Pure arithmetic --------------------------------------------------------------------------


def test_margin_rounds_up():
    assert Cycle(places=7, competitive=True, margin_percent=10).min_candidates == 8
    assert Cycle(places=7, competitive=True, margin_percent=25).min_candidates == 9
    assert Cycle(places=10, competitive=True, margin_percent=100).min_candidates == 20
    assert Cycle(places=9, competitive=True, margin_percent=10).min_candidates == 10
    assert Cycle(places=7, competitive=False, margin_percent=10).min_candidates == 7


def test_strict_majority_and_the_year_end_rule():
    assert not counting.passes(4, 8) and counting.passes(5, 8)
    assert not counting.passes(5, 10) and counting.passes(6, 10)
    assert counting.rating(6, 3, 1) == "satisfied"
    assert counting.rating(5, 3, 2) == "basic"  # 5 of 10 is not more than half
    assert counting.rating(2, 3, 5) == "unsatisfied"  # 5 of 10 is not more than half
    assert counting.rating(2, 4, 4) == "basic"
    assert counting.rating(0, 0, 0) == ""


def test_selection_tie_and_open_places():
    votes = {1: 9, 2: 8, 3: 8, 4: 3}
    assert counting.select(votes, places=2, base=9).as_dict() == {
        "passed": [1, 2, 3],
        "winners": [1],
        "tied": [2, 3],
        "tie_places": 1,
        "open_places": 0,
    }
    fewer = counting.select({1: 9, 2: 4, 3: 2}, places=2, base=9)
    assert fewer.winners == [1] and fewer.open_places == 1 and not fewer.tied


# --- Margin and quorum -------------------------------------------------------------------------


def test_candidates_cannot_be_fixed_without_the_margin(world):
    from .world import candidates, make_cycle

    cycle = make_cycle(world.township, title="差额", status=Cycle.Status.SCREENING, places=7)
    candidates(cycle, 7)
    with pytest.raises(ValidationError, match="至少需要8个候选项目"):
        services.cycle_advance(actor=world.township_officer, cycle=cycle, action="fix_candidates")
    cycle.refresh_from_db()
    assert cycle.status == Cycle.Status.SCREENING
    services.project_create(
        actor=world.township_officer,
        cycle=cycle,
        name="第八个",
        content="内容",
        implementer="镇政府",
        investment="50",
        due_by=datetime.date(2026, 12, 1),
    )
    services.cycle_advance(actor=world.township_officer, cycle=cycle, action="fix_candidates")
    assert Cycle.objects.get(pk=cycle.pk).status == Cycle.Status.CANDIDATES


def test_equal_vote_needs_as_many_candidates_as_places(world, at_session):
    s = voting_cycle(world, n_candidates=8, places=7, competitive=False)
    with pytest.raises(ValidationError, match="等额票决：候选项目数应等于名额7个，现有8个"):
        paper(world, s.cycle)


def test_equal_vote_runs(world, at_session):
    s = voting_cycle(world, n_candidates=7, places=7, competitive=False)
    round = paper(world, s.cycle)
    assert round.places == 7 and round.projects.count() == 7


def test_first_round_refuses_a_short_list_even_from_the_api_path(world, at_session):
    s = voting_cycle(world, n_candidates=8, places=7)
    s.cycle.margin_percent = 25  # changed behind the form's back: 9 needed now
    s.cycle.save()
    with pytest.raises(ValidationError, match="至少需要9个候选项目"):
        paper(world, s.cycle)


def test_quorum_of_two_thirds_of_seated(world, at_session):
    s = voting_cycle(world, seated=9, present=5)
    with pytest.raises(ValidationError, match="未达到实有代表9人的2/3（6人）"):
        paper(world, s.cycle)
    assert not Round.objects.exists()
    services.attendance_sign(
        actor=world.township_officer, meeting=s.meeting, deputies=s.deputies[5:6]
    )
    assert paper(world, s.cycle).present == 6


def test_only_seated_deputies_sign_in(world, at_session):
    s = voting_cycle(world)
    with pytest.raises(ValidationError, match="不在本届实有代表名单"):
        services.attendance_sign(
            actor=world.township_officer, meeting=s.meeting, deputies=[world.neighbour_deputy]
        )


# --- Paper rounds ----------------------------------------------------------------------------


def test_paper_round_adopts_the_top_n_with_strict_majority_of_present(world, at_session):
    s = voting_cycle(world, seated=10, present=8)  # base: 8 present
    p = s.projects
    round = paper(world, s.cycle)
    votes = {p[0]: 8, p[1]: 8, p[2]: 7, p[3]: 7, p[4]: 6, p[5]: 6, p[6]: 5, p[7]: 4}
    enter(world, round, votes)
    round = confirm(world, round)
    assert round.status == Round.Status.CONFIRMED
    adopted = Project.objects.filter(status="adopted").order_by("rank")
    assert [x.pk for x in adopted] == [x.pk for x in p[:7]]  # 5 of 8 passes, 4 of 8 does not
    assert Project.objects.get(pk=p[7].pk).status == "candidate"
    assert list(adopted.values_list("rank", flat=True)) == [1, 2, 3, 4, 5, 6, 7]


def test_base_of_all_seated_deputies(world, at_session):
    s = voting_cycle(world, seated=10, present=8, base=Cycle.Base.SEATED)
    p = s.projects
    round = paper(world, s.cycle)
    assert round.base == 10
    votes = {x: 8 for x in p[:5]} | {p[5]: 6, p[6]: 5, p[7]: 5}
    round = confirm(world, enter(world, round, votes))
    # 5 of 10 seated is not more than half: two places stay open.
    assert Project.objects.filter(status="adopted").count() == 6
    assert round.outcome["open_places"] == 1
    assert services.places_open(s.cycle) == 1


def test_round_with_more_ballots_returned_than_issued_is_void(world, at_session):
    s = voting_cycle(world)
    round = paper(world, s.cycle)
    enter(world, round, {x: 9 for x in s.projects[:7]}, issued=9, returned=10)
    round = confirm(world, round)
    assert round.status == Round.Status.VOID
    assert "收回选票10张多于发出选票9张" in round.void_reason
    assert not Project.objects.filter(status="adopted").exists()
    again = paper(world, s.cycle)  # must be held again: a full first round
    assert again.number == 2 and again.projects.count() == 8


def test_a_paper_ballot_approving_more_than_places_is_void(world, at_session):
    s = voting_cycle(world, n_candidates=8, places=7)
    round = paper(world, s.cycle)
    services.round_set_issued(actor=world.township_officer, round=round, issued=9)
    too_many = {x.pk: "yes" for x in s.projects}  # 8 approvals for 7 places
    assert (
        services.round_enter_ballot(
            actor=world.township_officer, round=round, paper_number=1, marks=too_many
        )
        is False
    )
    fine = {x.pk: "yes" for x in s.projects[:7]} | {s.projects[7].pk: "no"}
    assert services.round_enter_ballot(
        actor=world.township_officer, round=round, paper_number=2, marks=fine
    )
    with pytest.raises(ValidationError, match="已录入"):
        services.round_enter_ballot(
            actor=world.township_officer, round=round, paper_number=2, marks=fine
        )
    round.refresh_from_db()
    assert (round.returned, round.invalid, round.valid_ballots) == (2, 1, 1)
    assert round.tallies.get(project=s.projects[0]).yes == 1


def test_totals_that_cannot_come_from_valid_ballots_are_refused(world, at_session):
    s = voting_cycle(world)
    round = paper(world, s.cycle)
    with pytest.raises(ValidationError, match="超过有效票"):
        enter(world, round, {s.projects[0]: 10}, issued=9, returned=9)
    with pytest.raises(ValidationError, match="赞成票总数超过"):
        enter(world, round, {x: 9 for x in s.projects}, issued=9, returned=9)


def test_tie_at_the_cut_off_means_a_round_among_the_tied_only(world, at_session):
    s = voting_cycle(world, seated=9)
    p = s.projects
    round = paper(world, s.cycle)
    votes = {p[0]: 9, p[1]: 9, p[2]: 8, p[3]: 8, p[4]: 7, p[5]: 7, p[6]: 6, p[7]: 6}
    round = confirm(world, enter(world, round, votes))
    assert sorted(round.outcome["tied"]) == sorted([p[6].pk, p[7].pk])
    assert round.outcome["tie_places"] == 1
    assert Project.objects.filter(status="adopted").count() == 6
    with pytest.raises(ValidationError, match="只对票数相等的项目"):
        paper(world, s.cycle, projects=[p[6]])
    second = paper(world, s.cycle, projects=[p[6], p[7]])
    assert second.places == 1
    second = confirm(world, enter(world, second, {p[6]: 4, p[7]: 5}))
    winner = Project.objects.get(pk=p[7].pk)
    assert winner.status == "adopted" and winner.rank == 7
    assert Project.objects.get(pk=p[6].pk).status == "candidate"
    with pytest.raises(ValidationError, match="名额已满"):
        paper(world, s.cycle, projects=[p[6]])


def test_two_different_tellers_must_confirm_and_then_nothing_changes(world, at_session):
    s = voting_cycle(world)
    round = paper(world, s.cycle)
    enter(world, round, {x: 9 for x in s.projects[:7]})
    services.round_confirm(
        actor=world.township_officer, round=round, role="counter", teller_name="张计票"
    )
    with pytest.raises(ValidationError, match="两个人分别确认"):
        services.round_confirm(
            actor=world.township_officer, round=round, role="scrutineer", teller_name="张计票"
        )
    round.refresh_from_db()
    assert round.status == Round.Status.COUNTING
    assert not Project.objects.filter(status="adopted").exists()  # not counted yet
    with pytest.raises(ValidationError, match="不能再修改"):
        enter(world, round, {x: 8 for x in s.projects[:7]})
    services.round_confirm(
        actor=world.county_officer, round=round, role="scrutineer", teller_name="李监票"
    )
    round.refresh_from_db()
    assert round.status == Round.Status.CONFIRMED
    with pytest.raises(ValidationError, match="当前状态为“有效”"):
        enter(world, round, {x: 8 for x in s.projects[:7]})


def test_a_correction_is_a_new_round_that_supersedes(world, at_session):
    s = voting_cycle(world)
    p = s.projects
    first = confirm(world, enter(world, paper(world, s.cycle), {x: 9 for x in p[:7]}))
    fix = paper(world, s.cycle, corrects=first, note="第3号项目票数录错")
    assert fix.number == 2 and fix.projects.count() == 8
    confirm(world, enter(world, fix, {x: 9 for x in p[1:]}))
    first.refresh_from_db()
    assert first.status == Round.Status.SUPERSEDED
    assert Project.objects.get(pk=p[0].pk).status == "candidate"
    assert Project.objects.get(pk=p[7].pk).status == "adopted"


def test_leaders_and_neighbours_cannot_count(world, at_session):
    s = voting_cycle(world)
    with pytest.raises(PermissionDenied):
        services.round_open(actor=world.leader, cycle=s.cycle, method="paper")
    with pytest.raises(PermissionDenied):
        services.round_open(actor=world.outsider, cycle=s.cycle, method="paper")


def test_paper_round_credits_every_present_deputy_once(world, at_session):
    s = voting_cycle(world)
    confirm(world, enter(world, paper(world, s.cycle), {x: 9 for x in s.projects[:7]}))
    credits = DutyCredit.objects.filter(kind=DutyKind.VOTE)
    assert credits.count() == 9
    assert set(credits.values_list("date", flat=True)) == {SESSION}


# --- Electronic rounds and secrecy ----------------------------------------------------------------


def electronic(world, cycle, minutes=30):
    return services.round_open(
        actor=world.township_officer, cycle=cycle, method="electronic", minutes=minutes
    )


def test_electronic_vote_one_ballot_per_present_deputy(world, at_session):
    s = voting_cycle(world, seated=9, present=8)
    round = electronic(world, s.cycle)
    marks = {x.pk: "yes" for x in s.projects[:7]} | {s.projects[7].pk: "no"}
    services.ballot_cast(actor=world.deputy_user, round=round, marks=marks)
    with pytest.raises(ValidationError, match="已经投过票"):
        services.ballot_cast(actor=world.deputy_user, round=round, marks=marks)
    absent = deputy_user(s.deputies[8])  # seated but not signed in
    with pytest.raises(ValidationError, match="没有在本次会议签到"):
        services.ballot_cast(actor=absent, round=round, marks=marks)
    with pytest.raises(PermissionDenied):
        services.ballot_cast(actor=world.township_officer, round=round, marks=marks)
    assert Ballot.objects.count() == 1 and VoterRecord.objects.count() == 1
    assert DutyCredit.objects.filter(kind=DutyKind.VOTE, deputy=world.deputy).count() == 1


def test_an_electronic_ballot_over_places_is_refused(world, at_session):
    s = voting_cycle(world)
    round = electronic(world, s.cycle)
    with pytest.raises(ValidationError, match="不能超过本轮名额7个"):
        services.ballot_cast(
            actor=world.deputy_user, round=round, marks={x.pk: "yes" for x in s.projects}
        )
    with pytest.raises(ValidationError, match="请为每个项目选择"):
        services.ballot_cast(actor=world.deputy_user, round=round, marks={s.projects[0].pk: "yes"})
    assert not Ballot.objects.exists() and not VoterRecord.objects.exists()


def test_the_window_closes(world, clock):
    clock(AT_SESSION)
    s = voting_cycle(world)
    round = electronic(world, s.cycle, minutes=10)
    clock(AT_SESSION + datetime.timedelta(minutes=11))
    marks = {x.pk: "yes" for x in s.projects[:7]} | {s.projects[7].pk: "no"}
    with pytest.raises(ValidationError, match="投票时间已结束"):
        services.ballot_cast(actor=world.deputy_user, round=round, marks=marks)


def test_electronic_round_counts_and_confirms(world, at_session):
    s = voting_cycle(world, seated=9, present=9)
    round = electronic(world, s.cycle)
    users = [world.deputy_user] + [deputy_user(d) for d in s.deputies[1:]]
    for i, user in enumerate(users):
        marks = {x.pk: "yes" for x in s.projects[:7]} | {s.projects[7].pk: "no"}
        if i < 3:  # three deputies prefer the eighth over the first
            marks[s.projects[0].pk], marks[s.projects[7].pk] = "no", "yes"
        services.ballot_cast(actor=user, round=round, marks=marks)
    round = services.round_close(actor=world.township_officer, round=round)
    assert (round.issued, round.returned, round.invalid) == (9, 9, 0)
    assert round.tallies.get(project=s.projects[0]).yes == 6
    round = confirm(world, round)
    assert Project.objects.filter(status="adopted").count() == 7
    assert Project.objects.get(pk=s.projects[7].pk).status == "candidate"  # 3 of 9


def test_no_path_leads_from_a_deputy_to_a_choice(world, at_session):
    """The ballot has no deputy, no time and a random key; the register has no choice;
    no user, staff included, lists either."""
    ballot_fields = {field.name for field in Ballot._meta.get_fields()}
    assert ballot_fields == {"id", "round", "marks", "void", "paper_number"}
    voter_fields = {field.name for field in VoterRecord._meta.get_fields()}
    assert voter_fields == {"id", "round", "deputy"}
    s = voting_cycle(world)
    round = electronic(world, s.cycle)
    marks = {x.pk: "yes" for x in s.projects[:7]} | {s.projects[7].pk: "no"}
    services.ballot_cast(actor=world.deputy_user, round=round, marks=marks)
    for user in (world.township_officer, world.county_officer, world.sysadmin, world.deputy_user):
        assert not Ballot.objects.visible_to(user).exists()
        assert not VoterRecord.objects.visible_to(user).exists()
    from audit.models import AuditRecord

    for row in AuditRecord.objects.all():
        assert "yes" not in str(row.changes) or row.actor_id != world.deputy_user.pk
    assert Ballot.objects.get().id.version == 4


def test_the_year_end_rating_by_phone(world, at_session):
    from .world import candidates, make_cycle, seat, township_deputies

    cycle = make_cycle(world.township, title="测评", status=Cycle.Status.REVIEW, places=2)
    projects = candidates(cycle, 2)
    Project.objects.filter(cycle=cycle).update(status="adopted")
    deputies = township_deputies(world, 1)
    seat(cycle, deputies)
    meeting = services.meeting_open(actor=world.township_officer, cycle=cycle)
    assert meeting.purpose == "rating"
    services.attendance_sign(actor=world.township_officer, meeting=meeting, deputies=deputies)
    round = electronic(world, cycle)
    users = [world.deputy_user, deputy_user(deputies[1]), deputy_user(deputies[2])]
    choices = [("satisfied", "unsatisfied"), ("satisfied", "basic"), ("basic", "unsatisfied")]
    with pytest.raises(ValidationError, match="请为每个项目选择一项"):  # "yes" is no rating
        services.ballot_cast(
            actor=users[0], round=round, marks={projects[0].pk: "yes", projects[1].pk: "basic"}
        )
    for user, (first, second) in zip(users, choices, strict=True):
        services.ballot_cast(
            actor=user, round=round, marks={projects[0].pk: first, projects[1].pk: second}
        )
    confirm(world, services.round_close(actor=world.township_officer, round=round))
    ratings = dict(Project.objects.filter(cycle=cycle).values_list("pk", "rating"))
    assert ratings == {projects[0].pk: "satisfied", projects[1].pk: "unsatisfied"}
