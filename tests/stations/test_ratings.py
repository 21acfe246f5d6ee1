import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from audit.models import AuditRecord
from stations.forms import StationRateForm
from stations.models import StandardItem, StationAssessment
from stations.selectors import standard_checklist
from stations.services import DEFAULT_STANDARDS, standard_items_seed_defaults, station_rate

pytestmark = pytest.mark.django_db


def _png(name="evidence.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _rate(client, station, stars, **extra):
    data = {"assessed_on": "2025-06-01", "stars": stars, "notes": "场所规范", **extra}
    return client.post(reverse("stations:rate", args=[station.pk]), data)


def test_checklist_defaults_to_the_six_and_eight_standards(world):
    items = standard_items_seed_defaults(region=world.township)

    assert [item.code for item in items] == [code for code, _text in DEFAULT_STANDARDS]
    assert {item.region for item in items} == {world.province}
    # Seeding again changes nothing.
    standard_items_seed_defaults(region=world.county)
    assert StandardItem.objects.count() == len(DEFAULT_STANDARDS)


def test_nearest_ancestor_list_wins(client_for, world):
    standard_items_seed_defaults(region=world.township)
    client = client_for(world.county_officer)

    client.post(reverse("stations:standards", args=[world.county.code]), {"action": "customise"})
    client.post(
        reverse("stations:standards", args=[world.county.code]),
        {"action": "add", "text": "有代表履职档案", "order": 20},
    )

    township_list = [item.text for item in standard_checklist(world.township)]
    neighbour_list = [item.text for item in standard_checklist(world.neighbour_township)]
    assert "有代表履职档案" in township_list
    assert "有代表履职档案" not in neighbour_list
    assert len(township_list) == len(DEFAULT_STANDARDS) + 1


def test_deactivated_item_leaves_the_checklist(client_for, world):
    client = client_for(world.county_officer)
    client.post(reverse("stations:standards", args=[world.county.code]), {"action": "customise"})
    item = StandardItem.objects.get(region=world.county, code="funds")

    client.post(
        reverse("stations:standards", args=[world.county.code]),
        {"action": "toggle", "item": item.pk},
    )

    assert item.pk not in {i.pk for i in standard_checklist(world.township)}


def test_leader_reads_standards_but_cannot_change_them(client_for, world):
    client = client_for(world.leader)
    url = reverse("stations:standards", args=[world.county.code])
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "customise"}).status_code == 403
    assert not StandardItem.objects.filter(region=world.county).exists()


def test_rating_sets_the_station_stars_and_keeps_every_assessment(client_for, world):
    client = client_for(world.county_officer)
    items = standard_items_seed_defaults(region=world.township)

    first = _rate(client, world.station, 3, items_met=[items[0].pk, items[1].pk], photos=[_png()])
    second = client.post(
        reverse("stations:rate", args=[world.station.pk]),
        {"assessed_on": "2025-12-01", "stars": 5},
    )

    assert first.status_code == 302 and second.status_code == 302
    world.station.refresh_from_db()
    assert world.station.stars == 5
    assessments = list(world.station.assessments.order_by("assessed_on"))
    assert [a.stars for a in assessments] == [3, 5]
    assert assessments[0].items_met.count() == 2
    assert assessments[0].photos.count() == 1
    assert assessments[0].assessor == world.county_officer


def test_withdrawing_the_latest_falls_back_to_the_one_before(client_for, world):
    client = client_for(world.county_officer)
    _rate(client, world.station, 3)
    client.post(
        reverse("stations:rate", args=[world.station.pk]), {"assessed_on": "2025-12-01", "stars": 5}
    )
    latest = world.station.assessments.get(stars=5)

    refused = client.post(reverse("stations:assessment_withdraw", args=[latest.pk]), {"reason": ""})
    assert refused.status_code == 200 and "reason" in refused.context["form"].errors

    response = client.post(
        reverse("stations:assessment_withdraw", args=[latest.pk]), {"reason": "材料不实"}
    )

    assert response.status_code == 302
    latest.refresh_from_db()
    world.station.refresh_from_db()
    assert latest.withdrawn_by == world.county_officer and latest.withdraw_reason == "材料不实"
    assert world.station.stars == 3
    assert StationAssessment.objects.filter(station=world.station).count() == 2
    assert AuditRecord.objects.filter(action="state", object_id=str(latest.pk)).exists()


