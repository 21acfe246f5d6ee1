"""Congress staff acting in a unit's place (代签收, 代答复) say so, and the unit is told."""

import datetime

import pytest
from django.urls import reverse

from core import outbox
from notifications.models import Notification
from suggestions import services
from suggestions.models import Suggestion, SuggestionEvent


@pytest.fixture
def assigned(cast, clock):
    clock(datetime.date(2026, 3, 2))
    suggestion, _ = services.suggestion_submit(
        channel="qr", category="water", content="西街3号楼停水三天了。", deputy=cast.deputy
    )
    services.suggestion_assign(
        actor=cast.county_officer, suggestion=suggestion, lead_unit=cast.unit
    )
    outbox.run_pending()
    return Suggestion.objects.get(pk=suggestion.pk)


def _told(cast) -> int:
    outbox.run_pending()
    return Notification.objects.filter(recipient=cast.clerk, kind="acted_for_unit").count()


def test_township_staff_sign_for_the_unit_and_the_record_says_so(client, cast, assigned):
    client.force_login(cast.township_officer)
    page = client.get(reverse("suggestions:detail", args=[assigned.pk])).content.decode()
    assert "代交城县水务局签收（主办）" in page

    response = client.post(reverse("suggestions:acknowledge", args=[assigned.assignments.get().pk]))

    assert response.status_code == 302
    signed = SuggestionEvent.objects.get(suggestion=assigned, kind="acknowledged")
    assert "（由天宁镇人大代签收）" in signed.staff_text
    assert "（由天宁镇人大代签收）" in signed.public_text
    assert signed.data["on_behalf_of"] == cast.unit.pk
    assert signed.actor == cast.township_officer
    assert _told(cast) == 1
    timeline = client.get(reverse("suggestions:detail", args=[assigned.pk])).content.decode()
    assert "（由天宁镇人大代签收）" in timeline


def test_the_units_own_clerk_signs_without_a_proxy_note(client, cast, assigned):
    client.force_login(cast.clerk)
    page = client.get(reverse("suggestions:detail", args=[assigned.pk])).content.decode()
    assert "代交城县水务局签收" not in page and "交城县水务局签收（主办）" in page

    client.post(reverse("suggestions:acknowledge", args=[assigned.assignments.get().pk]))

    signed = SuggestionEvent.objects.get(suggestion=assigned, kind="acknowledged")
    assert "代签收" not in signed.staff_text and "on_behalf_of" not in signed.data
    assert _told(cast) == 0


def test_county_staff_reply_for_the_unit_and_the_citizen_reads_who_replied(client, cast, assigned):
    services.assignment_acknowledge(actor=cast.clerk, assignment=assigned.assignments.get())
    client.force_login(cast.county_officer)
    page = client.get(reverse("suggestions:detail", args=[assigned.pk])).content.decode()
    assert "代交城县水务局答复" in page

    response = client.post(
        reverse("suggestions:reply", args=[assigned.pk]), {"text": "已安排抢修，今日恢复供水。"}
    )

    assert response.status_code == 302
    replied = SuggestionEvent.objects.get(suggestion=assigned, kind="replied")
    assert "（由交城县人大代答复）" in replied.public_text
    assert replied.data["on_behalf_of"] == cast.unit.pk
    assert _told(cast) == 1


def test_a_locally_handled_reply_by_staff_is_no_proxy(client, cast, clock):
    clock(datetime.date(2026, 3, 2))
    suggestion, _ = services.suggestion_submit(
        channel="qr", category="water", content="路灯不亮。", deputy=cast.deputy
    )
    services.suggestion_handle_locally(actor=cast.township_officer, suggestion=suggestion)
    client.force_login(cast.township_officer)
    page = client.get(reverse("suggestions:detail", args=[suggestion.pk])).content.decode()
    assert "代" not in page.split("提交答复")[0].rsplit("<summary>", 1)[-1]
    client.post(reverse("suggestions:reply", args=[suggestion.pk]), {"text": "已修好。"})
    replied = SuggestionEvent.objects.get(suggestion=suggestion, kind="replied")
    assert "代答复" not in replied.public_text
