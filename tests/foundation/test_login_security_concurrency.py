"""A recovery code sent twice at once (a double click, two tabs) signs in once."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


def test_one_recovery_code_sent_twice_at_once_signs_in_once(world):
    if connection.vendor != "postgresql":
        pytest.skip("the in-memory SQLite test database locks whole tables between threads")
    device = StaticDevice.objects.create(user=world.county_officer, name="codes", confirmed=True)
    StaticToken.objects.create(device=device, token="race2345")
    browsers = [Client() for _ in range(2)]
    for browser in browsers:
        browser.post(
            reverse("accounts:login"), {"username": "county_officer", "password": PASSWORD}
        )
    barrier = threading.Barrier(2)
    answers, errors = [], []

    def submit(browser):
        try:
            barrier.wait()
            response = browser.post(reverse("accounts:login_verify"), {"token": "race2345"})
            answers.append(response.status_code)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(b,)) for b in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert answers.count(302) == 1, (answers, errors)
    assert sum("_auth_user_id" in b.session for b in browsers) == 1
    assert not StaticToken.objects.filter(token="race2345").exists()
