"""The citizens' intake page behind a deputy's or a station's QR code (no login)."""

import io
import socket
import threading

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from core import outbox
from core.models import OutboxMessage
from deputies.models import Deputy
from notifications.models import Notification
from suggestions import public_views, services
from suggestions.models import Constituent, Suggestion, SuggestionEvent
from suggestions.services import intake
from tests.suggestions.conftest import TOKEN, intake_data, jpeg_with_gps, photo_upload


def _url(world):
    return reverse("public_suggestions:new_for_deputy", args=[world.deputy.public_token])


def test_form_opens_without_login_with_the_privacy_notice_and_a_fresh_token(client, world):
    response = client.get(_url(world))
    html = response.content.decode()
    assert response.status_code == 200
    assert "个人信息告知" in html and "法定职责" in html and "不会公开您的身份" in html
    assert 'name="submission_token"' in html
    assert 'class="public"' in html  # large-text public layout
    other = client.get(_url(world)).content.decode()
    token = html.split('name="submission_token" value="')[1].split('"')[0]
    assert token not in other  # every form gets its own token


def test_unknown_or_suspended_deputy_code_is_404(client, world):
    assert (
        client.get(reverse("public_suggestions:new_for_deputy", args=["nope"])).status_code == 404
    )
    world.deputy.status = Deputy.Status.SUSPENDED
    world.deputy.save(update_fields=["status"])
    assert client.get(_url(world)).status_code == 404


def test_submit_creates_suggestion_first_event_and_notice_in_one_go(client, cast):
    response = client.post(_url(cast), intake_data())
    suggestion = Suggestion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("public_suggestions:receipt", args=[TOKEN])
    assert suggestion.deputy == cast.deputy and suggestion.station == cast.station
    assert suggestion.region == cast.township
    assert suggestion.channel == "qr"
    assert SuggestionEvent.objects.filter(suggestion=suggestion, kind="submitted").count() == 1
    assert OutboxMessage.objects.filter(task="suggestions.tasks.notify_new_suggestion").count() == 1
    receipt = client.get(response["Location"]).content.decode()
    assert suggestion.display_code in receipt
    assert "手机号后4位" in receipt


def test_same_token_twice_gives_one_suggestion_and_the_same_receipt(client, world):
    first = client.post(_url(world), intake_data())
    queued = sorted(OutboxMessage.objects.values_list("task", flat=True))
    second = client.post(_url(world), intake_data(content="双击又提交了一次，内容略有不同"))
    assert first["Location"] == second["Location"]
    assert Suggestion.objects.count() == 1
    # The notice and the deputy's points, queued once: the retry queues nothing.
    assert queued == ["duties.tasks.recompute_points", "suggestions.tasks.notify_new_suggestion"]
    assert sorted(OutboxMessage.objects.values_list("task", flat=True)) == queued


