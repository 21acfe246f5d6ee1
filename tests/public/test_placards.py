import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from deputies.models import StationMembership
from tests.public.helpers import decode_qr, ink_ratio, pdf_font_names, pdf_pages


@pytest.fixture
def deputy(world):
    deputy = world.deputy
    deputy.work_unit = "天宁镇西街社区"
    deputy.position = "党支部书记"
    deputy.commitment = "倾听群众呼声，件件有回音。"
    buffer = io.BytesIO()
    Image.new("RGB", (600, 800), (90, 110, 140)).save(buffer, format="JPEG")
    deputy.photo = SimpleUploadedFile("ma.jpg", buffer.getvalue(), content_type="image/jpeg")
    deputy.save()
    StationMembership.objects.create(
        deputy=deputy, station=world.station, start_date=datetime.date(2024, 1, 1)
    )
    return deputy


def _assert_printable_placard(content: bytes, expected_url: str):
    assert content.startswith(b"%PDF")
    assert any("Noto-Sans-CJK" in name or "NotoSansCJK" in name for name in pdf_font_names(content))
    [page] = pdf_pages(content)
    # A5 at scale 2: 148 mm = 420 pt -> 840 px wide.
    assert page.width < page.height
    assert ink_ratio(page) > 0.08  # band, text, photo and code: clearly not blank
    assert decode_qr(page) == [expected_url]


def test_county_officer_downloads_a_deputy_placard(client, world, deputy):
    client.force_login(world.county_officer)

    response = client.get(reverse("placards:deputy", args=[deputy.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    _assert_printable_placard(
        response.content, f"https://lianxin.example.gov.cn/p/d/{deputy.public_token}/"
    )


def test_township_officer_downloads_a_station_placard(client, world):
    world.station.address = "交城县天宁镇政府院内"
    world.station.save()
    client.force_login(world.township_officer)

    response = client.get(reverse("placards:station", args=[world.station.pk]))

    assert response.status_code == 200
    _assert_printable_placard(
        response.content, f"https://lianxin.example.gov.cn/p/s/{world.station.public_token}/"
    )


def test_placard_of_another_county_is_not_found(client, world, deputy):
    client.force_login(world.outsider)

    assert client.get(reverse("placards:deputy", args=[deputy.pk])).status_code == 404
    assert client.get(reverse("placards:station", args=[world.station.pk])).status_code == 404


def test_placards_are_for_signed_in_staff_only(client, world, deputy):
    response = client.get(reverse("placards:deputy", args=[deputy.pk]))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize(
    ("url_name", "kind", "target"),
    [("deputies:detail", "deputy", "deputy"), ("stations:detail", "station", "station")],
)
def test_staff_detail_pages_carry_the_codes_panel(client, world, url_name, kind, target):
    obj = getattr(world, target)
    client.force_login(world.county_officer)

    html = client.get(reverse(url_name, args=[obj.pk])).content.decode()

    assert 'class="codes-panel"' in html
    assert reverse(f"public:{kind}_qr_png", args=[obj.public_token]) in html
    assert reverse(f"public:{kind}_qr_svg", args=[obj.public_token]) in html
    assert reverse(f"public:{kind}", args=[obj.public_token]) in html
    assert reverse(f"placards:{kind}", args=[obj.pk]) in html
