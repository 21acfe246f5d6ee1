"""The public tracking page: code + last 4 phone digits, timeline, reply and rating."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse

from suggestions import public_views, services
from suggestions.models import Suggestion


def _submitted(world, phone="13812345678", name="张大爷") -> Suggestion:
    suggestion, _ = services.suggestion_submit(
        channel="qr",
        category="heating",
        content="我家暖气一直不热，室温只有十二度。",
        deputy=world.deputy,
        contact_name=name,
        contact_phone=phone,
    )
    return suggestion


def _track(client, code, last4=""):
    return client.post(reverse("public_suggestions:track"), {"code": code, "phone_last4": last4})


def test_code_and_last_four_digits_show_the_plain_chinese_timeline(client, world):
    suggestion = _submitted(world)
    services.suggestion_accept(actor=world.county_officer, suggestion=suggestion)
    services.suggestion_assign(
        actor=world.county_officer, suggestion=suggestion, lead_unit=world.unit
    )
    response = _track(client, suggestion.display_code.lower(), "5678")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "已交办" in page
    assert "已交由交城县水务局办理" in page
    assert "主办：" not in page  # staff notes stay inside
    assert "13812345678" not in page and "5678" not in page  # the number is never echoed


def test_wrong_digits_or_code_are_refused_and_then_rate_limited(client, world, monkeypatch):
    monkeypatch.setattr(public_views, "TRACK_FAILURES_PER_IP", (3, 900))
    suggestion = _submitted(world)
    for _attempt in range(3):
        response = _track(client, suggestion.tracking_code, "0000")
        assert response.status_code == 400
        assert "查询码或手机号后4位不正确" in response.content.decode()
    # Even the right answer is refused once the address made too many mistakes
    response = _track(client, suggestion.tracking_code, "5678")
    assert response.status_code == 429
    assert "查询错误次数过多" in response.content.decode()


def test_anonymous_submission_is_tracked_by_code_alone(client, world):
    suggestion = _submitted(world, phone="", name="")
    response = _track(client, suggestion.tracking_code)
    assert response.status_code == 302


def test_detail_needs_the_proof_first(client, world):
    suggestion = _submitted(world)
    response = client.get(
        reverse("public_suggestions:track_detail", args=[suggestion.tracking_code])
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("public_suggestions:track"))


def test_citizen_rates_the_reply_which_records_the_follow_up(client, world):
    suggestion = _submitted(world)
    services.suggestion_handle_locally(actor=world.township_officer, suggestion=suggestion)
    services.suggestion_reply(
        actor=world.township_officer, suggestion=suggestion, text="已联系热力公司上门排气。"
    )
    _track(client, suggestion.tracking_code, "5678")
    url = reverse("public_suggestions:track_detail", args=[suggestion.tracking_code])
    page = client.get(url).content.decode()
    assert "已联系热力公司上门排气" in page and "评价答复" in page
    rate = reverse("public_suggestions:track_rate", args=[suggestion.tracking_code])
    assert client.post(rate, {}).status_code == 400
    response = client.post(rate, {"satisfaction": "satisfied", "note": "谢谢"})
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.CLOSED
    event = suggestion.events.get(kind="followed_up")
    assert event.actor is None and event.data["by_citizen"] is True
    # Rating twice is refused
    response = client.post(rate, {"satisfaction": "unsatisfied"})
    assert response.status_code == 400


def test_rating_requires_the_proof(client, world):
    suggestion = _submitted(world)
    services.suggestion_answer_on_spot(
        actor=world.deputy_user, suggestion=suggestion, text="已解决"
    )
    response = client.post(
        reverse("public_suggestions:track_rate", args=[suggestion.tracking_code]),
        {"satisfaction": "satisfied"},
    )
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.REPLIED


def test_a_merged_suggestion_shows_the_survivors_progress(client, world):
    survivor = _submitted(world, phone="13900000000")
    duplicate = _submitted(world)
    services.suggestion_merge(actor=world.county_officer, duplicate=duplicate, survivor=survivor)
    services.suggestion_answer_on_spot(
        actor=world.deputy_user, suggestion=survivor, text="已统一处理"
    )
    _track(client, duplicate.tracking_code, "5678")
    page = client.get(
        reverse("public_suggestions:track_detail", args=[duplicate.tracking_code])
    ).content.decode()
    assert "合并办理" in page and "已统一处理" in page


def test_the_citizen_downloads_the_reply_files_and_nobody_else_does(client, world):
    from django.core.files.base import ContentFile
    from django.test import Client

    suggestion = _submitted(world)
    other = _submitted(world, phone="13900001111")
    services.suggestion_handle_locally(actor=world.township_officer, suggestion=suggestion)
    services.suggestion_reply(
        actor=world.township_officer,
        suggestion=suggestion,
        text="已联系热力公司上门排气，维修单见附件。",
        attachments=[ContentFile(b"%PDF-1.4 repair order", name="维修单.pdf")],
    )
    item = suggestion.reply_attachments.get()
    url = reverse("public_suggestions:track_attachment", args=[suggestion.tracking_code, item.pk])

    assert Client().get(url).status_code == 404  # no proof of code and digits
    _track(client, suggestion.tracking_code, "5678")
    page = client.get(reverse("public_suggestions:track_detail", args=[suggestion.tracking_code]))
    assert url in page.content.decode() and "维修单.pdf" in page.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 repair order"
    assert response["Content-Disposition"].startswith("attachment")
    assert "private" in response["Cache-Control"]
    # The proof for one suggestion opens no file of another, nor an id that is not its own.
    _track(client, other.tracking_code, "1111")
    foreign = reverse("public_suggestions:track_attachment", args=[other.tracking_code, item.pk])
    assert client.get(foreign).status_code == 404


def test_a_merged_duplicates_follower_reads_the_reply_but_gets_no_files(client, world):
    """The survivor's letters and photos may name the citizen who raised it first."""
    from django.core.files.base import ContentFile

    survivor = _submitted(world)
    duplicate = _submitted(world, phone="13900001111", name="李大妈")
    services.suggestion_merge(actor=world.county_officer, duplicate=duplicate, survivor=survivor)
    services.suggestion_handle_locally(actor=world.township_officer, suggestion=survivor)
    services.suggestion_reply(
        actor=world.township_officer,
        suggestion=survivor,
        text="已联系热力公司上门排气。",
        attachments=[ContentFile(b"letter to zhang", name="答复函.pdf")],
    )
    item = survivor.reply_attachments.get()
    _track(client, duplicate.tracking_code, "1111")
    page = client.get(reverse("public_suggestions:track_detail", args=[duplicate.tracking_code]))
    assert "已联系热力公司上门排气" in page.content.decode()
    assert "答复函.pdf" not in page.content.decode()
    url = reverse("public_suggestions:track_attachment", args=[duplicate.tracking_code, item.pk])
    assert client.get(url).status_code == 404


