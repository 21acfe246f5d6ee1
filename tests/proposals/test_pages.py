"""The pages as each member of the cast uses them: the chain through HTTP, what each sees."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from proposals.models import Proposal
from tests.proposals.world import PDF, VALUES, assigned, contact, proposal_world, replied, submitted


@pytest.fixture
def sw(world):
    from tests.suggestions.world import suggestion_world

    s = suggestion_world(world)
    s.suggestion.deputy = world.deputy
    s.suggestion.save(update_fields=["deputy"])
    return s


def test_a_concerns_page_offers_raising_it_to_its_deputy_only(client_for, world, sw, day):
    url = reverse("suggestions:detail", args=[sw.suggestion.pk])
    assert "转为代表建议" in client_for(world.deputy_user).get(url).content.decode()
    assert "转为代表建议" not in client_for(world.county_officer).get(url).content.decode()


def test_a_deputy_raises_from_a_concern_and_submits(client_for, world, sw, day):
    client = client_for(world.deputy_user)
    new = reverse("proposals:new") + f"?from_suggestion={sw.suggestion.pk}"
    page = client.get(new)
    assert page.status_code == 200
    assert sw.suggestion.content[:10] in page.content.decode()
    data = {**VALUES, "token": "tok-1", "sources": [f"suggestion:{sw.suggestion.pk}"]}
    response = client.post(new, data)
    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.sources.get().object_id == sw.suggestion.pk
    client.post(new, data)  # a retried POST does not make a second draft
    assert Proposal.objects.count() == 1
    client.post(reverse("proposals:step", args=[proposal.pk, "submit"]))
    proposal.refresh_from_db()
    assert proposal.status == "submitted"


def test_bad_input_is_a_chinese_field_error_and_nothing_saved(client_for, world, day):
    client = client_for(world.deputy_user)
    response = client.post(reverse("proposals:new"), {**VALUES, "causes": ""})
    assert response.status_code == 200
    error = response.context["form"].errors["causes"][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error)
    assert error in response.content.decode()
    assert not Proposal.objects.exists()


def test_a_neighbour_cannot_raise_from_our_concern(client_for, world, sw, day):
    from accounts.models import Role
    from tests import factories as f

    user = f.user_with_role("nd", Role.DEPUTY, region=world.neighbour_township)
    world.neighbour_deputy.user = user
    world.neighbour_deputy.save(update_fields=["user"])
    new = reverse("proposals:new") + f"?from_suggestion={sw.suggestion.pk}"
    assert client_for(user).get(new).status_code == 404


def test_office_unit_and_deputy_through_the_pages(client_for, world, pc, day):
    proposal = submitted(world)
    office = client_for(world.county_officer)
    office.post(reverse("proposals:step", args=[proposal.pk, "register"]))
    response = office.post(
        reverse("proposals:assign", args=[proposal.pk]),
        {"lead_unit": world.unit.pk, "co_units": [pc.co_unit.pk]},
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "assigned"
    clerk = client_for(world.clerk)
    reply_url = reverse("proposals:reply", args=[proposal.pk])
    data = {"klass": "A", "text": "已完成改造。", "signed_by": "张局长"}
    page = clerk.get(reverse("proposals:detail", args=[proposal.pk]))
    assert "三见面" in page.content.decode()  # the notice: before contact first
    response = clerk.post(reply_url, {**data, "letter": SimpleUploadedFile("a.pdf", PDF)})
    assert response.status_code == 302  # refused back to the page with the message
    assert Proposal.objects.get(pk=proposal.pk).status == "assigned"
    clerk.post(
        reverse("proposals:contact", args=[proposal.pk]),
        {
            "stage": "before",
            "held_on": "2026-07-01",
            "mode": "face",
            "participants": "马志刚代表",
            "agreed": "先改主管",
        },
    )
    response = clerk.post(reply_url, {**data, "letter": SimpleUploadedFile("a.pdf", PDF)})
    assert response.status_code == 302
    assert Proposal.objects.get(pk=proposal.pk).status == "replied"
    deputy = client_for(world.deputy_user)
    deputy.post(
        reverse("proposals:rate", args=[proposal.pk]),
        {"attitude": "satisfied", "result": "satisfied"},
    )
    assert Proposal.objects.get(pk=proposal.pk).status == "closed"
    letter = proposal.attachments.get(reply__isnull=False)
    download = deputy.get(reverse("proposals:file", args=[letter.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"%PDF")


@pytest.mark.parametrize(
    "who", ["county_officer", "city_officer", "deputy_user", "clerk", "leader", "cosigner"]
)
def test_every_page_answers_for_those_who_see_it(client_for, world, pc, day, who):
    pw = proposal_world(world)
    user = pc.cosigner_user if who == "cosigner" else getattr(world, who)
    client = client_for(user)
    for name in ("proposals:list", "proposals:figures", "proposals:supervised"):
        assert client.get(reverse(name)).status_code == 200, name
    detail = client.get(reverse("proposals:detail", args=[pw.proposal.pk]))
    assert detail.status_code == (404 if who == "cosigner" else 200)


def test_office_pages(client_for, world, day):
    pw = proposal_world(world)
    client = client_for(world.county_officer)
    assert client.get(reverse("proposals:meetings")).status_code == 200
    assert client.get(reverse("proposals:meeting", args=[pw.meeting.pk])).status_code == 200
    url = reverse("proposals:settings", args=[world.county.code])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "assign_days": 5,
            "return_days": 7,
            "reply_months": 3,
            "hard_reply_months": 6,
            "co_view_months": 1,
            "max_extension_months": 3,
            "rehandle_months": 1,
            "remind_days_before": 5,
        },
    )
    assert response.status_code == 302
    from proposals.models import ProposalSettings

    row = ProposalSettings.objects.get(region=world.county)
    assert row.assign_days == 5 and row.require_before_contact is False
    assert client_for(world.leader).get(url).status_code == 403


def test_meeting_assigns_a_batch(client_for, world, pc, day):
    from proposals import services

    ones = [submitted(world, title=f"批量{i}") for i in range(2)]
    for p in ones:
        services.proposal_register(actor=world.county_officer, proposal=p)
    client = client_for(world.county_officer)
    client.post(reverse("proposals:meetings"), {"title": "七月交办会", "held_on": "2026-07-01"})
    from proposals.models import AssignmentMeeting

    meeting = AssignmentMeeting.objects.get()
    data = {f"lead_{p.pk}": world.unit.pk for p in ones} | {f"co_{ones[0].pk}": [pc.co_unit.pk]}
    response = client.post(reverse("proposals:meeting", args=[meeting.pk]), data)
    assert response.status_code == 302
    assert set(
        Proposal.objects.filter(pk__in=[p.pk for p in ones]).values_list("status", flat=True)
    ) == {"assigned"}
    assert meeting.assignments.count() == 3


def test_the_list_has_constant_queries(client_for, world, day, django_assert_max_num_queries):
    client = client_for(world.county_officer)
    assigned(world)
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("proposals:list"))
    for i in range(5):
        assigned(world, title=f"更多建议{i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("proposals:list"))
    assert response.content.decode().count("更多建议") == 5


def test_unit_list_shows_only_its_own(client_for, world, pc, day):
    mine = assigned(world, co=False, title="水务的建议")
    contact(world, mine)
    submitted(world, title="还没交办的建议")
    text = client_for(world.clerk).get(reverse("proposals:list")).content.decode()
    assert "水务的建议" in text and "还没交办的建议" not in text
    text = client_for(pc.co_clerk).get(reverse("proposals:list")).content.decode()
    assert "水务的建议" not in text


def test_figures_and_dashboard_panel(client_for, world, pc, day):
    from proposals import services

    p = replied(world, klass="A")
    services.proposal_rate(
        actor=world.deputy_user, proposal=p, attitude="satisfied", result="satisfied"
    )
    replied(world, klass="B", title="第二件")
    text = (
        client_for(world.county_officer)
        .get(reverse("proposals:figures") + "?year=2026&by=unit")
        .content.decode()
    )
    assert "交城县水务局" in text
    page = client_for(world.county_officer).get(
        reverse("dashboards:region", args=[world.county.code])
    )
    assert page.status_code == 200
    assert "代表建议" in page.content.decode()


def test_the_pages_read_in_english(client_for, world, day):
    pw = proposal_world(world)
    client = client_for(world.county_officer)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("proposals:detail", args=[pw.proposal.pk])).content.decode()
    assert "The three contacts" in html and "B: being solved or planned" in html
    listing = client.get(reverse("proposals:list")).content.decode()
    assert "Deputies' suggestions" in listing or "Deputies&#x27; suggestions" in listing


def test_another_unit_of_the_same_county_gets_404(client, world, day):
    from accounts.models import Role
    from tests import factories as f

    pw = proposal_world(world)
    other_unit = f.HandlingUnitFactory(name="交城县民政局", region=world.county)
    other_clerk = f.user_with_role("other_clerk", Role.UNIT_CLERK, unit=other_unit)
    client.force_login(other_clerk)
    for url in (
        reverse("proposals:detail", args=[pw.proposal.pk]),
        reverse("proposals:file", args=[pw.letter.pk]),
        reverse("proposals:return", args=[pw.lead.pk]),
        reverse("proposals:reply", args=[pw.proposal.pk]),
        f"/api/proposals/{pw.proposal.pk}/",
        f"/api/proposal-contacts/{pw.contact.pk}/",
        f"/api/proposal-replies/{pw.reply.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    listing = client.get("/api/proposals/").json()
    assert listing["count"] == 0


def test_the_office_enters_a_paper_proposal(client_for, world, pc, day):
    from duties.models import DutyCredit

    url = reverse("proposals:paper")
    assert client_for(world.leader).get(url).status_code == 403
    assert client_for(world.deputy_user).get(url).status_code == 403
    office = client_for(world.county_officer)
    assert office.get(url).status_code == 200
    data = {
        **VALUES,
        "session": "during",
        "token": "paper-1",
        "author": world.deputy.pk,
        "cosigners": [world.other_deputy.pk],
    }
    assert office.post(url, data).status_code == 302
    office.post(url, data)  # the retried POST finds the first
    proposal = Proposal.objects.get()
    assert proposal.status == "submitted" and proposal.session == "during"
    assert proposal.cosignatures.get().status == "confirmed"
    assert DutyCredit.objects.filter(object_id=proposal.pk).count() == 2
    # a deputy of another county is not offered, and forcing one is refused
    data = {**data, "token": "paper-2", "author": world.neighbour_deputy.pk}
    response = office.post(url, data)
    assert response.status_code == 200 and Proposal.objects.count() == 1
