import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from core import outbox
from core.sms import HttpJsonSmsBackend, SmsError
from notifications.models import Delivery, Notification, Preference
from notifications.services import deliver, notify, retry_due_deliveries, sms_to_citizen


@pytest.fixture
def officer(world):
    world.county_officer.email = "officer@example.gov.cn"
    world.county_officer.phone = "13900001111"
    world.county_officer.save()
    return world.county_officer


def test_notification_lands_in_the_inbox_and_is_emailed_once(officer, settings):
    with transaction.atomic():
        notify(recipients=[officer], kind="assigned", title="新交办事项", body="请签收", link="/x/")

    assert Notification.objects.filter(recipient=officer, read_at=None).count() == 1
    assert mail.outbox == []  # nothing is sent inside the request
    outbox.run_pending()
    outbox.run_pending()

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["officer@example.gov.cn"]
    assert "请签收" in mail.outbox[0].body
    assert Delivery.objects.get().status == Delivery.Status.SENT


def test_preferences_choose_the_channels(officer, settings):
    Preference.objects.create(user=officer, by_email=False, by_sms=True)

    notify(recipients=[officer], kind="assigned", title="新交办事项")

    assert list(Delivery.objects.values_list("channel", "address")) == [("sms", "13900001111")]


def test_inactive_users_get_nothing(world):
    world.county_officer.is_active = False
    world.county_officer.save()

    assert notify(recipients=[world.county_officer], kind="k", title="t") == []


class FlakySms:
    failures = 0

    def send(self, phone, text):
        if FlakySms.failures:
            FlakySms.failures -= 1
            raise ConnectionError("gateway down")


def test_a_failed_sms_is_kept_with_its_error_and_retried_after_backoff(world, settings):
    settings.SMS_BACKEND = "tests.notifications.test_notifications.FlakySms"
    FlakySms.failures = 1
    sms_to_citizen(phone="13812345678", text="您反映的问题已答复", region_path=world.county.path)

    outbox.run_pending()
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.FAILED
    assert "gateway down" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now()

    assert retry_due_deliveries() == 0  # not due yet
    Delivery.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    assert retry_due_deliveries() == 1
    assert retry_due_deliveries() == 0  # claimed: a second sweep does not queue it again
    outbox.run_pending()

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (Delivery.Status.SENT, 2)


def test_delivery_gives_up_after_the_maximum_attempts(world, settings):
    settings.SMS_BACKEND = "tests.notifications.test_notifications.FlakySms"
    settings.NOTIFICATION_MAX_ATTEMPTS = 2
    FlakySms.failures = 5
    delivery = sms_to_citizen(phone="13812345678", text="t", region_path=world.county.path)

    deliver(delivery_ids=[delivery.pk])
    deliver(delivery_ids=[delivery.pk])

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.GAVE_UP
    assert delivery.next_attempt_at is None


def test_failed_deliveries_page_shows_the_error_to_region_admins(client, world, settings):
    settings.SMS_BACKEND = "tests.notifications.test_notifications.FlakySms"
    FlakySms.failures = 1
    sms_to_citizen(phone="13812345678", text="t", region_path=world.county.path)
    sms_to_citizen(phone="13700000000", text="t", region_path=world.neighbour.path)
    FlakySms.failures = 2
    outbox.run_pending()

    client.force_login(world.county_officer)
    assert client.get(reverse("notifications:failed")).status_code == 403
    from accounts.models import Role, RoleAssignment

    RoleAssignment.objects.create(user=world.outsider, role=Role.SYSADMIN, region=world.neighbour)
    client.force_login(world.outsider)
    body = client.get(reverse("notifications:failed")).content.decode()

    assert "137****0000" in body and "gateway down" in body
    assert "138****5678" not in body


def test_inbox_shows_unread_count_and_marks_read(client, officer):
    notify(recipients=[officer], kind="k", title="第一条")
    notify(recipients=[officer], kind="k", title="第二条")
    client.force_login(officer)

    home = client.get(reverse("accounts:home")).content.decode()
    assert '<span class="count">2</span>' in home
    client.post(reverse("notifications:mark_read"))

    assert not Notification.objects.filter(read_at=None).exists()


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, officer):
    (notification,) = notify(recipients=[officer], kind="k", title="t", link="/regions/")
    client.force_login(officer)

    response = client.get(reverse("notifications:open", args=[notification.pk]))

    assert response.status_code == 302 and response.url == "/regions/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_nobody_reads_anothers_notifications(client, officer, world):
    (notification,) = notify(recipients=[officer], kind="k", title="只给本人")
    client.force_login(world.township_officer)

    assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404
    assert "只给本人" not in client.get(reverse("notifications:inbox")).content.decode()


def test_preferences_page_saves(client, officer):
    client.force_login(officer)

    client.post(reverse("notifications:preferences"), {"by_sms": "on"})

    preference = Preference.objects.get(user=officer)
    assert (preference.by_email, preference.by_sms) == (False, True)


class Gateway(BaseHTTPRequestHandler):
    answer = b'{"code": 0}'
    received = []

    def do_POST(self):
        length = int(self.headers["Content-Length"])
        Gateway.received.append(
            (self.headers["Authorization"], json.loads(self.rfile.read(length)))
        )
        self.send_response(200)
        self.end_headers()
        self.wfile.write(Gateway.answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_API_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_API_KEY = "secret-key"
    Gateway.received = []
    yield Gateway
    server.shutdown()


def test_http_sms_adapter_posts_json_with_the_key(gateway):
    Gateway.answer = b'{"code": 0}'

    HttpJsonSmsBackend().send("13812345678", "您好")

    assert gateway.received == [
        ("Bearer secret-key", {"phone": "13812345678", "content": "您好", "sign": "连心桥"})
    ]


def test_http_sms_adapter_raises_when_the_gateway_refuses(gateway):
    Gateway.answer = b'{"code": 40001, "msg": "bad sign"}'

    with pytest.raises(SmsError, match="bad sign"):
        HttpJsonSmsBackend().send("13812345678", "您好")
