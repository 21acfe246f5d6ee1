"""The API: same scoping as the pages, Chinese field errors, never a 500."""

from django.core.files.uploadedfile import SimpleUploadedFile

from proposals.models import Proposal
from tests.proposals.world import PDF, VALUES, assigned, contact, draft, proposal_world


def test_list_is_scoped(client_for, world, pc, day):
    pw = proposal_world(world)
    hidden = draft(world, title="草稿不给别人看")

    def ids(user):
        return {row["id"] for row in client_for(user).get("/api/proposals/").json()["results"]}

    assert pw.proposal.pk in ids(world.county_officer)
    assert hidden.pk not in ids(world.county_officer)
    assert hidden.pk in ids(world.deputy_user)
    assert ids(world.outsider) == set() and ids(world.neighbour_clerk) == set()
    assert client_for(world.outsider).get(f"/api/proposals/{pw.proposal.pk}/").status_code == 404
    assert client_for(world.clerk).get(f"/api/proposals/{pw.proposal.pk}/").status_code == 200


def test_a_deputy_creates_a_draft_with_field_errors_in_chinese(client_for, world, day):
    client = client_for(world.deputy_user)
    bad = client.post(
        "/api/proposals/", {**VALUES, "title": "", "category": "nope"}, "application/json"
    )
    assert bad.status_code == 400
    assert set(bad.json()) >= {"title", "category"}
    assert not Proposal.objects.exists()
    wrong_cosigner = client.post(
        "/api/proposals/", {**VALUES, "cosigners": [world.neighbour_deputy.pk]}, "application/json"
    )
    assert wrong_cosigner.status_code == 400
    assert "同一级人大" in wrong_cosigner.json()["cosigners"][0]
    ok = client.post("/api/proposals/", {**VALUES, "token": "api-1"}, "application/json")
    assert ok.status_code == 201 and ok.json()["status"] == "draft"
    assert "submit" in ok.json()["available_actions"]
    assert (
        client_for(world.county_officer)
        .post("/api/proposals/", VALUES, "application/json")
        .status_code
        == 403
    )


def test_contacts_and_replies(client_for, world, pc, day):
    proposal = assigned(world)
    clerk = client_for(world.clerk)
    data = {"proposal": proposal.pk, "klass": "A", "text": "已解决。", "signed_by": "张局长"}
    refused = clerk.post(
        "/api/proposal-replies/", {**data, "letter": SimpleUploadedFile("a.pdf", PDF)}
    )
    assert refused.status_code == 400
    assert "三见面" in refused.json()["non_field_errors"][0]
    contact_data = {
        "proposal": proposal.pk,
        "stage": "before",
        "held_on": "2026-07-01",
        "mode": "phone",
        "participants": "马志刚",
        "agreed": "先改主管",
    }
    assert (
        client_for(world.neighbour_clerk)
        .post("/api/proposal-contacts/", contact_data, "application/json")
        .status_code
        == 400
    )  # another's proposal reads as missing
    made = client_for(world.clerk).post("/api/proposal-contacts/", contact_data, "application/json")
    assert made.status_code == 201
    assert (
        client_for(pc.co_clerk)
        .post("/api/proposal-contacts/", contact_data, "application/json")
        .status_code
        == 403
    )  # a co-handler sees it but does not record the contacts
    reply = client_for(world.clerk).post(
        "/api/proposal-replies/", {**data, "letter": SimpleUploadedFile("a.pdf", PDF)}
    )
    assert reply.status_code == 201, reply.json()
    assert reply.json()["klass"] == "A"
    listed = client_for(world.deputy_user).get(f"/api/proposal-replies/?proposal={proposal.pk}")
    assert [r["id"] for r in listed.json()["results"]] == [reply.json()["id"]]
    assert (
        client_for(world.outsider).get(f"/api/proposal-replies/{reply.json()['id']}/").status_code
        == 404
    )


def test_bad_dates_are_400_not_500(client_for, world, day):
    proposal = assigned(world)
    contact(world, proposal)
    response = client_for(world.clerk).post(
        "/api/proposal-contacts/",
        {
            "proposal": proposal.pk,
            "stage": "during",
            "held_on": "2026-13-45",
            "mode": "face",
            "participants": "x",
            "agreed": "y",
        },
        "application/json",
    )
    assert response.status_code == 400 and "held_on" in response.json()
