"""Production configuration, client addresses, the outbox and the demo world."""

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import transaction

from core.models import OutboxMessage
from core.net import client_ip

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "LIANXIN_ENV": "production",
    "SECRET_KEY": "k3y-Fz9!q2WmLp7Rt0vXa8Nc4Hd6Ue1Yb5Gs-Jo3Qi9Ke2Tw7Lr4Mn8Px1Zv6Cy0",
    "ALLOWED_HOSTS": "lianxin.example.gov.cn",
    "DATABASE_URL": "sqlite:////tmp/lianxin-check.sqlite3",
    "PATH": os.environ["PATH"],
}


def run_manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def test_check_deploy_passes_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_refuses_to_start_without_secrets(missing):
    env = {key: value for key, value in PRODUCTION_ENV.items() if key != missing}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert missing in result.stderr


def request_with(**meta):
    return SimpleNamespace(META=meta)


def test_client_ip_without_proxy_is_the_socket_address(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request_with(REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.1.1.1")) == (
        "203.0.113.9"
    )


def test_client_ip_of_a_request_that_bypassed_the_proxy_is_its_socket(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request_with(REMOTE_ADDR="203.0.113.9")) == "203.0.113.9"


def test_client_ip_behind_one_proxy_takes_the_address_it_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    spoofed = request_with(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4")
    assert client_ip(spoofed) == "198.51.100.4"


@pytest.mark.parametrize(
    "meta",
    [{}, {"REMOTE_ADDR": ""}, {"REMOTE_ADDR": "not-an-ip"}, {"HTTP_X_FORWARDED_FOR": ", ,"}],
)
def test_client_ip_never_crashes_on_missing_or_bad_addresses(settings, meta):
    for proxies in (0, 1):
        settings.TRUSTED_PROXY_COUNT = proxies
        assert client_ip(request_with(**meta)) is None


calls = []


def record_call(**kwargs):
    calls.append(kwargs)


def test_outbox_work_is_committed_with_the_data_and_runs_once(db):
    from core import outbox

    calls.clear()
    with transaction.atomic():
        message = outbox.enqueue("tests.foundation.test_platform.record_call", n=1)

    assert outbox.run(message.pk) is True
    assert outbox.run(message.pk) is False  # delivered twice, done once
    assert calls == [{"n": 1}]
    assert OutboxMessage.objects.get(pk=message.pk).done_at is not None


def test_outbox_rolls_back_with_the_transaction(db):
    from core import outbox

    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue("tests.foundation.test_platform.record_call", n=2)
        raise RuntimeError("the request failed")

    assert not OutboxMessage.objects.exists()


def test_failed_work_stays_pending_with_its_error(db):
    from core import outbox

    message = outbox.enqueue("tests.foundation.test_platform.no_such_function")

    with pytest.raises(ImportError):
        outbox.run(message.pk)
    outbox.record_failure(message.pk, ImportError("no_such_function"))

    message.refresh_from_db()
    assert message.done_at is None
    assert "no_such_function" in message.last_error


flaky_failures = []


def flaky(**kwargs):
    """Fails as long as `flaky_failures` holds errors to raise, then works."""
    if flaky_failures:
        raise flaky_failures.pop(0)
    calls.append(kwargs)


def test_the_worker_records_a_failure_and_retries_with_backoff(db, monkeypatch):
    """The worker's retry branch (core.tasks.run_outbox_message): the failed attempt is
    counted with its error, the message stays pending, the retry waits 30 s doubling per
    attempt up to an hour, and the retried run does the work once."""
    from celery.exceptions import Retry

    from core import outbox
    from core.tasks import run_outbox_message

    calls.clear()
    flaky_failures[:] = [ConnectionError("smtp down"), ConnectionError("smtp still down")]
    message = outbox.enqueue("tests.foundation.test_platform.flaky", n=7)
    asked = []

    def retry(*, exc, countdown):
        asked.append((str(exc), countdown))
        return Retry(exc=exc, when=countdown)

    monkeypatch.setattr(run_outbox_message, "retry", retry)
    for retries, countdown in ((0, 30), (3, 240)):
        run_outbox_message.push_request(retries=retries)
        try:
            with pytest.raises(Retry):
                run_outbox_message(message.pk)
        finally:
            run_outbox_message.pop_request()
        message.refresh_from_db()
        assert message.done_at is None
        assert asked[-1][1] == countdown
    assert [error for error, _ in asked] == ["smtp down", "smtp still down"]
    assert message.attempts == 2 and "smtp still down" in message.last_error
    # Far into the retries the wait stops growing at an hour.
    run_outbox_message.push_request(retries=8)
    flaky_failures[:] = [ConnectionError("again")]
    try:
        with pytest.raises(Retry):
            run_outbox_message(message.pk)
    finally:
        run_outbox_message.pop_request()
    assert asked[-1][1] == 3600
    # The next attempt works: done once, the work ran once.
    run_outbox_message(message.pk)
    run_outbox_message(message.pk)
    message.refresh_from_db()
    assert message.done_at is not None and message.attempts == 4
    assert calls == [{"n": 7}]


def test_seed_demo_builds_the_city_once(db):
    from accounts.models import User
    from regions.models import Region

    call_command("seed_demo")
    counts = (Region.objects.count(), User.objects.count())
    call_command("seed_demo")

    assert counts == (Region.objects.count(), User.objects.count())
    assert Region.objects.get(code="141122100").name == "天宁镇"
    for username in (
        "lvliang",
        "jiaocheng",
        "tianning",
        "tianning_station",
        "deputy_demo",
        "water_clerk",
        "leader_city",
        "lvliang_admin",
    ):
        assert User.objects.get(username=username).role_assignments.exists(), username


def test_uploaded_files_are_never_served_as_is(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "deputies" / "photos").mkdir(parents=True)
    (tmp_path / "deputies" / "photos" / "a.jpg").write_text("photo")
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "export.xlsx").write_text("ledger")

    assert client.get("/media/deputies/photos/a.jpg").status_code == 404
    assert client.get("/media/jobs/export.xlsx").status_code == 404
