import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from public import qr
from tests.public.helpers import decode_qr_png


def _deputy_qr(client, deputy, fmt="png"):
    return client.get(reverse(f"public:deputy_qr_{fmt}", args=[deputy.public_token]))


@pytest.fixture
def render_calls(monkeypatch):
    """Count how often a code is actually drawn."""
    calls = []
    original = qr.render_qr

    def counting(url, fmt):
        calls.append((url, fmt))
        return original(url, fmt)

    monkeypatch.setattr(qr, "render_qr", counting)
    return calls


def test_deputy_png_code_carries_the_absolute_public_url(client, world):
    response = _deputy_qr(client, world.deputy)

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    expected = f"https://lianxin.example.gov.cn/p/d/{world.deputy.public_token}/"
    assert decode_qr_png(response.content) == [expected]


def test_station_png_code_carries_the_station_page_url(client, world):
    response = client.get(reverse("public:station_qr_png", args=[world.station.public_token]))

    expected = f"https://lianxin.example.gov.cn/p/s/{world.station.public_token}/"
    assert decode_qr_png(response.content) == [expected]


def test_svg_code_is_well_formed_xml(client, world):
    for response in (
        _deputy_qr(client, world.deputy, "svg"),
        client.get(reverse("public:station_qr_svg", args=[world.station.public_token])),
    ):
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml"
        root = ET.fromstring(response.content)
        assert root.tag.endswith("svg")


def test_code_uses_the_public_host_not_the_request_host(client, world, settings):
    settings.PUBLIC_BASE_URL = "https://daibiao.lvliang.gov.cn/"
    settings.ALLOWED_HOSTS = ["10.20.30.40"]  # staff reach the portal on the extranet

    response = client.get(
        reverse("public:deputy_qr_png", args=[world.deputy.public_token]),
        HTTP_HOST="10.20.30.40",
    )

    [url] = decode_qr_png(response.content)
    assert url.startswith("https://daibiao.lvliang.gov.cn/p/d/")
    assert "10.20.30.40" not in url


def test_second_request_serves_the_stored_code(client, world, render_calls):
    first = _deputy_qr(client, world.deputy)
    second = _deputy_qr(client, world.deputy)

    assert len(render_calls) == 1
    assert first.content == second.content
    assert "max-age" in second["Cache-Control"]


def test_code_is_drawn_again_when_the_public_host_changes(client, world, settings, render_calls):
    _deputy_qr(client, world.deputy)
    settings.PUBLIC_BASE_URL = "https://new-host.example.gov.cn"

    response = _deputy_qr(client, world.deputy)

    assert len(render_calls) == 2
    assert decode_qr_png(response.content)[0].startswith("https://new-host.example.gov.cn/p/d/")


def test_code_is_drawn_again_when_the_token_changes(client, world, render_calls):
    old_token = world.deputy.public_token
    _deputy_qr(client, world.deputy)
    world.deputy.public_token = "NewToken-issued-after-a-leak"
    world.deputy.save(update_fields=["public_token"])

    response = _deputy_qr(client, world.deputy)

    assert len(render_calls) == 2
    assert decode_qr_png(response.content) == [
        "https://lianxin.example.gov.cn/p/d/NewToken-issued-after-a-leak/"
    ]
    assert client.get(reverse("public:deputy_qr_png", args=[old_token])).status_code == 404


def test_png_and_svg_are_stored_separately(client, world, render_calls):
    _deputy_qr(client, world.deputy, "png")
    _deputy_qr(client, world.deputy, "svg")
    _deputy_qr(client, world.deputy, "svg")

    assert [fmt for _url, fmt in render_calls] == ["png", "svg"]


def test_unknown_token_has_no_code(client, world):
    response = client.get(reverse("public:deputy_qr_png", args=["no-such-token"]))

    assert response.status_code == 404


def test_download_link_saves_with_the_deputys_name(client, world):
    response = client.get(
        reverse("public:deputy_qr_svg", args=[world.deputy.public_token]), {"download": "1"}
    )

    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
