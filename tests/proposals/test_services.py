"""The chain 提、交、办、督 through the services: every rule the issue names, refusals included."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core import clock as core_clock
from duties.models import DutyCredit, DutyKind
from proposals import services
from proposals.models import Cosignature, Proposal, ProposalAssignment, ProposalSettings
from supervision.models import TrackedDeadline
from tests.proposals.world import VALUES, assigned, contact, draft, letter, replied, submitted

S = Proposal.Status


def visible(user):
    return set(Proposal.objects.visible_to(user).values_list("pk", flat=True))


def tracked(subject, kind):
    return TrackedDeadline.objects.get(object_id=subject.pk, kind=kind, status="open")


# --- 提 ---------------------------------------------------------------------------------


def test_a_draft_is_private_to_its_author(world, day):
    proposal = draft(world)
    assert proposal.region == world.county  # a county deputy writes to the county congress
    assert proposal.pk in visible(world.deputy_user)
    for other in (world.county_officer, world.city_officer, world.clerk, world.leader):
        assert proposal.pk not in visible(other)


def test_fields_are_required_with_chinese_messages(world, day):
    with pytest.raises(ValidationError) as error:
        draft(world, causes="  ")
    assert error.value.message_dict == {"causes": ["请填写原因分析。"]}
    assert not Proposal.objects.exists()


def test_only_a_deputy_raises(world, day):
    with pytest.raises(PermissionDenied):
        services.proposal_create(actor=world.county_officer, values=VALUES)


def test_a_retried_create_returns_the_first_draft(world, day):
    one = services.proposal_create(actor=world.deputy_user, values=VALUES, token="t-1")
    two = services.proposal_create(actor=world.deputy_user, values=VALUES, token="t-1")
    assert one.pk == two.pk and Proposal.objects.count() == 1


def test_cosigners_must_be_of_the_same_body(world, day):
    with pytest.raises(ValidationError) as error:
        services.proposal_create(
            actor=world.deputy_user, values=VALUES, cosigner_ids=[world.neighbour_deputy.pk]
        )
    assert "cosigners" in error.value.message_dict


def test_cosigners_confirm_on_their_own_account(world, pc, day):
    proposal = services.proposal_create(
        actor=world.deputy_user, values=VALUES, cosigner_ids=[world.other_deputy.pk]
    )
    assert proposal.pk not in visible(pc.cosigner_user)  # still a private draft
    services.proposal_invite(actor=world.deputy_user, proposal=proposal)
    assert proposal.pk in visible(pc.cosigner_user)
    # the author cannot confirm for them, nor submit while they have not answered
    with pytest.raises(PermissionDenied):
        services.cosign_answer(actor=world.deputy_user, proposal=proposal, confirm=True)
    with pytest.raises(ValidationError, match="未确认"):
        services.proposal_submit(actor=world.deputy_user, proposal=proposal)
    services.cosign_answer(actor=pc.cosigner_user, proposal=proposal, confirm=True)
    assert proposal.cosignatures.get().status == Cosignature.Status.CONFIRMED
    with pytest.raises(PermissionDenied):  # answered once
        services.cosign_answer(actor=pc.cosigner_user, proposal=proposal, confirm=False)
    services.proposal_submit(actor=world.deputy_user, proposal=proposal)
    assert proposal.pk in visible(world.county_officer)


def test_sources_must_be_visible_to_the_deputy(world, day):
    from tests.suggestions.world import suggestion_world

    sw = suggestion_world(world)
    with pytest.raises(ValidationError):
        services.proposal_create(
            actor=world.deputy_user, values=VALUES, sources=[("suggestion", 10**9)]
        )
    sw.suggestion.deputy = world.deputy
    sw.suggestion.save(update_fields=["deputy"])
    proposal = services.proposal_create(
        actor=world.deputy_user, values=VALUES, sources=[("suggestion", sw.suggestion.pk)]
    )
    assert proposal.sources.get().object_id == sw.suggestion.pk


def test_submission_counts_in_duty_records_once(world, pc, day):
    proposal = submitted(world, cosign=True)
    credits = set(DutyCredit.objects.filter(object_id=proposal.pk).values_list("deputy_id", "kind"))
    assert credits == {
        (world.deputy.pk, DutyKind.PROPOSAL),
        (world.other_deputy.pk, DutyKind.PROPOSAL_COSIGN),
    }


def test_assignment_deadline_is_in_working_days_across_the_spring_festival(world, clock):
    clock(datetime.date(2026, 2, 12))  # Thursday before the holiday (15-23 Feb)
    proposal = submitted(world)
    due = tracked(proposal, "proposals.assign").due_date
    # 7 working days, not 7 calendar days (which would be 19 Feb, inside the holiday)
    assert due == datetime.date(2026, 2, 28)


# --- 交 ---------------------------------------------------------------------------------


def test_register_numbers_and_refuse_withdraws_the_duty(world, day):
    one, two = submitted(world), submitted(world, title="第二件")
    services.proposal_register(actor=world.county_officer, proposal=one)
    one.refresh_from_db()
    assert one.number == "2026-0001" and one.status == S.REGISTERED
    with pytest.raises(PermissionDenied):
        services.proposal_register(actor=world.outsider, proposal=two)
    with pytest.raises(PermissionDenied):
        services.proposal_register(actor=world.leader, proposal=two)
    with pytest.raises(ValidationError):
        services.proposal_refuse(actor=world.county_officer, proposal=two, reason="", note="x")
    services.proposal_refuse(
        actor=world.county_officer, proposal=two, reason="litigation", note="已进入诉讼程序。"
    )
    assert not DutyCredit.objects.filter(object_id=two.pk, kind=DutyKind.PROPOSAL).exists()
    assert not TrackedDeadline.objects.filter(object_id=two.pk, status="open").exists()


def test_merge_into_another_of_the_same_body(world, day):
    one, two = submitted(world), submitted(world, title="重复的建议")
    with pytest.raises(ValidationError):
        services.proposal_merge(actor=world.county_officer, proposal=two, into=two)
    services.proposal_merge(actor=world.county_officer, proposal=two, into=one)
    two.refresh_from_db()
    assert two.status == S.MERGED and two.merged_into == one


def test_reply_deadline_three_months_moves_off_national_day(world, pc, day):
    proposal = assigned(world)  # 1 July 2026 + 3 months = 1 October, a holiday
    assert proposal.due_date == datetime.date(2026, 10, 8)
    assert tracked(proposal, "proposals.reply").unit == world.unit
    co = proposal.assignments.get(role="co")
    assert co.co_view_due == datetime.date(2026, 8, 3)  # 1 August is a Saturday
    assert tracked(co, "proposals.coview").unit == pc.co_unit
    assert not TrackedDeadline.objects.filter(
        object_id=proposal.pk, kind="proposals.assign", status="open"
    ).exists()


def test_hard_cases_get_six_months(world, clock):
    clock(datetime.date(2026, 4, 1))
    proposal = assigned(world, hard_case=True)
    assert proposal.due_date == datetime.date(2026, 10, 8)


def test_numbers_are_settings_per_region(world, day):
    ProposalSettings.objects.create(region=world.county, reply_months=2)
    proposal = assigned(world)
    assert proposal.due_date == datetime.date(2026, 9, 1)


def test_batch_at_an_assignment_meeting(world, pc, day):
    ones = [submitted(world, title=f"建议{i}") for i in range(2)]
    for p in ones:
        services.proposal_register(actor=world.county_officer, proposal=p)
    meeting = services.meeting_create(
        actor=world.county_officer, region=world.county, title="交办会", held_on=core_clock.today()
    )
    services.proposals_assign_batch(
        actor=world.county_officer,
        meeting=meeting,
        items=[{"proposal": p, "lead_unit": world.unit} for p in ones],
    )
    assert set(meeting.assignments.values_list("proposal_id", flat=True)) == {p.pk for p in ones}
    assert set(
        Proposal.objects.filter(pk__in=[p.pk for p in ones]).values_list("status", flat=True)
    ) == {S.ASSIGNED}


def test_a_unit_sees_only_what_was_assigned_to_it(world, pc, day):
    proposal = assigned(world, co=False)
    other = submitted(world, title="未交办")
    assert proposal.pk in visible(world.clerk)
    assert other.pk not in visible(world.clerk)
    assert proposal.pk not in visible(pc.co_clerk)
    assert proposal.pk not in visible(world.neighbour_clerk)
    assert proposal.pk not in visible(world.outsider)


def test_misrouted_returned_within_seven_working_days(world, pc, clock):
    clock(datetime.date(2026, 9, 28))
    proposal = assigned(world)
    lead = proposal.assignments.get(role="lead")
    assert lead.return_due == datetime.date(2026, 10, 13)  # across National Day
    with pytest.raises(PermissionDenied):
        services.assignment_return(actor=pc.co_clerk, assignment=lead, reason="不属于我单位")
    with pytest.raises(ValidationError):
        services.assignment_return(actor=world.clerk, assignment=lead, reason="")
    clock(datetime.date(2026, 10, 14))
    with pytest.raises(ValidationError, match="退回期限"):
        services.assignment_return(actor=world.clerk, assignment=lead, reason="不属于我单位")
    clock(datetime.date(2026, 10, 13))
    services.assignment_return(actor=world.clerk, assignment=lead, reason="应由住建局主办")
    proposal.refresh_from_db()
    assert proposal.status == S.REGISTERED
    assert proposal.pk not in visible(world.clerk)  # a returned unit no longer sees it
    assert set(proposal.assignments.values_list("status", flat=True)) == {"returned", "withdrawn"}
    services.proposal_assign(actor=world.county_officer, proposal=proposal, lead_unit=pc.co_unit)
    proposal.refresh_from_db()
    assert proposal.status == S.ASSIGNED and proposal.lead_assignment().unit == pc.co_unit


def test_a_co_handler_returns_alone_and_gives_its_view(world, pc, day):
    proposal = assigned(world)
    co = proposal.assignments.get(role="co")
    with pytest.raises(PermissionDenied):
        services.co_view_submit(actor=world.clerk, assignment=co, text="意见")
    services.co_view_submit(actor=pc.co_clerk, assignment=co, text="同意分期改造，配合道路开挖。")
    with pytest.raises(ValidationError):
        services.co_view_submit(actor=pc.co_clerk, assignment=co, text="再来一次")
    assert TrackedDeadline.objects.get(object_id=co.pk, kind="proposals.coview").status == "met"


# --- 办 ---------------------------------------------------------------------------------


def test_reply_needs_the_before_contact_when_the_setting_is_on(world, day):
    proposal = assigned(world)
    kwargs = dict(klass="A", text="已解决。", signed_by="张局长", letter=letter())
    with pytest.raises(ValidationError, match="三见面"):
        services.proposal_reply(actor=world.clerk, proposal=proposal, **kwargs)
    contact(world, proposal, "during")  # not the "before" one
    with pytest.raises(ValidationError, match="三见面"):
        services.proposal_reply(actor=world.clerk, proposal=proposal, **kwargs)
    contact(world, proposal, "before")
    services.proposal_reply(actor=world.clerk, proposal=proposal, **kwargs)
    proposal.refresh_from_db()
    assert proposal.status == S.REPLIED


def test_reply_without_contact_when_the_setting_is_off(world, day):
    ProposalSettings.objects.create(region=world.county, require_before_contact=False)
    proposal = assigned(world)
    services.proposal_reply(
        actor=world.clerk,
        proposal=proposal,
        klass="D",
        text="留作参考。",
        signed_by="张局长",
        letter=letter(),
    )
    proposal.refresh_from_db()
    assert proposal.status == S.REPLIED


def test_contacts_are_dated_and_never_in_the_future(world, day):
    proposal = assigned(world)
    with pytest.raises(ValidationError):
        contact(world, proposal, held_on=datetime.date(2026, 7, 2))
    with pytest.raises(ValidationError):
        contact(world, proposal, held_on=datetime.date(2026, 6, 30))  # before the assignment
    with pytest.raises(PermissionDenied):
        contact(world, proposal, actor=world.neighbour_clerk)


def test_the_reply_is_a_pdf_letter_and_b_keeps_a_promise(world, day):
    from django.core.files.uploadedfile import SimpleUploadedFile

    proposal = assigned(world)
    contact(world, proposal)
    fake = SimpleUploadedFile("letter.pdf", b"not a pdf")
    with pytest.raises(ValidationError) as error:
        services.proposal_reply(
            actor=world.clerk, proposal=proposal, klass="A", text="x", signed_by="张", letter=fake
        )
    assert "letter" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.proposal_reply(
            actor=world.clerk,
            proposal=proposal,
            klass="B",
            text="x",
            signed_by="张",
            letter=letter(),
        )
    assert "promise" in error.value.message_dict
    reply = services.proposal_reply(
        actor=world.clerk,
        proposal=proposal,
        klass="B",
        text="列入明年计划。",
        signed_by="张局长",
        letter=letter(),
        promise="明年6月前完工。",
        promise_due=datetime.date(2027, 6, 30),
    )
    assert tracked(reply, "proposals.promise").due_date == datetime.date(2027, 6, 30)
    assert not TrackedDeadline.objects.filter(
        object_id=proposal.pk, kind="proposals.reply", status="open"
    ).exists()
    assert set(proposal.assignments.values_list("status", flat=True)) == {"done"}


def test_the_reply_reaches_author_and_every_cosigner(world, pc, day):
    from notifications.models import Notification

    proposal = submitted(world, cosign=True)
    services.proposal_register(actor=world.county_officer, proposal=proposal)
    services.proposal_assign(actor=world.county_officer, proposal=proposal, lead_unit=world.unit)
    contact(world, proposal)
    services.proposal_reply(
        actor=world.clerk,
        proposal=proposal,
        klass="A",
        text="已解决。",
        signed_by="张局长",
        letter=letter(),
    )
    told = set(
        Notification.objects.filter(title__startswith="代表建议已答复").values_list(
            "recipient_id", flat=True
        )
    )
    assert told == {world.deputy_user.pk, pc.cosigner_user.pk}


def test_one_extension_before_the_deadline(world, day, clock):
    proposal = assigned(world)
    with pytest.raises(ValidationError):
        services.extension_request(actor=world.clerk, proposal=proposal, months=4, reason="x")
    services.extension_request(actor=world.clerk, proposal=proposal, months=2, reason="需立项")
    with pytest.raises(ValidationError):
        services.extension_request(actor=world.clerk, proposal=proposal, months=1, reason="再延")
    with pytest.raises(PermissionDenied):
        services.extension_decide(actor=world.clerk, proposal=proposal, approve=True)
    services.extension_decide(actor=world.county_officer, proposal=proposal, approve=True)
    proposal.refresh_from_db()
    # 8 Oct (3 months off National Day) + 2 months = 8 Dec
    assert proposal.due_date == datetime.date(2026, 12, 8)
    assert tracked(proposal, "proposals.reply").due_date == datetime.date(2026, 12, 8)


def test_extension_refused_after_the_deadline(world, clock):
    clock(datetime.date(2026, 7, 1))
    proposal = assigned(world)
    clock(datetime.date(2026, 10, 9))
    with pytest.raises(ValidationError, match="期限届满前"):
        services.extension_request(actor=world.clerk, proposal=proposal, months=1, reason="晚了")


# --- 评 ---------------------------------------------------------------------------------


def test_unsatisfied_result_reopens_once_then_closes(world, clock):
    clock(datetime.date(2026, 7, 1))
    proposal = replied(world)
    with pytest.raises(PermissionDenied):
        services.proposal_rate(
            actor=world.clerk, proposal=proposal, attitude="satisfied", result="satisfied"
        )
    with pytest.raises(ValidationError):  # 不满意 needs a reason
        services.proposal_rate(
            actor=world.deputy_user, proposal=proposal, attitude="satisfied", result="unsatisfied"
        )
    clock(datetime.date(2026, 9, 17))  # 17 September + 1 month = 17 October (Saturday)
    services.proposal_rate(
        actor=world.deputy_user,
        proposal=proposal,
        attitude="satisfied",
        result="unsatisfied",
        comment="只答复了计划，没有时间表。",
    )
    proposal.refresh_from_db()
    assert proposal.status == S.REHANDLING and proposal.rehandle_count == 1
    assert proposal.due_date == datetime.date(2026, 10, 19)
    assert proposal.pk in visible(world.clerk)
    # a new round: the before contact again, then the new reply
    with pytest.raises(ValidationError, match="三见面"):
        services.proposal_reply(
            actor=world.clerk,
            proposal=proposal,
            klass="B",
            text="x",
            signed_by="张",
            letter=letter(),
            promise="年底前开工",
            promise_due=datetime.date(2026, 12, 31),
        )
    contact(world, proposal)
    services.proposal_reply(
        actor=world.clerk,
        proposal=proposal,
        klass="A",
        text="已开工。",
        signed_by="张局长",
        letter=letter(),
    )
    services.proposal_rate(
        actor=world.deputy_user,
        proposal=proposal,
        attitude="basically",
        result="unsatisfied",
        comment="仍不满意。",
    )
    proposal.refresh_from_db()
    assert proposal.status == S.CLOSED and proposal.rehandle_count == 1
    assert list(proposal.replies.values_list("round", "result")) == [
        (1, "unsatisfied"),
        (2, "unsatisfied"),
    ]


def test_satisfied_closes(world, day):
    proposal = replied(world)
    services.proposal_rate(
        actor=world.deputy_user, proposal=proposal, attitude="satisfied", result="basically"
    )
    proposal.refresh_from_db()
    assert proposal.status == S.CLOSED


def test_promise_report_settles_the_supervised_promise(world, day):
    proposal = replied(world, klass="C")
    reply = proposal.replies.get()
    services.promise_report(actor=world.clerk, proposal=proposal, text="一期已完工。")
    assert TrackedDeadline.objects.get(object_id=reply.pk, kind="proposals.promise").status == "met"
    with pytest.raises(ValidationError):
        services.promise_report(actor=world.clerk, proposal=proposal, text="再报")


def test_a_missed_promise_is_supervised(world, clock):
    from supervision.tracking import escalate_tracked

    clock(datetime.date(2026, 7, 1))
    proposal = replied(world, klass="B")
    reply = proposal.replies.get()
    clock(reply.promise_due + datetime.timedelta(days=3))
    escalate_tracked()
    row = TrackedDeadline.objects.get(object_id=reply.pk, kind="proposals.promise")
    assert row.supervisions.exists()


# --- 督 and publication -------------------------------------------------------------------


def test_key_supervision_by_a_leader(world, day):
    proposal = assigned(world)
    with pytest.raises(ValidationError):
        services.proposal_supervise(
            actor=world.county_officer, proposal=proposal, key=True, supervisor=world.clerk
        )
    services.proposal_supervise(
        actor=world.county_officer, proposal=proposal, key=True, supervisor=world.leader
    )
    from proposals.selectors import supervised_by

    assert list(supervised_by(world.leader)) == [proposal]


def test_withholding_needs_a_reason(world, day):
    proposal = replied(world)
    with pytest.raises(ValidationError):
        services.proposal_publication(actor=world.county_officer, proposal=proposal, withheld=True)
    services.proposal_publication(
        actor=world.county_officer, proposal=proposal, withheld=True, reason="涉及国家秘密"
    )
    proposal.refresh_from_db()
    assert proposal.withheld


def test_assignment_rows_of_co_handlers_are_not_the_clerks(world, pc, day):
    proposal = assigned(world)
    rows = ProposalAssignment.objects.visible_to(world.clerk).filter(proposal=proposal)
    assert list(rows.values_list("unit_id", flat=True)) == [world.unit.pk]


@pytest.mark.parametrize("kind", ["coview", "rehandle"])
def test_one_month_periods_move_off_national_day(world, pc, clock, kind):
    clock(datetime.date(2026, 9, 1))  # + 1 month = 1 October, a holiday
    if kind == "coview":
        proposal = assigned(world)
        co = proposal.assignments.get(role="co")
        assert co.co_view_due == datetime.date(2026, 10, 8)
        return
    clock(datetime.date(2026, 7, 1))
    proposal = replied(world)
    clock(datetime.date(2026, 9, 1))
    services.proposal_rate(
        actor=world.deputy_user,
        proposal=proposal,
        attitude="basically",
        result="unsatisfied",
        comment="没有时间表",
    )
    proposal.refresh_from_db()
    assert proposal.due_date == datetime.date(2026, 10, 8)