def _from(address):
    return {"REMOTE_ADDR": address}


def test_a_code_is_locked_after_failures_from_many_addresses_and_the_page_gives_the_phone(
    client, cast, monkeypatch
):
    world = cast  # 马志刚 is grouped into 天宁镇's station: his suggestions reach it
    monkeypatch.setattr(public_views, "TRACK_FAILURES_PER_CODE", (5, 24 * 3600))
    world.station.phone = "0358-5621234"
    world.station.save(update_fields=["phone"])
    suggestion = _submitted(world)
    assert suggestion.station == world.station
    url = reverse("public_suggestions:track")
    # Five addresses, one wrong guess each: no address is near its own limit.
    for n in range(5):
        data = {"code": suggestion.tracking_code, "phone_last4": f"{n:04d}"}
        assert client.post(url, data, **_from(f"10.0.0.{n + 1}")).status_code == 400
    # The sixth address, even with the right digits, finds the code locked.
    right = {"code": suggestion.display_code, "phone_last4": "5678"}
    response = client.post(url, right, **_from("10.0.0.99"))
    assert response.status_code == 429
    page = response.content.decode()
    assert "这个查询码的查询次数过多" in page and "网上查询已暂停24小时" in page
    assert "请直接致电天宁镇人大代表联络站查询办理进度" in page
    assert 'href="tel:0358-5621234"' in page
    assert (
        client.get(
            reverse("public_suggestions:track_detail", args=[suggestion.tracking_code])
        ).status_code
        == 302
    )
    # Another code is not affected, from any of those addresses.
    other = _submitted(world, phone="13900001111")
    data = {"code": other.tracking_code, "phone_last4": "1111"}
    assert client.post(url, data, **_from("10.0.0.1")).status_code == 302


def test_a_locked_code_that_does_not_exist_names_no_station(client, world, monkeypatch):
    monkeypatch.setattr(public_views, "TRACK_FAILURES_PER_CODE", (2, 3600))
    url = reverse("public_suggestions:track")
    for n in range(2):
        data = {"code": "ZZZZZZZZZZ", "phone_last4": "1234"}
        assert client.post(url, data, **_from(f"10.0.1.{n}")).status_code == 400
    response = client.post(url, {"code": "zzzz-zzzzzz", "phone_last4": "1"}, **_from("10.0.1.9"))
    assert response.status_code == 429
    page = response.content.decode()
    assert "请直接联系为您登记的人大代表或联络站" in page and "tel:" not in page


def test_one_shared_address_does_not_lock_a_code_it_never_tried(client, world, monkeypatch):
    monkeypatch.setattr(public_views, "TRACK_FAILURES_PER_IP", (3, 900))
    suggestion = _submitted(world)
    url = reverse("public_suggestions:track")
    for _attempt in range(3):
        client.post(url, {"code": "ABCDEFGHJK", "phone_last4": "0000"}, **_from("10.0.2.1"))
    # The station's Wi-Fi is over its limit; the citizen at home is not.
    right = {"code": suggestion.tracking_code, "phone_last4": "5678"}
    assert client.post(url, right, **_from("10.0.2.1")).status_code == 429
    assert client.post(url, right, **_from("10.0.2.2")).status_code == 302


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"),
    reason="threads on SQLite's shared test database lock whole tables; CI runs it on PostgreSQL",
)
@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_on_one_code_get_no_more_than_the_limit_through(world, monkeypatch):
    """Each attempt takes its place atomically before it is judged (one conditional
    UPSERT: the row lock decides between racers): a burst from many addresses cannot
    all pass one check."""
    monkeypatch.setattr(public_views, "TRACK_FAILURES_PER_CODE", (4, 24 * 3600))
    suggestion = _submitted(world)
    url = reverse("public_suggestions:track")
    senders = 8
    barrier = threading.Barrier(senders)

    def guess(n):
        try:
            client = Client(REMOTE_ADDR=f"10.0.3.{n}")
            barrier.wait()
            data = {"code": suggestion.tracking_code, "phone_last4": f"{n:04d}"}
            return client.post(url, data).status_code
        finally:
            connection.close()

    with ThreadPoolExecutor(senders) as pool:
        statuses = list(pool.map(guess, range(senders)))
    assert statuses.count(400) <= 4 and statuses.count(400) >= 1, statuses
    assert set(statuses) <= {400, 429}, statuses
    right = {"code": suggestion.tracking_code, "phone_last4": "5678"}
    assert Client(REMOTE_ADDR="10.0.3.99").post(url, right).status_code == 429
