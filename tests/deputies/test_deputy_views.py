import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from audit.models import AuditRecord
from deputies.models import Deputy, DeputyGroup, StationMembership
from tests import factories as f
from tests.stations.helpers import group_into

pytestmark = pytest.mark.django_db

LIST = reverse("deputies:list")


def _names(response) -> set[str]:
    return {deputy.name for deputy in response.context["page"]}


def _deputy_form(region, **extra):
    return {"name": "李桂兰", "level": "township", "region": region.pk, "status": "active", **extra}


def test_county_officer_lists_own_deputies_only(client_for, world):
    response = client_for(world.county_officer).get(LIST)

    assert response.status_code == 200
    assert _names(response) == {"马志刚", "王秀英"}


def test_station_officer_sees_deputies_grouped_into_their_station(client_for, world):
    client = client_for(world.station_officer)
    assert _names(client.get(LIST)) == set()

    group_into(world.deputy, world.point)

    assert _names(client.get(LIST)) == {"马志刚"}
    assert client.get(reverse("deputies:detail", args=[world.deputy.pk])).status_code == 200
    assert client.get(reverse("deputies:detail", args=[world.other_deputy.pk])).status_code == 404


def test_deputy_sees_own_record_only(client_for, world):
    client = client_for(world.deputy_user)

    assert client.get(LIST)["Location"] == reverse("deputies:detail", args=[world.deputy.pk])
    assert client.get(reverse("deputies:detail", args=[world.deputy.pk])).status_code == 200
    assert client.get(reverse("deputies:detail", args=[world.other_deputy.pk])).status_code == 404
    assert client.get(reverse("deputies:edit", args=[world.deputy.pk])).status_code == 403


def test_filters_by_region_level_status_station_and_group(client_for, world):
    Deputy.objects.filter(pk=world.other_deputy.pk).update(level="city", status="suspended")
    village_deputy = f.DeputyFactory(name="村代表", region=world.village, level="township")
    group_into(world.deputy, world.station)
    group = DeputyGroup.objects.create(name="法律小组", kind="professional", region=world.county)
    group.members.add(village_deputy)
    client = client_for(world.county_officer)

    assert _names(client.get(LIST, {"region": world.township.code})) == {
        "马志刚",
        "王秀英",
        "村代表",
    }
    assert _names(client.get(LIST, {"level": "city"})) == {"王秀英"}
    assert _names(client.get(LIST, {"status": "suspended"})) == {"王秀英"}
    assert _names(client.get(LIST, {"station": world.station.pk})) == {"马志刚"}
    assert _names(client.get(LIST, {"group": group.pk})) == {"村代表"}
    assert _names(client.get(LIST, {"q": "马"})) == {"马志刚"}
    refused = client.get(LIST, {"station": world.neighbour_station.pk})
    assert "station" in refused.context["filter"].form.errors


def test_list_query_count_does_not_grow_with_rows(client_for, world, django_assert_max_num_queries):
    client = client_for(world.county_officer)
    with CaptureQueriesContext(connection) as few:
        client.get(LIST)
    assert len(few) <= 14

    for index in range(40):
        deputy = f.DeputyFactory(name=f"代表{index}", region=world.township)
        group_into(deputy, world.station if index % 2 else world.sibling_station)
        DeputyGroup.objects.get_or_create(name=f"组{index % 3}", region=world.county)
    with django_assert_max_num_queries(len(few)):
        response = client.get(LIST)
    assert len(response.context["page"]) == 30


def test_phones_are_masked_unless_the_role_is_set_to_see_them(client_for, world, settings):
    Deputy.objects.filter(pk=world.deputy.pk).update(phone="13835801234")
    detail = reverse("deputies:detail", args=[world.deputy.pk])
    # By default nobody sees a private number in full; staff get the audited reveal.
    default_html = client_for(world.county_officer).get(detail).content.decode()
    assert "138****1234" in default_html and "13835801234" not in default_html
    assert reverse("core:phone_reveal", args=["deputy", world.deputy.pk]) in default_html
    settings.PHONES_SHOWN_IN_FULL = ["county_staff"]

    leader_html = (
        client_for(world.leader)
        .get(reverse("deputies:detail", args=[world.deputy.pk]))
        .content.decode()
    )
    staff_html = (
        client_for(world.county_officer)
        .get(reverse("deputies:detail", args=[world.deputy.pk]))
        .content.decode()
    )
    leader_list = client_for(world.leader).get(LIST).content.decode()

    assert "138****1234" in leader_html and "13835801234" not in leader_html
    assert "13835801234" not in leader_list
    assert "13835801234" in staff_html
    assert "phone_reveal" not in leader_html and "/phones/" not in leader_html