def test_withdrawing_the_only_assessment_clears_the_stars(world):
    assessment = station_rate(
        actor=world.county_officer,
        station=world.station,
        assessed_on=datetime.date(2025, 1, 2),
        stars=4,
    )
    from stations.services import assessment_withdraw

    assessment_withdraw(actor=world.county_officer, assessment=assessment, reason="重评")

    world.station.refresh_from_db()
    assert world.station.stars is None


def test_photos_must_be_images(client_for, world):
    client = client_for(world.county_officer)
    fake = SimpleUploadedFile("notes.png", b"not an image at all", content_type="image/png")

    response = _rate(client, world.station, 4, photos=[fake])

    assert response.status_code == 200
    assert "photos" in response.context["form"].errors
    assert not StationAssessment.objects.exists()


def test_photos_are_size_limited(client_for, world, monkeypatch):
    monkeypatch.setattr(StationRateForm.base_fields["photos"], "max_bytes", 10)
    response = _rate(client_for(world.county_officer), world.station, 4, photos=[_png()])

    assert "photos" in response.context["form"].errors


def test_stars_and_date_are_validated(client_for, world):
    client = client_for(world.county_officer)
    too_many = _rate(client, world.station, 6)
    future = _rate(client, world.station, 4, assessed_on="2999-01-01")

    assert "stars" in too_many.context["form"].errors
    assert "assessed_on" in future.context["form"].errors
    assert not StationAssessment.objects.exists()


def test_items_from_another_regions_checklist_are_refused(client_for, world):
    standard_items_seed_defaults(region=world.township)
    client = client_for(world.outsider)
    client.post(reverse("stations:standards", args=[world.neighbour.code]), {"action": "customise"})
    foreign = StandardItem.objects.filter(region=world.neighbour).first()

    response = _rate(client_for(world.county_officer), world.station, 4, items_met=[foreign.pk])

    assert "items_met" in response.context["form"].errors


def test_leader_and_officer_cannot_rate_or_withdraw(client_for, world):
    assessment = station_rate(
        actor=world.county_officer,
        station=world.station,
        assessed_on=datetime.date(2025, 1, 2),
        stars=4,
    )
    for user in (world.leader, world.station_officer):
        client = client_for(user)
        assert client.get(reverse("stations:rate", args=[world.station.pk])).status_code == 403
        assert (
            client.get(reverse("stations:assessments", args=[world.station.pk])).status_code == 200
        )
        assert (
            client.post(
                reverse("stations:assessment_withdraw", args=[assessment.pk]), {"reason": "x"}
            ).status_code
            == 403
        )
    assessment.refresh_from_db()
    assert assessment.withdrawn_at is None


def test_assessment_list_shows_history(client_for, world):
    station_rate(
        actor=world.county_officer,
        station=world.station,
        assessed_on=datetime.date(2025, 1, 2),
        stars=2,
    )

    response = client_for(world.township_officer).get(
        reverse("stations:assessments", args=[world.station.pk])
    )

    assert response.status_code == 200
    assert "★★☆☆☆" in response.content.decode()


def test_assessment_photos_are_stored_without_their_gps(client_for, world, settings, tmp_path):
    """Evidence photos are re-encoded like citizens' photos: no EXIF, no GPS, no camera."""
    from tests.suggestions.conftest import jpeg_with_gps

    settings.MEDIA_ROOT = tmp_path
    client = client_for(world.county_officer)
    upload = SimpleUploadedFile("site.jpg", jpeg_with_gps(), content_type="image/jpeg")
    assert Image.open(io.BytesIO(jpeg_with_gps())).getexif().get_ifd(0x8825)

    assert _rate(client, world.station, 4, photos=[upload]).status_code == 302

    photo = world.station.assessments.get().photos.get()
    with photo.image.open("rb") as stored:
        kept = Image.open(io.BytesIO(stored.read()))
    assert not kept.getexif().get_ifd(0x8825) and 0x0110 not in kept.getexif()
