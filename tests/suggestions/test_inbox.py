"""Inboxes per role, filters, bulk assignment and the units' queues."""

import datetime

import pytest
from django.urls import reverse

from suggestions import services
from suggestions.models import Suggestion
from tests import factories as f


def _make(world, n, *, deputy=None, station=None, category="roads", region=None):
    made = []
    for i in range(n):
        suggestion, _ = services.suggestion_submit(
            channel="qr",
            category=category,
            content=f"第{i}件：路灯坏了很久没人修。",
            deputy=deputy,
            station=station,
            region=region,
            contact_name=f"群众{i}",
            contact_phone=f"1380000{i:04d}",
        )
        made.append(suggestion)
    return made


def _codes(response) -> set[str]:
    return {s.tracking_code for s in response.context["page"]}


def test_each_role_sees_its_own_inbox(client, cast):
    by_deputy = _make(cast, 1, deputy=cast.deputy)[0]  # reaches 天宁镇's station too
    by_other_deputy = _make(cast, 1, deputy=cast.other_deputy)[0]
    by_sibling = _make(cast, 1, station=cast.sibling_station)[0]
    by_neighbour = _make(cast, 1, deputy=cast.neighbour_deputy)[0]
    expectations = {
        "county_officer": {by_deputy, by_other_deputy, by_sibling},
        "township_officer": {by_deputy, by_other_deputy},
        "station_officer": {by_deputy},
        "deputy_user": {by_deputy},
        "leader": {by_deputy, by_other_deputy, by_sibling},
        "outsider": {by_neighbour},
        "city_officer": {by_deputy, by_other_deputy, by_sibling, by_neighbour},
    }
    for who, expected in expectations.items():
        client.force_login(getattr(cast, who))
        response = client.get(reverse("suggestions:inbox"))
        assert response.status_code == 200, who
        assert _codes(response) == {s.tracking_code for s in expected}, who


def test_clerk_inbox_is_their_units_queue_overdue_first(client, cast, today):
    older, newer = _make(cast, 2, deputy=cast.deputy)
    today(datetime.date(2026, 3, 9))
    services.suggestion_assign(actor=cast.county_officer, suggestion=newer, lead_unit=cast.unit)
    today(datetime.date(2026, 1, 5))
    services.suggestion_assign(actor=cast.county_officer, suggestion=older, lead_unit=cast.unit)
    # The older one's acknowledgement is overdue; the newer one's is due on 3-11.
    today(datetime.date(2026, 3, 10))
    client.force_login(cast.clerk)
    response = client.get(reverse("suggestions:inbox"))
    assert response.status_code == 302
    assert response["Location"] == reverse("suggestions:unit_detail", args=[cast.unit.pk])
    queue = client.get(response["Location"])
    rows = list(queue.context["page"])
    assert [a.suggestion_id for a in rows] == [older.pk, newer.pk]
    assert (rows[0].overdue, rows[1].overdue) == (True, False)
    # The overdue badge sits on the older row only (the heading says 超期 too).
    html = queue.content.decode()
    badge = '<span class="badge overdue-badge">'
    assert html.count(badge) == 1
    body_rows = html.split("<tbody>", 1)[1].split("</tr>")
    link = reverse("suggestions:detail", args=[older.pk])
    assert badge in body_rows[0] and f'href="{link}"' in body_rows[0]
    link = reverse("suggestions:detail", args=[newer.pk])
    assert badge not in body_rows[1] and f'href="{link}"' in body_rows[1]
    # Another unit's clerk does not see this queue
    client.force_login(cast.other_clerk)
    assert client.get(reverse("suggestions:unit_detail", args=[cast.unit.pk])).status_code == 404


@pytest.mark.parametrize("who", ["county_officer", "station_officer", "deputy_user", "leader"])
def test_inbox_runs_a_constant_number_of_queries(client, cast, who, django_assert_max_num_queries):
    client.force_login(getattr(cast, who))
    _make(cast, 3, deputy=cast.deputy)
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("suggestions:inbox"))
    baseline = len(few.captured_queries)
    batch = _make(cast, 25, deputy=cast.deputy)
    for suggestion in batch[:10]:
        services.suggestion_assign(
            actor=cast.county_officer, suggestion=suggestion, lead_unit=cast.unit
        )
    with django_assert_max_num_queries(baseline) as many:
        response = client.get(reverse("suggestions:inbox"), {"category": "roads"})
    assert response.status_code == 200
    assert len(response.context["page"]) == 28
    assert len(many.captured_queries) <= baseline


def test_filters_status_overdue_and_region_choices(client, cast, today):
    first, second, third = _make(cast, 3, deputy=cast.deputy)
    _make(cast, 1, station=cast.sibling_station)
    today(datetime.date(2026, 1, 5))
    services.suggestion_assign(actor=cast.county_officer, suggestion=first, lead_unit=cast.unit)
    services.suggestion_accept(actor=cast.county_officer, suggestion=second)
    today(datetime.date(2026, 3, 10))  # the reply deadline has passed
    client.force_login(cast.county_officer)
    inbox = reverse("suggestions:inbox")
    assert _codes(client.get(inbox, {"status": "accepted"})) == {second.tracking_code}
    assert _codes(client.get(inbox, {"overdue": "true"})) == {first.tracking_code}
    assert _codes(client.get(inbox, {"due": "overdue"})) == {first.tracking_code}
    assert _codes(client.get(inbox, {"unit": cast.unit.pk})) == {first.tracking_code}
    in_township = client.get(inbox, {"region": cast.township.pk})
    assert _codes(in_township) == {first.tracking_code, second.tracking_code, third.tracking_code}
    assert _codes(client.get(inbox, {"q": third.display_code})) == {third.tracking_code}
    # Another county is not a choice: the filter ignores it rather than leaking
    response = client.get(inbox, {"region": cast.neighbour.pk})
    assert response.context["filter"].errors
    choices = response.context["filter"].form.fields["region"].queryset
    assert cast.neighbour not in choices and cast.county in choices


