"""Phone numbers are masked everywhere; revealing one is allowed to a few roles and audited.

Who may reveal: region staff covering the suggestion, the station's liaison officer and
the deputy whose code it came through (they call the citizen back). Leaders and
unit clerks never see the full number.
"""

import pytest
from django.urls import reverse

from audit.models import AuditRecord
from suggestions import services
from suggestions.models import Suggestion

PHONE = "13812345678"
MASKED = "138****5678"


@pytest.fixture
def suggestion(cast) -> Suggestion:
    suggestion, _ = services.suggestion_submit(
        channel="qr",
        category="gas",
        content="楼道里有煤气味，请尽快派人检查。",
        deputy=cast.deputy,
        contact_name="张大爷",
        contact_phone=PHONE,
    )
    services.suggestion_assign(
        actor=cast.county_officer, suggestion=suggestion, lead_unit=cast.unit
    )
    return suggestion


@pytest.mark.parametrize(
    "who",
    ["county_officer", "township_officer", "station_officer", "deputy_user", "leader", "clerk"],
)
def test_lists_and_detail_show_the_number_masked(client, cast, suggestion, who):
    client.force_login(getattr(cast, who))
    inbox = client.get(reverse("suggestions:inbox"), follow=True).content.decode()
    detail = client.get(reverse("suggestions:detail", args=[suggestion.pk])).content.decode()
    api = client.get(f"/api/suggestions/{suggestion.pk}/").json()
    for text in (inbox, detail, str(api)):
        assert PHONE not in text
    assert MASKED in detail
    assert api["contact_phone"] == MASKED


@pytest.mark.parametrize(
    "who", ["county_officer", "township_officer", "station_officer", "deputy_user"]
)
def test_reveal_shows_the_number_and_is_audited(client, cast, suggestion, who):
    user = getattr(cast, who)
    client.force_login(user)
    detail = client.get(reverse("suggestions:detail", args=[suggestion.pk])).content.decode()
    assert reverse("suggestions:reveal", args=[suggestion.pk]) in detail  # the "显示" button
    assert 'name="reason"' in detail  # the reveal asks why
    response = client.post(
        reverse("suggestions:reveal", args=[suggestion.pk]),
        {"reason": "callback"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert PHONE in response.content.decode()
    record = AuditRecord.objects.get(action=AuditRecord.Action.REVEAL)
    assert record.actor == user
    assert record.object_id == str(suggestion.constituent_id)
    assert record.changes["suggestion"] == suggestion.tracking_code
    assert record.changes["reason"] == "callback" and "回访群众" in record.note


def test_a_reveal_without_a_reason_shows_nothing_and_records_nothing(client, cast, suggestion):
    client.force_login(cast.county_officer)
    response = client.post(reverse("suggestions:reveal", args=[suggestion.pk]), follow=True)
    assert PHONE not in response.content.decode()
    assert "请选择查看完整手机号的原因" in response.content.decode()
    assert not AuditRecord.objects.filter(action=AuditRecord.Action.REVEAL).exists()


@pytest.mark.parametrize("who", ["leader", "clerk"])
def test_leaders_and_clerks_cannot_reveal(client, cast, suggestion, who):
    client.force_login(getattr(cast, who))
    detail = client.get(reverse("suggestions:detail", args=[suggestion.pk])).content.decode()
    assert reverse("suggestions:reveal", args=[suggestion.pk]) not in detail
    response = client.post(reverse("suggestions:reveal", args=[suggestion.pk]))
    assert response.status_code == 403
    assert PHONE not in response.content.decode()
    assert not AuditRecord.objects.filter(action=AuditRecord.Action.REVEAL).exists()


def test_reveal_without_javascript_renders_the_page_with_the_number(client, cast, suggestion):
    client.force_login(cast.county_officer)
    response = client.post(
        reverse("suggestions:reveal", args=[suggestion.pk]), {"reason": "handling"}
    )
    assert response.status_code == 200
    assert PHONE in response.content.decode()


def test_constituent_directory_masks_and_reveals_with_audit(client, cast, suggestion):
    client.force_login(cast.county_officer)
    listing = client.get(reverse("suggestions:constituent_list")).content.decode()
    assert MASKED in listing and PHONE not in listing
    url = reverse("suggestions:constituent_detail", args=[suggestion.constituent_id])
    page = client.get(url).content.decode()
    assert MASKED in page and PHONE not in page
    revealed = client.post(url, {"reason": "verify"}, headers={"HX-Request": "true"})
    assert PHONE in revealed.content.decode()
    assert AuditRecord.objects.filter(action=AuditRecord.Action.REVEAL).count() == 1
    # The township officer's scope is the township, not the county directory
    client.force_login(cast.township_officer)
    assert client.get(url).status_code == 404
    # A leader reads the directory, masked, and may not reveal
    client.force_login(cast.leader)
    assert PHONE not in client.get(url).content.decode()
    assert client.post(url).status_code == 403


def test_api_constituents_are_masked(client, cast, suggestion):
    client.force_login(cast.county_officer)
    rows = client.get("/api/constituents/").json()["results"]
    assert [row["phone"] for row in rows] == [MASKED]
