"""Staff publish a consultation: facts, points of their subtree, text, then publish."""

import datetime

from django.urls import reverse

from legislation.models import Consultation
from notifications.models import Notification
from supervision.models import TrackedDeadline


def _form(world, **values):
    return {
        "region": world.city.pk,
        "kind": "draft",
        "title": "《吕梁市消防条例（修订草案）》",
        "issuing_body": "吕梁市人大常委会法制工作委员会",
        "summary_to": "吕梁市人大常委会法制工作委员会",
        "opens_on": "2026-03-02",
        "closes_on": "2026-03-31",
        "description": "",
        "points": [world.station.pk],
        **values,
    }


def test_staff_publish_a_consultation_and_the_points_are_told(client, world, clock):
    clock(datetime.date(2026, 3, 1))
    world.station.is_legislative_point = True
    world.station.save()
    client.force_login(world.city_officer)
    response = client.post(reverse("legislation:new"), _form(world))
    consultation = Consultation.objects.get()
    assert response["Location"] == reverse("legislation:detail", args=[consultation.pk])
    assert consultation.title == "吕梁市消防条例（修订草案）" and consultation.status == "draft"
    detail = client.get(response["Location"]).content.decode()
    assert "请先导入或粘贴草案文本" in detail
    publish = reverse("legislation:publish", args=[consultation.pk])
    client.post(publish)
    assert Consultation.objects.get().status == "draft"  # no text yet
    client.post(
        reverse("legislation:text", args=[consultation.pk]),
        {"text": "第一章 总则\n第一条 为了预防火灾，制定本条例。\n第二条 本条例自公布之日起施行。"},
    )
    client.post(publish)
    consultation.refresh_from_db()
    assert consultation.status == "published"
    notice = Notification.objects.get(recipient=world.station_officer)
    assert "吕梁市消防条例" in notice.title
    assert TrackedDeadline.objects.get().due_date == datetime.date(2026, 3, 31)
    # Published: the dates may move (and the deadline with them), the kind may not.
    edit = reverse("legislation:edit", args=[consultation.pk])
    page = client.get(edit).content.decode()
    assert 'name="kind"' not in page and 'name="points"' not in page
    data = _form(world, closes_on="2026-04-10")
    del data["region"], data["points"], data["kind"]
    assert client.post(edit, data).status_code == 302
    assert TrackedDeadline.objects.get(status="open").due_date == datetime.date(2026, 4, 10)


def test_points_outside_the_subtree_or_not_legislative_are_refused(client, world, clock):
    clock(datetime.date(2026, 3, 1))
    world.station.is_legislative_point = True
    world.station.save()
    client.force_login(world.county_officer)
    response = client.post(
        reverse("legislation:new"),
        _form(world, region=world.county.pk, points=[world.sibling_station.pk]),
    )
    assert response.status_code == 200
    assert Consultation.objects.count() == 0
    response = client.post(reverse("legislation:new"), _form(world, region=world.city.pk))
    assert response.status_code == 200  # the city is above the county officer
    bad_dates = client.post(
        reverse("legislation:new"),
        _form(world, region=world.county.pk, closes_on="2026-02-01"),
    )
    assert "截止日期不能早于开始日期" in bad_dates.content.decode()
    assert Consultation.objects.count() == 0


def test_leaders_deputies_and_officers_publish_nothing(client, world):
    for who in ("leader", "deputy_user", "station_officer", "clerk"):
        client.force_login(getattr(world, who))
        assert client.get(reverse("legislation:new")).status_code == 403, who
