"""The rough edges found when the portal was tried as a new user would (issue 19.4)."""

from __future__ import annotations

import datetime
import io
import zoneinfo

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from audit.services import audit_record
from core import clock as core_clock
from suggestions import services
from suggestions.models import Suggestion, SuggestionPhoto

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


def _submit(world, content="西街社区3号楼停水三天了，一直没人来修。", phone="13812345678"):
    suggestion, _created = services.suggestion_submit(
        channel="qr",
        category="water",
        content=content,
        deputy=world.deputy,
        contact_name="张大爷",
        contact_phone=phone,
    )
    return suggestion


def test_the_language_menu_names_english_in_english(client, world):
    page = client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'lang="en">English</option>' in page
    assert "英语" not in page
    assert "简体中文" in page


def test_sort_options_are_chinese_on_the_deputy_and_station_lists(client, world):
    client.force_login(world.county_officer)
    deputies = client.get(reverse("deputies:list")).content.decode()
    stations = client.get(reverse("stations:list")).content.decode()
    for page in (deputies, stations):
        assert "descending" not in page
        assert "按区划（降序）" in page
    assert "按姓名（降序）" in deputies
    assert "按代表人数" in stations and ">Deputies<" not in stations


def test_change_logs_show_form_labels_and_choice_names(client, world):
    audit_record(
        actor=world.county_officer,
        action="update",
        obj=world.point,
        changes={"kind": [None, "village_point"], "is_legislative_point": [None, False]},
    )
    client.force_login(world.county_officer)
    page = client.get(reverse("stations:detail", args=[world.point.pk])).content.decode()
    history = page[page.index("变更记录") :]
    assert "village_point" not in history and "is_legislative_point" not in history
    assert "同时为基层立法联系点" in history and "否" in history
    assert str(world.point.get_kind_display()) in history


def test_the_deputy_and_station_public_pages_link_to_tracking(client, world):
    track = reverse("public_suggestions:track")
    deputy_page = client.get(reverse("public:deputy", args=[world.deputy.public_token]))
    station_page = client.get(reverse("public:station", args=[world.station.public_token]))
    for response in (deputy_page, station_page):
        assert response.status_code == 200
        assert f'href="{track}"' in response.content.decode()


def _jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    return SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_the_tracking_page_shows_the_citizens_own_text_and_photos(
    client, world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    mine = _submit(world, content="我家楼道的路灯坏了两个月。")
    photo = SuggestionPhoto.objects.create(suggestion=mine, image=_jpeg())
    other = _submit(world, content="别人的事。", phone="13900001111")
    other_photo = SuggestionPhoto.objects.create(suggestion=other, image=_jpeg())
    response = client.post(
        reverse("public_suggestions:track"), {"code": mine.tracking_code, "phone_last4": "5678"}
    )
    page = client.get(response["Location"]).content.decode()
    assert "我家楼道的路灯坏了两个月。" in page
    own_url = reverse("public_suggestions:track_photo", args=[mine.tracking_code, photo.pk])
    assert own_url in page
    assert client.get(own_url).status_code == 200
    # Another suggestion's photo is not reachable with this proof, by either code.
    assert (
        client.get(
            reverse("public_suggestions:track_photo", args=[mine.tracking_code, other_photo.pk])
        ).status_code
        == 404
    )
    assert (
        client.get(
            reverse("public_suggestions:track_photo", args=[other.tracking_code, other_photo.pk])
        ).status_code
        == 404
    )


def test_the_dashboards_received_count_equals_its_drill_down_list(client, world, clock):
    def at(*args):
        return datetime.datetime(*args, tzinfo=BEIJING)

    with core_clock.frozen(at(2026, 3, 2, 10, 0)):
        survivor = _submit(world)
        duplicate = _submit(world, phone="13900002222")
        services.suggestion_merge(
            actor=world.county_officer, duplicate=duplicate, survivor=survivor
        )
    with core_clock.frozen(at(2026, 12, 31, 23, 30)):  # still 2026 in Beijing (15:30 UTC)
        _submit(world, phone="13900003333")
    with core_clock.frozen(at(2027, 1, 1, 0, 10)):  # 2027 in Beijing, 2026 in UTC
        _submit(world, phone="13900004444")
    clock(datetime.date(2027, 1, 5))
    client.force_login(world.county_officer)
    response = client.get(
        reverse("dashboards:region", args=[world.county.code]), {"period": "year", "year": "2026"}
    )
    dash, links = response.context["dash"], response.context["links"]
    assert dash.totals["received"] == 2
    listed = client.get(links["received"]).context["page"].paginator.count
    assert listed == dash.totals["received"]
    water = client.get(links["category_water"]).context["page"].paginator.count
    assert water == 2
    assert Suggestion.objects.count() == 4  # the merged one and 2027's exist, left out