def test_bulk_assignment_assigns_the_selected_and_reports_the_rest(client, cast):
    a, b, c = _make(cast, 3, deputy=cast.deputy)
    services.suggestion_reject(actor=cast.county_officer, suggestion=c, reason="other", note="重复")
    client.force_login(cast.county_officer)
    response = client.post(
        reverse("suggestions:bulk_assign"),
        {"ids": [a.pk, b.pk, c.pk], "lead_unit": cast.unit.pk, "note": "批量交办"},
        follow=True,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "已将2件交办给交城县水务局" in html
    assert c.display_code in html  # the rejected one is reported, not assigned
    assert set(Suggestion.objects.filter(status="assigned").values_list("pk", flat=True)) == {
        a.pk,
        b.pk,
    }


def test_bulk_assignment_ignores_suggestions_outside_the_scope(client, cast):
    ours = _make(cast, 1, deputy=cast.deputy)[0]
    theirs = _make(cast, 1, deputy=cast.neighbour_deputy)[0]
    client.force_login(cast.township_officer)
    client.post(
        reverse("suggestions:bulk_assign"),
        {"ids": [ours.pk, theirs.pk], "lead_unit": cast.unit.pk},
    )
    theirs.refresh_from_db()
    ours.refresh_from_db()
    assert theirs.status == Suggestion.Status.SUBMITTED
    assert ours.status == Suggestion.Status.SUBMITTED  # the invalid choice voids the request


def test_leader_and_clerk_cannot_bulk_assign(client, cast):
    a = _make(cast, 1, deputy=cast.deputy)[0]
    for user in (cast.leader, cast.clerk, cast.station_officer):
        client.force_login(user)
        response = client.post(
            reverse("suggestions:bulk_assign"), {"ids": [a.pk], "lead_unit": cast.unit.pk}
        )
        assert response.status_code == 403


def test_unit_directory_create_and_edit_by_staff_only(client, cast):
    client.force_login(cast.county_officer)
    response = client.post(
        reverse("suggestions:unit_new"),
        {"region": cast.county.pk, "name": "交城县住建局", "kind": "department", "is_active": "on"},
    )
    assert response.status_code == 302
    unit = f.HandlingUnitFactory._meta.model.objects.get(name="交城县住建局")
    response = client.post(
        reverse("suggestions:unit_edit", args=[unit.pk]),
        {
            "region": cast.county.pk,
            "name": "交城县住房和城乡建设局",
            "kind": "department",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.name == "交城县住房和城乡建设局"
    # A clerk sees their unit but may not edit it; a leader may not add one
    client.force_login(cast.clerk)
    assert client.get(reverse("suggestions:unit_edit", args=[cast.unit.pk])).status_code == 403
    client.force_login(cast.leader)
    assert client.get(reverse("suggestions:unit_new")).status_code == 403
    listing = client.get(reverse("suggestions:unit_list"))
    assert "交城县住房和城乡建设局" in listing.content.decode()
    # The neighbour's region is not a choice
    client.force_login(cast.county_officer)
    response = client.post(
        reverse("suggestions:unit_new"),
        {"region": cast.neighbour.pk, "name": "文水县住建局", "kind": "department"},
    )
    assert (
        response.status_code == 200
        and not unit._meta.model.objects.filter(name="文水县住建局").exists()
    )


def test_reply_templates_and_deadline_rules_pages(client, cast):
    client.force_login(cast.county_officer)
    response = client.post(
        reverse("suggestions:template_new"),
        {
            "region": cast.county.pk,
            "category": "water",
            "title": "停水",
            "body": "已安排抢修。",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert "停水" in client.get(reverse("suggestions:template_list")).content.decode()
    response = client.post(
        reverse("suggestions:sla_new"),
        {
            "region": cast.county.pk,
            "category": "water",
            "acknowledge_days": 1,
            "return_days": 2,
            "reply_days": 3,
            "rehandle_months": 1,
        },
    )
    assert response.status_code == 302
    listed = client.get(reverse("suggestions:sla_list"))
    (profile,) = [p for p in listed.context["profiles"] if p.category == "water"]
    assert (profile.region, profile.acknowledge_days, profile.return_days) == (cast.county, 1, 2)
    assert (profile.reply_days, profile.rehandle_months) == (3, 1)
    # The row on the page shows the four numbers in their columns.
    assert (
        '<td class="num">1</td><td class="num">2</td><td class="num">3</td><td class="num">1</td>'
    ) in listed.content.decode()
    client.force_login(cast.leader)
    assert client.get(reverse("suggestions:sla_new")).status_code == 403
    assert client.get(reverse("suggestions:template_list")).status_code == 200
