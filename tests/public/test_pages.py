import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import NoReverseMatch, reverse
from PIL import Image

from deputies.models import Deputy, StationMembership
from stations.models import Station


@pytest.fixture
def deputy(world):
    deputy = world.deputy
    deputy.work_unit = "天宁镇西街社区"
    deputy.position = "党支部书记"
    deputy.phone = "13812345678"
    deputy.commitment = "倾听群众呼声，件件有回音。"
    deputy.save()
    StationMembership.objects.create(
        deputy=deputy, station=world.station, start_date=datetime.date(2024, 1, 1)
    )
    return deputy


def _page(client, deputy):
    return client.get(reverse("public:deputy", args=[deputy.public_token]))


def _intake_url(name, token):
    try:
        return reverse(name, args=[token])
    except NoReverseMatch:
        return None


def test_anonymous_visitor_sees_the_deputys_public_facts(client, deputy):
    response = _page(client, deputy)

    assert response.status_code == 200
    html = response.content.decode()
    for text in ("马志刚", "县区人大代表", "天宁镇西街社区", "党支部书记", "倾听群众呼声"):
        assert text in html
    assert "天宁镇人大代表联络站" in html
    assert 'class="public"' in html
    assert "noindex" in html


def test_private_phone_is_not_shown_at_all_unless_the_deputy_made_it_public(client, deputy):
    private = _page(client, deputy).content.decode()
    assert "13812345678" not in private
    assert "138****5678" not in private and "5678" not in private
    assert "不公开，请通过联络站联系" in private

    deputy.phone_public = True
    deputy.save(update_fields=["phone_public"])
    shown = _page(client, deputy).content.decode()
    assert 'href="tel:13812345678"' in shown


def test_raise_button_leads_to_the_intake_form_when_it_exists(client, deputy):
    html = _page(client, deputy).content.decode()

    intake = _intake_url("public_suggestions:new_for_deputy", deputy.public_token)
    if intake is None:
        assert "我要反映问题" not in html
    else:
        assert f'href="{intake}"' in html
        assert "我要反映问题" in html


def test_ended_membership_is_not_listed(client, deputy, world):
    StationMembership.objects.filter(deputy=deputy).update(end_date=datetime.date(2024, 6, 1))

    html = _page(client, deputy).content.decode()

    assert "天宁镇人大代表联络站" not in html


@pytest.mark.parametrize("status", [Deputy.Status.TERMINATED, Deputy.Status.SUSPENDED])
def test_deputy_out_of_office_gets_a_calm_not_available_page(client, deputy, status):
    deputy.status = status
    deputy.save(update_fields=["status"])

    response = _page(client, deputy)

    assert response.status_code == 404
    html = response.content.decode()
    assert "该页面暂不可用" in html
    assert "马志刚" not in html


def test_unknown_code_looks_like_a_closed_one(client, world):
    response = client.get(reverse("public:deputy", args=["never-issued-token"]))

    assert response.status_code == 404
    assert "该页面暂不可用" in response.content.decode()


def test_station_page_shows_address_hours_deputies_and_code(client, deputy, world):
    station = world.station
    station.address = "交城县天宁镇政府院内"
    station.opening_hours = "工作日 8:30-12:00"
    station.phone = "0358-5622001"
    station.save()

    response = client.get(reverse("public:station", args=[station.public_token]))

    assert response.status_code == 200
    html = response.content.decode()
    for text in ("交城县天宁镇政府院内", "工作日 8:30-12:00", "tel:0358-5622001"):
        assert text in html
    assert reverse("public:deputy", args=[deputy.public_token]) in html
    assert "王秀英" not in html  # not grouped into this station
    assert reverse("public:station_qr_png", args=[station.public_token]) in html
    intake = _intake_url("public_suggestions:new_for_station", station.public_token)
    assert (intake is None) or (f'href="{intake}"' in html)


