"""Regressions from the security review of the suggestions app."""

from django.urls import reverse

from suggestions.models import Assignment, Category, Channel, Suggestion
from tests import factories as f


def test_a_unit_page_shows_only_the_suggestions_the_viewer_may_see(client, world):
    # Given: 夏家营镇's suggestion, assigned by the county to 天宁镇's own government
    tianning_government = f.HandlingUnitFactory(name="天宁镇人民政府", region=world.township)
    foreign = Suggestion.objects.create(
        region=world.other_township,
        channel=Channel.PHONE,
        category=Category.ROADS,
        content="夏家营村口的路灯坏了",
        status=Suggestion.Status.ASSIGNED,
        handling=Suggestion.Handling.ASSIGNED,
    )
    Assignment.objects.create(suggestion=foreign, unit=tianning_government)

    # When: 天宁镇's officer opens their township government's queue
    client.force_login(world.township_officer)
    response = client.get(reverse("suggestions:unit_detail", args=[tianning_government.pk]))

    # Then: the unit is theirs, the other township's suggestion is not
    assert response.status_code == 200
    assert "夏家营村口的路灯" not in response.content.decode()
    client.force_login(world.county_officer)
    county_view = client.get(reverse("suggestions:unit_detail", args=[tianning_government.pk]))
    assert "夏家营村口的路灯" in county_view.content.decode()


def test_public_api_answers_400_to_a_body_that_is_not_an_object(client, db):
    response = client.post(
        "/api/public-suggestions/", data="[1, 2]", content_type="application/json"
    )

    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_revealing_a_constituent_without_a_phone_is_a_message_not_a_crash(client, world):
    from suggestions.models import Constituent

    nameless = Constituent.objects.create(region=world.county, name="无电话的群众", phone="")
    Suggestion.objects.create(
        region=world.township,
        channel=Channel.PHONE,
        category=Category.WATER,
        content="停水",
        constituent=nameless,
    )
    client.force_login(world.county_officer)

    response = client.post(reverse("suggestions:constituent_detail", args=[nameless.pk]))

    assert response.status_code == 302


def test_requests_without_an_address_share_one_rate_limit_bucket(db):
    from suggestions import ratelimit

    for _ in range(3):
        assert ratelimit.hit("test-scope", None, limit=3, window=60)
    assert not ratelimit.hit("test-scope", None, limit=3, window=60)
    assert ratelimit.exceeded("test-scope", "", limit=3, window=60)


def test_inbox_filters_by_received_period_and_solved_outcome(client, world):
    import datetime

    from django.utils import timezone

    from suggestions.models import Satisfaction

    def suggestion(content, days_ago, **fields):
        row = Suggestion.objects.create(
            region=world.township,
            channel=Channel.PHONE,
            category=Category.WATER,
            content=content,
            **fields,
        )
        at = timezone.now() - datetime.timedelta(days=days_ago)
        Suggestion.objects.filter(pk=row.pk).update(submitted_at=at)
        return row

    suggestion("上月解决了的事", 40, status=Suggestion.Status.CLOSED)
    suggestion("本月解决了的事", 1, status=Suggestion.Status.CLOSED)
    suggestion(
        "本月不满意办结", 1, status=Suggestion.Status.CLOSED, satisfaction=Satisfaction.UNSATISFIED
    )
    suggestion("本月还在办的事", 1, status=Suggestion.Status.ASSIGNED)
    today = timezone.localdate()
    client.force_login(world.county_officer)

    body = client.get(
        reverse("suggestions:inbox"),
        {
            "start": (today - datetime.timedelta(days=7)).isoformat(),
            "end": today.isoformat(),
            "outcome": "solved",
        },
    ).content.decode()

    assert "本月解决了的事" in body
    assert "上月解决了的事" not in body
    assert "本月不满意办结" not in body
    assert "本月还在办的事" not in body


def test_a_leader_creating_a_handling_unit_through_the_api_gets_403(client, world):
    client.force_login(world.leader)

    response = client.post(
        "/api/handling-units/",
        {"name": "新单位", "region": world.county.code, "kind": "department"},
        content_type="application/json",
    )

    assert response.status_code == 403


def test_a_unit_clerk_no_longer_sees_a_suggestion_the_unit_sent_back(world):
    suggestion = Suggestion.objects.create(
        region=world.township,
        channel=Channel.PHONE,
        category=Category.WATER,
        content="送错单位的事",
        status=Suggestion.Status.ASSIGNED,
        handling=Suggestion.Handling.ASSIGNED,
    )
    assignment = Assignment.objects.create(suggestion=suggestion, unit=world.unit)
    assert Suggestion.objects.visible_to(world.clerk).filter(pk=suggestion.pk).exists()

    assignment.status = Assignment.Status.RETURNED
    assignment.save(update_fields=["status"])

    assert not Suggestion.objects.visible_to(world.clerk).filter(pk=suggestion.pk).exists()
    assert Suggestion.objects.visible_to(world.county_officer).filter(pk=suggestion.pk).exists()