def test_honeypot_is_refused_and_keeps_what_was_typed(client, world):
    response = client.post(_url(world), intake_data(website="http://spam.example"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "提交未成功" in html
    assert "西街社区3号楼停水三天了" in html
    assert not Suggestion.objects.exists()


def test_too_long_content_is_refused_with_a_chinese_message(client, world):
    response = client.post(_url(world), intake_data(content="水" * 1001))
    assert response.status_code == 400
    assert "不能超过1000字" in response.content.decode()
    assert not Suggestion.objects.exists()


def test_rate_limit_per_address_keeps_the_text(client, world, monkeypatch):
    monkeypatch.setattr(public_views, "SUBMIT_PER_IP", (2, 3600))
    for n in range(2):
        token = f"tok_{n}" + "x" * 26
        data = intake_data(token, contact_phone="", content=f"第{n + 1}件事：路面塌陷。")
        assert client.post(_url(world), data).status_code == 302
    response = client.post(_url(world), intake_data("tok_3" + "x" * 26, contact_phone=""))
    assert response.status_code == 429
    html = response.content.decode()
    assert "提交过于频繁" in html and "西街社区3号楼停水三天了" in html
    assert Suggestion.objects.count() == 2


def test_an_address_over_its_limit_is_refused_before_its_photos_are_opened(
    client, world, monkeypatch
):
    monkeypatch.setattr(public_views, "SUBMIT_PER_IP", (1, 3600))
    first = intake_data("tok_1" + "w" * 26, contact_phone="", content="第一件事。")
    assert client.post(_url(world), first).status_code == 302
    opened = []
    monkeypatch.setattr("suggestions.forms.sanitize_images", lambda photos: opened.extend(photos))
    data = intake_data("tok_2" + "w" * 26, contact_phone="", photos=[photo_upload()])
    response = client.post(_url(world), data)
    assert response.status_code == 429 and opened == []
    html = response.content.decode()
    assert "提交过于频繁" in html and "西街社区3号楼停水三天了" in html
    assert Suggestion.objects.count() == 1


def test_rate_limit_per_phone(client, world, monkeypatch):
    monkeypatch.setattr(public_views, "SUBMIT_PER_PHONE", (1, 3600))
    first = intake_data("tok_1" + "y" * 26, content="另一件事：路灯不亮。")
    assert client.post(_url(world), first).status_code == 302
    response = client.post(_url(world), intake_data("tok_2" + "y" * 26))
    assert response.status_code == 429
    assert "该手机号今天提交的次数已达上限" in response.content.decode()
    # Another phone from the same place still gets through
    other = intake_data("tok_3" + "y" * 26, contact_phone="13900002222")
    assert client.post(_url(world), other).status_code == 302


def test_photos_are_reencoded_without_exif_or_gps(client, world):
    original = Image.open(io.BytesIO(jpeg_with_gps()))
    assert original.getexif().get_ifd(0x8825)  # the test photo does carry GPS
    data = intake_data()
    data["photos"] = [photo_upload("a.jpg"), photo_upload("b.jpg")]
    assert client.post(_url(world), data).status_code == 302
    photos = list(Suggestion.objects.get().photos.all())
    assert len(photos) == 2
    for photo in photos:
        with photo.image.open("rb") as handle:
            stored = Image.open(handle)
            assert stored.format == "JPEG"
            assert not stored.getexif()
            assert "exif" not in stored.info


def test_more_than_three_photos_or_a_non_image_is_refused(client, world):
    data = intake_data()
    data["photos"] = [photo_upload(f"{n}.jpg") for n in range(4)]
    response = client.post(_url(world), data)
    assert response.status_code == 400 and "最多上传3张照片" in response.content.decode()
    data["photos"] = [SimpleUploadedFile("x.jpg", b"MZ not an image", content_type="image/jpeg")]
    response = client.post(_url(world), data)
    assert response.status_code == 400 and "只能上传照片" in response.content.decode()
    assert not Suggestion.objects.exists()


def test_anonymous_submission_without_contact(client, world):
    data = intake_data(contact_name="", contact_phone="", village="")
    assert client.post(_url(world), data).status_code == 302
    assert Suggestion.objects.get().constituent is None


def test_bad_phone_number_is_refused(client, world):
    response = client.post(_url(world), intake_data(contact_phone="12345"))
    assert response.status_code == 400
    assert "请填写正确的手机号" in response.content.decode()


def test_station_code_intake(client, world):
    url = reverse("public_suggestions:new_for_station", args=[world.point.public_token])
    assert client.post(url, intake_data()).status_code == 302
    suggestion = Suggestion.objects.get()
    assert suggestion.station == world.point and suggestion.deputy is None
    assert suggestion.region == world.village


def test_constituents_are_deduplicated_by_phone_within_a_county(client, world):
    client.post(_url(world), intake_data("tok_1" + "z" * 26))
    client.post(_url(world), intake_data("tok_2" + "z" * 26, contact_name="", content="又一件事。"))
    neighbour_url = reverse(
        "public_suggestions:new_for_deputy", args=[world.neighbour_deputy.public_token]
    )
    client.post(neighbour_url, intake_data("tok_3" + "z" * 26))
    ours = Constituent.objects.get(region=world.county)
    assert ours.suggestions.count() == 2 and ours.name == "张大爷"
    assert Constituent.objects.filter(region=world.neighbour).count() == 1


@pytest.fixture
def closed_port():
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()  # nothing listens there any more
    return port


def test_submit_never_touches_the_broker_and_the_outbox_delivers_once(
    client, cast, settings, monkeypatch, closed_port, django_capture_on_commit_callbacks
):
    # Given a broker nobody answers, and a trap on every broker connection
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port}/0"
    settings.OUTBOX_SEND_ON_COMMIT = True
    request_thread = threading.get_ident()
    attempts = []
    from kombu import Connection

    def trap(self, *args, **kwargs):
        attempts.append(threading.get_ident())
        raise ConnectionRefusedError("broker is down")

    monkeypatch.setattr(Connection, "_establish_connection", trap)
    monkeypatch.setattr(Connection, "connect", trap)
    # When the citizen submits
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(_url(cast), intake_data())
    # Then the request succeeded without any broker connection from its thread
    assert response.status_code == 302
    assert request_thread not in attempts
    message = OutboxMessage.objects.get(task="suggestions.tasks.notify_new_suggestion")
    assert message.done_at is None
    assert len(callbacks) == 2  # the hand-offs (notice, points) wait for the commit
    # And the outbox delivers the notice to the deputy exactly once
    # (the notice lands in the deputy's inbox and queues the e-mail, which then goes out;
    # the deputy's points are recomputed beside it)
    assert outbox.run_pending() == 2
    assert outbox.run_pending() == 1
    assert outbox.run_pending() == 0
    assert (
        Notification.objects.filter(recipient=cast.deputy.user, kind="suggestion_new").count() == 1
    )
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["mazhigang@example.cn"]
    assert Suggestion.objects.get().display_code in mail.outbox[0].subject


def test_staff_pages_are_not_public(client, world):
    suggestion, _ = services.suggestion_submit(
        channel="qr", category="roads", content="路面塌陷需要修补", deputy=world.deputy
    )
    response = client.get(reverse("suggestions:detail", args=[suggestion.pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_back_to_the_form_and_submit_again_gives_the_first_receipt(client, world):
    """A fresh form (a new token) with the very same answers from the browser that sent
    them is a repeat; any answer changed makes it another suggestion."""
    first = client.post(_url(world), intake_data(photos=[photo_upload()]))
    again = client.post(_url(world), intake_data(token="b" * 32, photos=[photo_upload()]))
    assert again.status_code == 302 and again["Location"] == first["Location"]
    assert Suggestion.objects.count() == 1
    assert OutboxMessage.objects.filter(task="suggestions.tasks.notify_new_suggestion").count() == 1
    changes = [
        {"content": "路灯坏了一个月了。"},
        {"place": "西街社区5号楼"},  # the same words about another place
        {"category": "other"},
        {"contact_name": "李大妈", "contact_phone": "13900002222"},
        {"photos": []},
    ]
    for n, change in enumerate(changes):
        token = f"tok_change{n}" + "c" * 20
        data = intake_data(token=token, photos=[photo_upload()])
        data.update(change)
        other = client.post(_url(world), data)
        assert other.status_code == 302 and other["Location"] != first["Location"], change
    assert Suggestion.objects.count() == 1 + len(changes)


def test_a_suggestion_only_followed_here_is_never_taken_for_a_repeat(client, world):
    """Tracking someone's suggestion (code + phone digits) puts it in this browser's list;
    sending the same words afterwards still makes a suggestion of one's own."""
    from django.test import Client

    Client().post(_url(world), intake_data())
    theirs = Suggestion.objects.get()
    tracked = client.post(
        reverse("public_suggestions:track"), {"code": theirs.tracking_code, "phone_last4": "5678"}
    )
    assert tracked.status_code == 302
    mine = client.post(_url(world), intake_data(token="e" * 32))
    assert mine["Location"] != reverse("public_suggestions:receipt", args=[theirs.submission_token])
    assert Suggestion.objects.count() == 2


def test_the_same_words_from_another_browser_are_another_suggestion(client, world):
    from django.test import Client

    client.post(_url(world), intake_data())
    neighbour = Client().post(_url(world), intake_data(token="d" * 32))
    assert neighbour.status_code == 302
    assert Suggestion.objects.count() == 2


def test_a_submission_that_fails_after_storing_photos_leaves_no_files(
    world, settings, tmp_path, monkeypatch
):
    """The rows roll back, and the photo files written for them are removed too."""
    settings.MEDIA_ROOT = tmp_path

    def audit_fails(**kwargs):
        raise RuntimeError("audit store unavailable")

    with monkeypatch.context() as patched, pytest.raises(RuntimeError):
        patched.setattr(intake, "audit_record", audit_fails)
        services.suggestion_submit(
            channel="qr",
            category="water",
            content="停水三天了。",
            deputy=world.deputy,
            photos=[photo_upload("a.jpg"), photo_upload("b.jpg")],
        )
    assert not Suggestion.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []
    # The same photos go through once nothing fails, and their files stay.
    suggestion, created = services.suggestion_submit(
        channel="qr",
        category="water",
        content="停水三天了。",
        deputy=world.deputy,
        photos=[photo_upload("a.jpg")],
    )
    assert created and len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1


def test_a_location_the_phone_gave_is_kept_and_a_bad_one_refused(client, world):
    url = reverse("public_suggestions:new_for_deputy", args=[world.deputy.public_token])
    client.get(url)
    response = client.post(url, intake_data(latitude="37.553012", longitude="112.153400"))
    assert response.status_code == 302
    suggestion = Suggestion.objects.get()
    assert str(suggestion.latitude) == "37.553012" and str(suggestion.longitude) == "112.153400"
    refused = client.post(url, intake_data(token="tok_" + "b" * 28, latitude="91", longitude="0"))
    assert refused.status_code == 400 and Suggestion.objects.count() == 1
