"""The whole life of a suggestion, through HTTP, as each member of the cast."""

import datetime

from django.urls import reverse

from audit.models import AuditRecord
from core import outbox
from suggestions.models import Assignment, ExtensionRequest, Suggestion, SuggestionEvent
from tests.suggestions.conftest import intake_data


def _submit(client, world, **overrides) -> Suggestion:
    response = client.post(
        reverse("public_suggestions:new_for_deputy", args=[world.deputy.public_token]),
        intake_data(**overrides),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Suggestion.objects.get(submission_token=intake_data(**overrides)["submission_token"])


def _post(client, user, name, pk, data=None, files=None):
    client.force_login(user)
    payload = dict(data or {})
    if files:
        payload.update(files)
    return client.post(reverse(f"suggestions:{name}", args=[pk]), payload)


def _events(suggestion) -> list[str]:
    return list(suggestion.events.order_by("at", "pk").values_list("kind", flat=True))


def test_full_lifecycle_through_assignment_extension_reply_reopen_and_close(client, cast, today):
    today(datetime.date(2026, 3, 2))
    # Given a citizen's suggestion from the deputy's code
    suggestion = _submit(client, cast)
    assert suggestion.status == Suggestion.Status.SUBMITTED
    assert suggestion.region == cast.township

    # The township officer accepts it
    response = _post(client, cast.township_officer, "accept", suggestion.pk)
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.ACCEPTED

    # The county officer assigns it to the water bureau, roads as co-handler
    response = _post(
        client,
        cast.county_officer,
        "assign",
        suggestion.pk,
        {"lead_unit": cast.unit.pk, "co_units": [cast.roads_unit.pk], "note": "请尽快处理"},
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.ASSIGNED
    # Water: 5 working days from the day after Mon 2 March 2026
    assert suggestion.due_date == datetime.date(2026, 3, 9)
    assert "5个工作日" in suggestion.due_rule
    assert suggestion.due_provisional is False
    lead = suggestion.assignments.get(role=Assignment.Role.LEAD)
    co = suggestion.assignments.get(role=Assignment.Role.CO)
    assert lead.acknowledge_due == datetime.date(2026, 3, 4)

    # The water clerk signs; the roads clerk signs its own co-assignment only
    client.force_login(cast.clerk)
    response = client.post(reverse("suggestions:acknowledge", args=[co.pk]))
    assert response.status_code == 404  # the roads unit's assignment is not the water clerk's
    response = client.post(reverse("suggestions:acknowledge", args=[lead.pk]))
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.HANDLING
    client.force_login(cast.other_clerk)
    assert client.post(reverse("suggestions:acknowledge", args=[co.pk])).status_code == 302
    co.refresh_from_db()
    assert co.status == Assignment.Status.ACKNOWLEDGED

    # The water clerk asks for 5 more working days; the county officer approves
    response = _post(
        client, cast.clerk, "extend", suggestion.pk, {"days": 5, "reason": "需更换主管道"}
    )
    assert response.status_code == 302
    extension = ExtensionRequest.objects.get(suggestion=suggestion)
    client.force_login(cast.clerk)
    refused = client.post(
        reverse("suggestions:decide", args=[extension.pk]), {"decision": "approve"}
    )
    assert refused.status_code == 403  # the handler does not approve their own extension
    client.force_login(cast.county_officer)
    response = client.post(
        reverse("suggestions:decide", args=[extension.pk]), {"decision": "approve", "note": "同意"}
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.due_date == datetime.date(2026, 3, 16)
    assert suggestion.due_spec == "wd:5+wd:5"

    # The water clerk replies
    response = _post(
        client, cast.clerk, "reply", suggestion.pk, {"text": "已更换3号楼供水主管道，恢复供水。"}
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.REPLIED
    assert not suggestion.assignments.filter(status__in=Assignment.ACTIVE_STATUSES).exists()

    # The citizen is not satisfied: the suggestion reopens once, 1 month from today
    today(datetime.date(2026, 3, 17))
    response = _post(
        client, cast.station_officer, "follow_up", suggestion.pk, {"satisfaction": "unsatisfied"}
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.HANDLING
    assert suggestion.reopened_count == 1
    assert suggestion.due_date == datetime.date(2026, 4, 17)
    assert suggestion.due_spec == "m:1"
    lead.refresh_from_db()
    assert lead.status == Assignment.Status.ACKNOWLEDGED

    # The clerk replies again; this time 基本满意 closes it
    _post(client, cast.clerk, "reply", suggestion.pk, {"text": "已加装稳压设备，水压正常。"})
    response = _post(
        client, cast.township_officer, "follow_up", suggestion.pk, {"satisfaction": "basically"}
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.CLOSED
    assert suggestion.satisfaction == "basically"
    assert _events(suggestion) == [
        "submitted",
        "accepted",
        "assigned",
        "acknowledged",
        "acknowledged",
        "ext_requested",
        "ext_approved",
        "replied",
        "followed_up",
        "reopened",
        "replied",
        "followed_up",
        "closed",
    ]
    # Every state change left an audit record
    assert AuditRecord.objects.filter(object_id=str(suggestion.pk)).count() >= 10
    # And the queued notices run
    assert outbox.run_pending() >= 3


def test_second_unsatisfied_follow_up_closes_instead_of_reopening(client, cast):
    suggestion = _submit(client, cast)
    _post(client, cast.township_officer, "handle", suggestion.pk)
    for round_ in range(2):
        _post(client, cast.township_officer, "reply", suggestion.pk, {"text": f"第{round_}次答复"})
        _post(
            client,
            cast.township_officer,
            "follow_up",
            suggestion.pk,
            {"satisfaction": "unsatisfied"},
        )
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.CLOSED
    assert suggestion.satisfaction == "unsatisfied"
    assert suggestion.reopened_count == 1


def test_deputy_answers_on_the_spot_from_their_inbox(client, cast):
    suggestion = _submit(client, cast)
    client.force_login(cast.deputy_user)
    page = client.get(reverse("suggestions:detail", args=[suggestion.pk]))
    assert page.status_code == 200
    assert "当场答复" in page.content.decode()
    response = client.post(
        reverse("suggestions:answer", args=[suggestion.pk]), {"text": "已联系物业，今天下午修复。"}
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.REPLIED
    assert suggestion.handling == Suggestion.Handling.ON_SPOT
    assert _events(suggestion) == ["submitted", "accepted", "on_spot"]


def test_deputy_may_not_assign_or_answer_another_deputys_suggestion(client, cast):
    suggestion = _submit(client, cast)
    _post(client, cast.township_officer, "accept", suggestion.pk)
    response = _post(client, cast.deputy_user, "assign", suggestion.pk, {"lead_unit": cast.unit.pk})
    assert response.status_code == 403
    other = Suggestion.objects.create(
        region=cast.township,
        channel="qr",
        category="roads",
        content="路灯不亮了好几天",
        deputy=cast.other_deputy,
    )
    client.force_login(cast.deputy_user)
    assert (
        client.post(reverse("suggestions:answer", args=[other.pk]), {"text": "好"}).status_code
        == 404
    )


def test_station_officer_handles_locally_replies_and_follows_up(client, cast, today):
    today(datetime.date(2026, 2, 12))
    suggestion = _submit(client, cast, category="parking")
    response = _post(client, cast.station_officer, "handle", suggestion.pk, {"note": "站内协调"})
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.handling == Suggestion.Handling.LOCAL
    # Parking: 10 working days across the Spring Festival (15-23 Feb off); the
    # make-up Saturdays 14 and 28 Feb count: 13, 14, 24, 25, 26, 27, 28 Feb, 2, 3, 4 Mar.
    assert suggestion.due_date == datetime.date(2026, 3, 4)
    _post(client, cast.station_officer, "reply", suggestion.pk, {"text": "已划定临时停车位。"})
    _post(client, cast.station_officer, "follow_up", suggestion.pk, {"satisfaction": "satisfied"})
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.CLOSED


def test_lead_unit_returns_a_misrouted_suggestion_to_the_assigner(client, cast, today):
    today(datetime.date(2026, 3, 2))
    suggestion = _submit(client, cast)
    _post(client, cast.county_officer, "assign", suggestion.pk, {"lead_unit": cast.unit.pk})
    assignment = suggestion.assignments.get()
    client.force_login(cast.clerk)
    empty = client.post(reverse("suggestions:return", args=[assignment.pk]), {"reason": ""})
    assert empty.status_code == 400
    response = client.post(
        reverse("suggestions:return", args=[assignment.pk]), {"reason": "道路积水归住建局管"}
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assignment.refresh_from_db()
    assert suggestion.status == Suggestion.Status.ACCEPTED
    assert suggestion.due_date is None
    assert assignment.status == Assignment.Status.RETURNED
    # The clerk keeps a record of the return, but no way into the suggestion any more.
    done = client.get(reverse("suggestions:unit_detail", args=[cast.unit.pk]), {"done": 1})
    page = done.content.decode()
    assert suggestion.display_code in page and "已退回" in page
    assert reverse("suggestions:detail", args=[suggestion.pk]) not in page
    assert suggestion.content[:10] not in page
    assert client.get(reverse("suggestions:detail", args=[suggestion.pk])).status_code == 404
    # The assigner can route it again
    response = _post(
        client, cast.county_officer, "assign", suggestion.pk, {"lead_unit": cast.roads_unit.pk}
    )
    assert response.status_code == 302


def test_return_after_its_limit_is_refused(client, cast, today):
    today(datetime.date(2026, 3, 2))
    suggestion = _submit(client, cast)
    _post(client, cast.county_officer, "assign", suggestion.pk, {"lead_unit": cast.unit.pk})
    assignment = suggestion.assignments.get()
    today(datetime.date(2026, 3, 5))  # the limit was 4 March
    client.force_login(cast.clerk)
    response = client.post(
        reverse("suggestions:return", args=[assignment.pk]), {"reason": "不归我们管"}
    )
    assert response.status_code == 400
    assert "已超过退回期限" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.PENDING


def test_extension_after_the_deadline_is_refused(client, cast, today):
    today(datetime.date(2026, 3, 2))
    suggestion = _submit(client, cast)
    _post(client, cast.county_officer, "assign", suggestion.pk, {"lead_unit": cast.unit.pk})
    today(datetime.date(2026, 3, 10))
    response = _post(client, cast.clerk, "extend", suggestion.pk, {"days": 3, "reason": "太忙"})
    assert response.status_code == 400
    assert "应在期限届满前申请延期" in response.content.decode()
    assert not ExtensionRequest.objects.exists()


def test_refused_extension_keeps_the_deadline(client, cast, today):
    today(datetime.date(2026, 3, 2))
    suggestion = _submit(client, cast)
    _post(client, cast.county_officer, "assign", suggestion.pk, {"lead_unit": cast.unit.pk})
    _post(client, cast.clerk, "extend", suggestion.pk, {"days": 3, "reason": "需要协调"})
    extension = ExtensionRequest.objects.get()
    client.force_login(cast.county_officer)
    client.post(reverse("suggestions:decide", args=[extension.pk]), {"decision": "refuse"})
    suggestion.refresh_from_db()
    extension.refresh_from_db()
    assert extension.status == ExtensionRequest.Status.REFUSED
    assert suggestion.due_date == datetime.date(2026, 3, 9)


def test_reject_needs_a_reason_shown_to_the_citizen(client, cast):
    suggestion = _submit(client, cast)
    response = _post(client, cast.county_officer, "reject", suggestion.pk, {"reason": "litigation"})
    assert response.status_code == 400
    response = _post(
        client,
        cast.county_officer,
        "reject",
        suggestion.pk,
        {"reason": "litigation", "note": "该纠纷已起诉至法院，请等待判决。"},
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.REJECTED
    event = suggestion.events.get(kind="rejected")
    assert "诉讼" in event.public_text and "已起诉至法院" in event.public_text


def test_merge_folds_a_duplicate_into_the_survivor_with_events_on_both(client, cast):
    survivor = _submit(client, cast)
    # The same trouble told again in other words: a duplicate for staff to merge.
    duplicate = _submit(
        client, cast, submission_token="tok_" + "b" * 28, content="3号楼还是停水，请尽快处理。"
    )
    response = _post(
        client, cast.county_officer, "merge", duplicate.pk, {"survivor_code": survivor.display_code}
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == Suggestion.Status.MERGED
    assert duplicate.merged_into == survivor
    assert survivor.events.filter(kind="merged").exists()
    assert duplicate.events.filter(kind="merged").exists()


def test_leader_reads_but_cannot_act(client, cast):
    suggestion = _submit(client, cast)
    client.force_login(cast.leader)
    assert client.get(reverse("suggestions:detail", args=[suggestion.pk])).status_code == 200
    assert client.post(reverse("suggestions:accept", args=[suggestion.pk])).status_code == 403
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.SUBMITTED


def test_clerk_sees_only_what_was_assigned_to_their_unit(client, cast):
    suggestion = _submit(client, cast)
    client.force_login(cast.clerk)
    assert client.get(reverse("suggestions:detail", args=[suggestion.pk])).status_code == 404
    _post(client, cast.county_officer, "assign", suggestion.pk, {"lead_unit": cast.unit.pk})
    client.force_login(cast.clerk)
    assert client.get(reverse("suggestions:detail", args=[suggestion.pk])).status_code == 200
    # ...and cannot assign or accept anything
    assert (
        client.post(
            reverse("suggestions:reject", args=[suggestion.pk]), {"reason": "other", "note": "x"}
        ).status_code
        == 403
    )


def test_detail_offers_only_the_actions_allowed_now(client, cast):
    suggestion = _submit(client, cast)
    client.force_login(cast.county_officer)
    html = client.get(reverse("suggestions:detail", args=[suggestion.pk])).content.decode()
    assert reverse("suggestions:assign", args=[suggestion.pk]) in html
    assert reverse("suggestions:reply", args=[suggestion.pk]) not in html
    client.force_login(cast.leader)
    html = client.get(reverse("suggestions:detail", args=[suggestion.pk])).content.decode()
    assert reverse("suggestions:assign", args=[suggestion.pk]) not in html


def test_reply_with_a_template_and_an_attachment(client, cast):
    from suggestions.models import ReplyTemplate

    template = ReplyTemplate.objects.create(
        region=cast.county,
        category="water",
        title="停水答复",
        body="经核实，已安排抢修，预计今日恢复供水。",
    )
    suggestion = _submit(client, cast)
    _post(client, cast.county_officer, "assign", suggestion.pk, {"lead_unit": cast.unit.pk})
    client.force_login(cast.clerk)
    client.post(reverse("suggestions:acknowledge", args=[suggestion.assignments.get().pk]))
    page = client.get(
        reverse("suggestions:detail", args=[suggestion.pk]), {"template": template.pk}
    )
    assert "经核实，已安排抢修" in page.content.decode()
    fragment = client.get(
        reverse("suggestions:detail", args=[suggestion.pk]),
        {"template": template.pk},
        headers={"HX-Request": "true"},
    )
    assert fragment.content.decode().lstrip().startswith('<div id="reply-text">')
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("suggestions:reply", args=[suggestion.pk]),
        {
            "text": template.body,
            "attachments": [SimpleUploadedFile("答复函.pdf", b"%PDF-1.4 test")],
        },
    )
    assert response.status_code == 302
    attachment = suggestion.reply_attachments.get()
    assert client.get(reverse("suggestions:attachment", args=[attachment.pk])).status_code == 200
    client.force_login(cast.outsider)
    assert client.get(reverse("suggestions:attachment", args=[attachment.pk])).status_code == 404


def test_staff_register_a_suggestion_from_a_phone_call(client, cast):
    client.force_login(cast.township_officer)
    response = client.post(
        reverse("suggestions:new"),
        {
            "channel": "phone",
            "region": cast.township.pk,
            "category": "heating",
            "content": "暖气不热，室温只有12度。",
            "contact_name": "李阿姨",
            "contact_phone": "13900001111",
        },
    )
    assert response.status_code == 302
    suggestion = Suggestion.objects.get(channel="phone")
    assert suggestion.constituent.region == cast.county
    assert SuggestionEvent.objects.filter(suggestion=suggestion, kind="submitted").exists()
    # A region outside the officer's own is not offered
    response = client.post(
        reverse("suggestions:new"),
        {
            "channel": "phone",
            "region": cast.neighbour.pk,
            "category": "heating",
            "content": "暖气不热的问题",
        },
    )
    assert response.status_code == 200
    assert Suggestion.objects.count() == 1


def test_station_officer_and_deputy_register_what_they_received(client, cast):
    client.force_login(cast.station_officer)
    response = client.post(
        reverse("suggestions:new"),
        {
            "channel": "reception",
            "station": cast.station.pk,
            "category": "elderly_care",
            "content": "接待日群众反映希望开办老年食堂。",
        },
    )
    assert response.status_code == 302
    by_station = Suggestion.objects.get(channel="reception")
    assert by_station.station == cast.station and by_station.region == cast.township
    # Another station is not the officer's to record for
    response = client.post(
        reverse("suggestions:new"),
        {
            "channel": "reception",
            "station": cast.sibling_station.pk,
            "category": "roads",
            "content": "别的联络站的事项不该由我登记。",
        },
    )
    assert response.status_code == 200
    client.force_login(cast.deputy_user)
    response = client.post(
        reverse("suggestions:new"),
        {
            "channel": "visit",
            "deputy": cast.deputy.pk,
            "category": "schools",
            "content": "走访中群众反映校门口上学时段拥堵。",
        },
    )
    assert response.status_code == 302
    by_deputy = Suggestion.objects.get(channel="visit")
    assert by_deputy.deputy == cast.deputy and by_deputy.station == cast.station
    for user in (cast.clerk, cast.leader):
        client.force_login(user)
        assert client.get(reverse("suggestions:new")).status_code == 403
