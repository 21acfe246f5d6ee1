"""400/403/404/500 answer with Chinese pages in the portal's layout, never Django's
debug pages (issue 12, point 7); the demo runs with DEBUG off unless asked."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

LAYOUT = ('class="site-header"', "连心桥 · 人大代表联络站平台", "返回首页")


def _assert_portal_page(response, status: int, heading: str) -> str:
    assert response.status_code == status
    html = response.content.decode()
    assert f'<h1 id="error-title">{heading}</h1>' in html
    for piece in LAYOUT:
        assert piece in html
    assert "Traceback" not in html and "URLconf" not in html and "Django" not in html
    return html


def test_404_page(client, world):
    client.force_login(world.county_officer)
    response = client.get("/no-such-page/")
    html = _assert_portal_page(response, 404, "页面不存在")
    assert "static/vendor/pico/pico.min.css" in html  # the layout's own styles


def test_403_page(client, world):
    client.force_login(world.leader)
    _assert_portal_page(client.post(reverse("stations:import_confirm")), 403, "没有权限")


def test_403_page_for_a_stale_form():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "x", "password": "y"})
    _assert_portal_page(response, 403, "页面已过期")


def test_400_page(client):
    _assert_portal_page(client.get("/", HTTP_HOST="not-allowed.example"), 400, "请求有误")


@pytest.mark.urls("tests.foundation.error_urls")
def test_500_page():
    client = Client(raise_request_exception=False)
    _assert_portal_page(client.get("/__crash__/"), 500, "系统出错")


def test_the_demo_runs_with_debug_off_unless_asked(tmp_path):
    def debug(**env) -> str:
        clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "LIANXIN_ENV"}}
        clean.update(LIANXIN_VAR_DIR=str(tmp_path), **env)
        code = (
            "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
        )
        clean["DJANGO_SETTINGS_MODULE"] = "congress_portal.settings"
        out = subprocess.run(
            [sys.executable, "-c", code],
            cwd=settings.BASE_DIR,
            env=clean,
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.strip()

    assert debug() == "False"
    assert debug(DEBUG="true") == "True"


def test_static_files_are_served_with_debug_off(client):
    assert settings.DEBUG is False
    response = client.get("/static/css/portal.css")
    assert response.status_code == 200
    assert b".error-page" in b"".join(response.streaming_content)


def test_error_pages_follow_the_chosen_language(client, world):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(world.county_officer)
    html = client.get("/no-such-page/").content.decode()
    assert "Page not found" in html and "页面不存在" not in html