def test_station_page_leaves_out_deputies_out_of_office(client, deputy, world):
    deputy.status = Deputy.Status.TERMINATED
    deputy.save(update_fields=["status"])

    html = client.get(reverse("public:station", args=[world.station.public_token])).content

    assert "马志刚" not in html.decode()


def test_suspended_station_is_not_available(client, world):
    world.station.status = Station.Status.SUSPENDED
    world.station.save(update_fields=["status"])

    response = client.get(reverse("public:station", args=[world.station.public_token]))

    assert response.status_code == 404
    assert "天宁镇人大代表联络站" not in response.content.decode()


def test_upcoming_reception_days_are_listed_with_moved_days_explained(
    client, deputy, world, monkeypatch
):
    from receptions import selectors as receptions

    class Day:
        date = datetime.date(2026, 10, 8)
        start_time = datetime.time(9, 0)
        end_time = datetime.time(11, 30)
        station = world.station
        deputies = [deputy]
        moved_from = datetime.date(2026, 10, 5)

    monkeypatch.setattr(receptions, "upcoming_duty_days_for_deputy", lambda d, *, limit: [Day()])
    monkeypatch.setattr(receptions, "upcoming_reception_days", lambda s, *, limit: [Day()])

    deputy_html = _page(client, deputy).content.decode()
    station_html = client.get(reverse("public:station", args=[world.station.public_token]))

    assert "10月8日" in deputy_html
    assert "09:00–11:30" in deputy_html
    assert "原定10月5日，因节假日顺延" in deputy_html
    assert "接待代表：马志刚" in station_html.content.decode()


def test_no_upcoming_days_says_so_calmly(client, deputy, monkeypatch):
    from receptions import selectors as receptions

    monkeypatch.setattr(receptions, "upcoming_duty_days_for_deputy", lambda d, *, limit: [])

    assert "近期暂无接待安排" in _page(client, deputy).content.decode()


def _jpeg(width, height) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (180, 35, 42)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_photo_is_served_as_a_small_thumbnail(client, deputy):
    deputy.photo = SimpleUploadedFile("ma.jpg", _jpeg(2400, 3200), content_type="image/jpeg")
    deputy.save()

    html = _page(client, deputy).content.decode()
    photo_url = reverse("public:deputy_photo", args=[deputy.public_token])
    assert photo_url in html

    response = client.get(photo_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    thumbnail = Image.open(io.BytesIO(response.content))
    assert thumbnail.size == (300, 400)
    assert len(response.content) < 30_000


def test_deputy_without_photo_gets_an_initial_avatar(client, deputy):
    html = _page(client, deputy).content.decode()

    assert "person-initial" in html
    photo = client.get(reverse("public:deputy_photo", args=[deputy.public_token]))
    assert photo.status_code == 404


def test_public_pages_need_no_script_of_their_own(client, deputy, world):
    html = _page(client, deputy).content.decode()

    # Only static files (htmx, the portal's handlers, the text-size setting): no inline
    # script, so the page works under the CSP and without JavaScript.
    scripts = re.findall(r"<script[^>]*>", html)
    assert scripts and all('src="/static/' in tag for tag in scripts)
    assert "onclick" not in html


def test_station_page_costs_the_same_with_many_deputies(
    client, world, django_assert_max_num_queries
):
    from tests import factories as f

    def add(first, last):
        for index in range(first, last):
            member = f.DeputyFactory(name=f"代表{index}", region=world.township)
            StationMembership.objects.create(
                deputy=member, station=world.station, start_date=datetime.date(2024, 1, 1)
            )

    url = reverse("public:station", args=[world.station.public_token])
    add(0, 3)
    with django_assert_max_num_queries(15) as small:
        response = client.get(url)
    assert response.content.decode().count('class="deputy-name"') == 3

    add(3, 30)  # ten times the deputies: the same count or fewer
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(url)
    assert response.content.decode().count('class="deputy-name"') == 30