def test_county_officer_registers_a_deputy_with_a_photo(client_for, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (20, 24), "blue").save(buffer, "JPEG")
    photo = SimpleUploadedFile("li.jpg", buffer.getvalue(), content_type="image/jpeg")

    response = client_for(world.county_officer).post(
        reverse("deputies:new"),
        _deputy_form(
            world.township,
            phone="13900001111",
            party="中共党员",
            term="第十七届",
            professional_field="农业",
            photo=photo,
        ),
    )

    deputy = Deputy.objects.get(name="李桂兰")
    assert response["Location"] == reverse("deputies:detail", args=[deputy.pk])
    assert deputy.photo.name.startswith("deputies/photos/")
    assert deputy.term == "第十七届" and deputy.region_path == world.township.path
    assert AuditRecord.objects.get(action="create", object_id=str(deputy.pk)).changes["name"] == [
        None,
        "李桂兰",
    ]


def test_bad_input_is_reported_in_chinese_and_kept(client_for, world):
    client = client_for(world.township_officer)
    response = client.post(
        reverse("deputies:new"), _deputy_form(world.other_township, phone="12345")
    )

    form = response.context["form"]
    assert {"region", "phone"} <= set(form.errors)
    assert "请输入11位手机号" in str(form.errors["phone"])
    assert 'value="李桂兰"' in response.content.decode()
    assert not Deputy.objects.filter(name="李桂兰").exists()


def test_edit_changes_the_record_and_leaders_cannot(client_for, world):
    url = reverse("deputies:edit", args=[world.deputy.pk])
    assert client_for(world.leader).post(url, _deputy_form(world.township)).status_code == 403

    response = client_for(world.county_officer).post(
        url,
        _deputy_form(
            world.township,
            name="马志刚",
            level="county",
            status="suspended",
            commitment="常回家看看",
        ),
    )

    assert response.status_code == 302
    world.deputy.refresh_from_db()
    assert world.deputy.status == "suspended" and world.deputy.commitment == "常回家看看"
    record = AuditRecord.objects.get(action="update", object_id=str(world.deputy.pk))
    assert record.changes["status"] == ["active", "suspended"]


def test_group_a_deputy_into_stations_and_end_a_membership(client_for, world):
    client = client_for(world.county_officer)
    url = reverse("deputies:membership_new", args=[world.deputy.pk])

    client.post(url, {"station": world.station.pk, "start_date": "2024-01-05"})
    client.post(url, {"station": world.sibling_station.pk, "start_date": "2024-03-01"})
    again = client.post(url, {"station": world.station.pk, "start_date": "2024-06-01"})

    assert "station" in again.context["form"].errors
    memberships = StationMembership.objects.filter(deputy=world.deputy)
    assert memberships.count() == 2
    detail = client.get(reverse("deputies:detail", args=[world.deputy.pk]))
    assert len(detail.context["current"]) == 2

    first = memberships.get(station=world.station)
    early = client.post(
        reverse("deputies:membership_end", args=[first.pk]), {"end_date": "2023-01-01"}
    )
    assert "end_date" in early.context["form"].errors
    ended = client.post(
        reverse("deputies:membership_end", args=[first.pk]), {"end_date": "2025-01-01"}
    )

    assert ended.status_code == 302
    first.refresh_from_db()
    assert first.end_date == datetime.date(2025, 1, 1)
    station_page = client.get(reverse("stations:detail", args=[world.station.pk]))
    assert station_page.context["station"].deputy_count == 0
    assert len(client.get(reverse("deputies:detail", args=[world.deputy.pk])).context["past"]) == 1


def test_cannot_group_into_a_neighbour_or_suspended_station(client_for, world):
    client = client_for(world.county_officer)
    url = reverse("deputies:membership_new", args=[world.deputy.pk])
    world.sibling_station.status = "suspended"
    world.sibling_station.save()

    neighbour = client.post(
        url, {"station": world.neighbour_station.pk, "start_date": "2024-01-05"}
    )
    suspended = client.post(url, {"station": world.sibling_station.pk, "start_date": "2024-01-05"})

    assert "station" in neighbour.context["form"].errors
    assert "station" in suspended.context["form"].errors
    assert not StationMembership.objects.exists()


