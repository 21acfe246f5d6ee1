"""Headers for pages with personal data (issue 13, point 8).

Every kind of page answers with a Content-Security-Policy that allows the portal's own
origin only (django-csp): a public page, a signed-in page, a private file, the API,
the admin. Everything answered to a signed-in user, every private file and a citizen's
own token-keyed pages are `Cache-Control: no-store`. The templates keep no inline
script, event handler or style attribute, which the policy would block.
"""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from suggestions import services
from tests import factories as f

ROOT = Path(settings.BASE_DIR)
# Rendered to PDF by WeasyPrint, never served to a browser: their <style> is fine.
PDF_TEMPLATES = {
    "public/templates/public/placards/document.html",
    "supervision/templates/supervision/letter.html",
    "legislation/templates/legislation/_poster.html",
    "legislation/templates/legislation/summary_document.html",
    "livelihood/templates/livelihood/_poster.html",
    "livelihood/templates/livelihood/notice.html",
}


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_own_origin_only(response):
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no CDN
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    every_source = {value for values in policy.values() for value in values}
    assert every_source <= {"'self'", "'none'", "data:"}, every_source


def assert_no_store(response):
    cache = response["Cache-Control"]
    assert "no-store" in cache and "private" in cache, cache
    assert "public" not in cache and "max-age=0" in cache, cache


def _jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 50), "red").save(buffer, "JPEG")
    return SimpleUploadedFile("face.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_a_public_page_has_the_policy(client, world):
    for url in (
        reverse("public_suggestions:new_for_deputy", args=[world.deputy.public_token]),
        reverse("accounts:login"),
        reverse("public_suggestions:track"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_own_origin_only(response)


def test_a_citizens_own_tracking_pages_are_not_stored(client, world):
    suggestion, _ = services.suggestion_submit(
        channel="qr",
        category="water",
        content="西街停水三天了。",
        deputy=world.deputy,
        submission_token="tok_" + "h" * 28,
    )
    response = client.get(reverse("public_suggestions:receipt", args=[suggestion.submission_token]))
    assert response.status_code == 200
    assert_own_origin_only(response)
    assert_no_store(response)
    detail = client.get(reverse("public_suggestions:track_detail", args=[suggestion.tracking_code]))
    assert detail.status_code == 200
    assert_no_store(detail)


def test_a_signed_in_page_is_not_stored(client, world):
    client.force_login(world.county_officer)
    for url in (reverse("accounts:home"), "/stations/", f"/stations/{world.station.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_own_origin_only(response)
        assert_no_store(response)


def test_a_private_file_is_not_stored(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world.deputy.photo = _jpeg()
    world.deputy.save()
    client.force_login(world.county_officer)
    response = client.get(reverse("deputies:photo", args=[world.deputy.pk]))
    assert response.status_code == 200
    assert_own_origin_only(response)
    assert_no_store(response)


def test_the_api_is_not_stored(client, world):
    client.force_login(world.county_officer)
    for url in ("/api/stations/", f"/api/stations/{world.station.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_own_origin_only(response)
        assert_no_store(response)
    # The API documentation runs no inline script (the split Swagger view); Swagger UI
    # adds a <style> of its own, so that page alone may apply inline styles.
    docs = client.get("/api/docs/")
    assert_no_store(docs)
    policy = _policy(docs)
    assert policy["script-src"] == ["'self'"] and policy["default-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", docs.content.decode())


def test_the_admin_is_not_stored(client, world):
    admin = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    for url in ("/django-admin/", "/django-admin/password_change/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_own_origin_only(response)
        assert_no_store(response)


def _browser_templates():
    for path in sorted(ROOT.glob("*/templates/**/*.html")):
        relative = path.relative_to(ROOT).as_posix()
        if relative.startswith((".venv/", "node_modules/")) or relative in PDF_TEMPLATES:
            continue
        yield relative, path.read_text()


@pytest.mark.parametrize(
    "pattern, what",
    [
        (r"<script(?![^>]*\bsrc=)[^>]*>", "an inline <script>"),
        (r"\son[a-z]+\s*=", "an inline event handler (onclick= …)"),
        (r"\sstyle\s*=", "a style attribute"),
        (r"<style", "a <style> element"),
        (r"javascript:", "a javascript: URL"),
    ],
)
def test_templates_keep_nothing_inline_the_policy_would_block(pattern, what):
    found = [
        relative
        for relative, text in _browser_templates()
        if re.search(pattern, text, flags=re.IGNORECASE)
    ]
    assert len(list(_browser_templates())) > 100
    assert not found, f"{what} in {found}"
