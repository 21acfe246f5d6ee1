"""Home visits, fixed contact households and station activities, through HTTP."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from audit.models import AuditRecord
from receptions.models import ActivityPhoto, ContactHousehold, StationActivity, Visit
from receptions.services import household_add
from suggestions.models import Suggestion

from .conftest import join

VISIT_NEW = reverse("receptions:visit_new")
ACTIVITY_NEW = reverse("receptions:activity_new")


@pytest.fixture
def households(world):
    join(world.deputy, world.station)
    return [
        household_add(
            actor=world.deputy_user,
            deputy=world.deputy,
            name=name,
            phone=phone,
            village="西街社区",
            address=address,
        )
        for name, phone, address in [
            ("李大妈", "13900001111", "西街12号"),
            ("王大爷", "13900002222", "西街15号"),
        ]
    ]


def visit_post(world, *, token="visit-token-0123456789", raised=(), **overrides):
    data = {
        "form_token": token,
        "deputy": str(world.deputy.pk),
        "date": "2026-04-02",
        "place": "",
        "notes": "",
        "raised-TOTAL_FORMS": str(max(len(raised), 1)),
        "raised-INITIAL_FORMS": "0",
        "raised-MIN_NUM_FORMS": "0",
        "raised-MAX_NUM_FORMS": "20",
    }
    for index, row in enumerate(raised):
        for key, value in row.items():
            data[f"raised-{index}-{key}"] = value
    data.update(overrides)
    return data


def test_deputy_adds_households_found_by_phone_in_the_county(client, world):
    client.force_login(world.deputy_user)
    url = reverse("receptions:household_new", args=[world.deputy.pk])
    data = {
        "name": "李大妈",
        "phone": "139 0000 1111",
        "village": "西街社区",
        "address": "西街12号",
    }
    assert client.post(url, data).status_code == 302
    household = ContactHousehold.objects.get()
    assert household.constituent.phone == "13900001111"
    assert household.constituent.region == world.county
    page = client.post(url, data)
    assert "该联系户已在名单中" in page.content.decode()
    assert ContactHousehold.objects.count() == 1


def test_household_list_masks_phones_and_offers_the_deputy_a_reveal(
    client, world, households, settings
):
    url = reverse("receptions:deputy_households", args=[world.deputy.pk])
    client.force_login(world.leader)
    text = client.get(url).content.decode()
    assert "139****1111" in text and "13900001111" not in text and "/reveal/" not in text
    client.force_login(world.deputy_user)
    text = client.get(url).content.decode()
    assert "139****1111" in text and "13900001111" not in text and "/reveal/" in text
    settings.PHONES_SHOWN_IN_FULL = ["deputy"]  # a region that lets deputies see them
    assert "13900001111" in client.get(url).content.decode()


def test_deputy_household_overview_redirects_to_own_list(client, world, households):
    client.force_login(world.deputy_user)
    response = client.get(reverse("receptions:household_list"))
    assert response["Location"] == reverse("receptions:deputy_households", args=[world.deputy.pk])


def test_deputy_logs_a_visit_and_its_matter_is_filed_under_the_household(client, world, households):
    client.force_login(world.deputy_user)
    data = visit_post(
        world,
        households=[str(households[0].pk)],
        raised=[{"category": "elderly_care", "content": "希望社区开办老年食堂。"}],
    )
    response = client.post(VISIT_NEW, data)
    visit = Visit.objects.get()
    assert response["Location"] == reverse("receptions:visit_detail", args=[visit.pk])
    suggestion = visit.suggestions.get()
    assert suggestion.channel == "visit" and suggestion.deputy == world.deputy
    assert suggestion.constituent == households[0].constituent
    assert suggestion.station == world.station
    client.post(VISIT_NEW, data)  # the retried POST
    assert Visit.objects.count() == 1 and Suggestion.objects.count() == 1


def test_a_visit_needs_households_or_a_place(client, world, households):
    client.force_login(world.deputy_user)
    page = client.post(VISIT_NEW, visit_post(world))
    assert "请选择走访的联系户，或填写走访地点" in page.content.decode()
    client.post(VISIT_NEW, visit_post(world, place="坡底社区"))
    assert Visit.objects.get().place == "坡底社区"


def test_deputy_cannot_log_another_deputys_visit(client, world, households):
    client.force_login(world.deputy_user)
    client.post(VISIT_NEW, visit_post(world, deputy=str(world.other_deputy.pk), place="x"))
    # The deputy field is fixed for a deputy: the posted one is ignored.
    assert not Visit.objects.filter(deputy=world.other_deputy).exists()


def test_visit_households_must_be_the_deputys_own(client, world, households):
    other = household_add(
        actor=world.county_officer, deputy=world.other_deputy, name="外户", phone="13900003333"
    )
    client.force_login(world.county_officer)
    data = visit_post(world, households=[str(other.pk)])
    page = client.post(VISIT_NEW, data)
    assert page.status_code == 200 and not Visit.objects.exists()


def test_station_officer_logs_a_visit_for_a_member_deputy(client, world, households):
    client.force_login(world.station_officer)
    data = visit_post(world, place="西街", raised=[{"category": "roads", "content": "路灯坏了。"}])
    assert client.post(VISIT_NEW, data).status_code == 302
    assert Visit.objects.get().suggestions.get().station == world.station


def test_visit_list_shows_only_visible_visits(client, world, households):
    client.force_login(world.deputy_user)
    client.post(VISIT_NEW, visit_post(world, place="西街"))
    client.force_login(world.outsider)
    assert "西街" not in client.get(reverse("receptions:visit_list")).content.decode()
    client.force_login(world.county_officer)
    assert "西街" in client.get(reverse("receptions:visit_list")).content.decode()


def test_visit_list_query_count_is_constant(
    client, world, households, django_assert_max_num_queries
):
    def visit(first, last):
        client.force_login(world.deputy_user)
        for index in range(first, last):
            client.post(
                VISIT_NEW,
                visit_post(world, token=f"v-token-{index:03d}-0123456789", place=f"地点{index}"),
            )
        client.force_login(world.county_officer)

    def household(first, last):
        for index in range(first, last):
            household_add(
                actor=world.deputy_user,
                deputy=world.deputy,
                name=f"住户{index}",
                phone=f"1390000{index:04d}",
                village="西街社区",
                address=f"西街{index}号",
            )

    visit(0, 2)
    client.get(reverse("receptions:visit_list"))  # the session's one-off costs
    with django_assert_max_num_queries(12) as visits:
        page = client.get(reverse("receptions:visit_list"))
    visit_queries = len(visits.captured_queries)  # now: a later request resets the log
    assert "地点1" in page.content.decode() and "地点7" not in page.content.decode()
    with django_assert_max_num_queries(12) as homes:
        page = client.get(reverse("receptions:household_list"))
    home_queries = len(homes.captured_queries)
    assert "住户" not in page.content.decode()

    visit(2, 8)  # more visits and households: the same counts or fewer
    household(0, 6)
    client.get(reverse("receptions:visit_list"))  # the new login's one-off costs again
    with django_assert_max_num_queries(visit_queries):
        page = client.get(reverse("receptions:visit_list"))
    assert "地点7" in page.content.decode()
    with django_assert_max_num_queries(home_queries):
        page = client.get(reverse("receptions:household_list"))
    assert "住户5" in page.content.decode()


# --- Station activities ---------------------------------------------------------------------


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def activity_post(world, **overrides):
    data = {
        "station": str(world.station.pk),
        "kind": "law_lecture",
        "title": "代表讲法律：民法典进社区",
        "date": "2026-05-10",
        "deputies": [str(world.deputy.pk)],
        "other_attendees": "县人大常委会副主任张某、群众30人",
        "notes": "",
    }
    data.update(overrides)
    return data


def test_station_officer_records_an_activity_with_photos(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    join(world.deputy, world.station)
    client.force_login(world.station_officer)
    photo = SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")
    response = client.post(ACTIVITY_NEW, {**activity_post(world), "photos": [photo]})
    activity = StationActivity.objects.get()
    assert response.status_code == 302
    assert list(activity.deputies.all()) == [world.deputy]
    stored = ActivityPhoto.objects.get()
    assert stored.image.name.startswith("activities/")
    assert (tmp_path / stored.image.name).exists()
    served = client.get(reverse("receptions:activity_photo", args=[stored.pk]))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    client.force_login(world.deputy_user)  # an attending deputy sees it
    assert client.get(reverse("receptions:activity_photo", args=[stored.pk])).status_code == 200
    client.force_login(world.outsider)
    assert client.get(reverse("receptions:activity_photo", args=[stored.pk])).status_code == 404
    assert AuditRecord.objects.filter(object_id=str(activity.pk), action="create").exists()


def test_activity_photos_are_not_served_from_media(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "activities").mkdir()
    (tmp_path / "activities" / "p.jpg").write_bytes(b"\xff\xd8")
    client.force_login(world.county_officer)
    assert client.get("/media/activities/p.jpg").status_code == 404


def test_a_file_that_is_not_an_image_is_refused(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.county_officer)
    fake = SimpleUploadedFile("a.png", b"not an image at all", content_type="image/png")
    page = client.post(ACTIVITY_NEW, {**activity_post(world, deputies=[]), "photos": [fake]})
    assert page.status_code == 200 and not StationActivity.objects.exists()


def test_deputy_and_leader_cannot_record_activities(client, world):
    join(world.deputy, world.station)
    for user in (world.deputy_user, world.leader):
        client.force_login(user)
        assert client.post(ACTIVITY_NEW, activity_post(world)).status_code == 403
    assert not StationActivity.objects.exists()


def test_activity_list_filters_by_kind_with_constant_queries(
    client, world, django_assert_max_num_queries
):
    def add(rounds, start):
        kinds = ["training", "law_lecture", "leader_day"] * rounds
        for index, kind in enumerate(kinds, start=start):
            client.post(
                ACTIVITY_NEW,
                activity_post(world, kind=kind, title=f"活动{index}", deputies=[]),
            )

    client.force_login(world.county_officer)
    add(1, 0)
    client.get(reverse("receptions:activity_list"))  # the session's one-off costs
    with django_assert_max_num_queries(12) as small:
        page = client.get(reverse("receptions:activity_list"), {"kind": "leader_day"})
    small_queries = len(small.captured_queries)  # now: a later request resets the log
    assert "活动2<" in page.content.decode() and "活动1<" not in page.content.decode()

    add(3, 3)  # three times the activities: the same count or fewer
    with django_assert_max_num_queries(small_queries):
        page = client.get(reverse("receptions:activity_list"), {"kind": "leader_day"})
    text = page.content.decode()
    assert text.count("领导干部进站") >= 3 and "活动1<" not in text and "活动11<" in text


def test_activity_edit_adds_a_photo_and_deletes_one(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(world.county_officer)
    client.post(ACTIVITY_NEW, activity_post(world, deputies=[]))
    activity = StationActivity.objects.get()
    url = reverse("receptions:activity_edit", args=[activity.pk])
    photo = SimpleUploadedFile("b.png", png_bytes(), content_type="image/png")
    client.post(url, {**activity_post(world, deputies=[], title="新标题"), "photos": [photo]})
    activity.refresh_from_db()
    assert activity.title == "新标题" and activity.photos.count() == 1
    stored = activity.photos.get()
    client.post(reverse("receptions:activity_photo_delete", args=[stored.pk]))
    assert not activity.photos.exists()


def test_visit_detail_and_edit(client, world, households):
    client.force_login(world.deputy_user)
    client.post(VISIT_NEW, visit_post(world, households=[str(households[1].pk)]))
    visit = Visit.objects.get()
    assert (
        "王大爷" in client.get(reverse("receptions:visit_detail", args=[visit.pk])).content.decode()
    )
    data = {
        "form_token": visit.form_token,
        "deputy": str(world.deputy.pk),
        "date": "2026-04-03",
        "households": [str(households[0].pk)],
        "place": "",
        "notes": "改了",
    }
    client.post(reverse("receptions:visit_edit", args=[visit.pk]), data)
    visit.refresh_from_db()
    assert visit.date == dt.date(2026, 4, 3)
    assert list(visit.households.all()) == [households[0]]