def test_leader_and_officer_cannot_change_memberships(client_for, world):
    membership = group_into(world.deputy, world.station)
    for user in (world.leader, world.station_officer):
        client = client_for(user)
        assert (
            client.post(
                reverse("deputies:membership_new", args=[world.deputy.pk]),
                {"station": world.sibling_station.pk, "start_date": "2024-01-05"},
            ).status_code
            == 403
        )
        assert (
            client.post(
                reverse("deputies:membership_end", args=[membership.pk]), {"end_date": "2025-01-01"}
            ).status_code
            == 403
        )
    membership.refresh_from_db()
    assert membership.end_date is None


def test_groups_create_join_and_leave(client_for, world):
    client = client_for(world.county_officer)
    response = client.post(
        reverse("deputies:group_new"),
        {
            "name": "交城县法律专业代表小组",
            "kind": "professional",
            "region": world.county.pk,
            "leader_name": "张律师",
        },
    )
    group = DeputyGroup.objects.get(name="交城县法律专业代表小组")
    assert response["Location"] == reverse("deputies:group_detail", args=[group.pk])

    client.post(reverse("deputies:join_group", args=[world.deputy.pk]), {"group": group.pk})
    assert list(group.members.all()) == [world.deputy]
    assert client.get(reverse("deputies:group_detail", args=[group.pk])).status_code == 200
    assert client.get(reverse("deputies:groups")).context["page"][0].member_count == 1

    client.post(
        reverse("deputies:group_members", args=[group.pk]),
        {"action": "remove", "deputy": world.deputy.pk},
    )
    assert not group.members.exists()


def test_group_outside_scope_and_foreign_members_are_refused(client_for, world):
    group = DeputyGroup.objects.create(name="天宁组", region=world.township)
    township_client = client_for(world.township_officer)
    far = f.DeputyFactory(name="夏家营代表", region=world.other_township)

    township_client.post(reverse("deputies:group_members", args=[group.pk]), {"deputy": far.pk})
    assert not group.members.exists()  # outside the township officer's scope: 404

    county_client = client_for(world.county_officer)
    county_client.post(reverse("deputies:group_members", args=[group.pk]), {"deputy": far.pk})
    assert not group.members.exists()  # not of the group's region
    assert (
        client_for(world.leader)
        .post(reverse("deputies:group_members", args=[group.pk]), {"deputy": world.deputy.pk})
        .status_code
        == 403
    )


def test_own_deputy_pages_answer_200_for_the_county_officer(client_for, world):
    client = client_for(world.county_officer)
    membership = group_into(world.deputy, world.station)
    group = DeputyGroup.objects.create(name="天宁组", region=world.township)
    for url in (
        reverse("deputies:detail", args=[world.deputy.pk]),
        reverse("deputies:edit", args=[world.deputy.pk]),
        reverse("deputies:membership_new", args=[world.deputy.pk]),
        reverse("deputies:membership_end", args=[membership.pk]),
        reverse("deputies:group_detail", args=[group.pk]),
        reverse("deputies:group_edit", args=[group.pk]),
        reverse("deputies:groups"),
        reverse("deputies:new"),
        reverse("deputies:group_new"),
    ):
        assert client.get(url).status_code == 200, url


def test_a_deputys_photo_is_stored_without_its_gps(client_for, world, settings, tmp_path):
    """The deputy's ID photo is re-encoded like every other stored photo: no EXIF, no GPS."""
    from tests.suggestions.conftest import jpeg_with_gps

    settings.MEDIA_ROOT = tmp_path
    assert Image.open(io.BytesIO(jpeg_with_gps())).getexif().get_ifd(0x8825)
    photo = SimpleUploadedFile("ma.jpg", jpeg_with_gps(), content_type="image/jpeg")

    response = client_for(world.county_officer).post(
        reverse("deputies:edit", args=[world.deputy.pk]),
        _deputy_form(world.township, name="马志刚", photo=photo),
    )

    assert response.status_code == 302
    world.deputy.refresh_from_db()
    with world.deputy.photo.open("rb") as stored:
        kept = Image.open(io.BytesIO(stored.read()))
    assert not kept.getexif().get_ifd(0x8825) and 0x0110 not in kept.getexif()
