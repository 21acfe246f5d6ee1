import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image


def _jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 50), "red").save(buffer, "JPEG")
    return SimpleUploadedFile("face.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_deputy_photo_is_streamed_to_staff_in_scope_only(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    world.deputy.photo = _jpeg()
    world.deputy.save()

    client.force_login(world.county_officer)
    response = client.get(reverse("deputies:photo", args=[world.deputy.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]

    client.force_login(world.outsider)
    assert client.get(reverse("deputies:photo", args=[world.deputy.pk])).status_code == 404
