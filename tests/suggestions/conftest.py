import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.models import Role
from deputies.models import StationMembership
from tests import factories as f


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cast(world):
    """The `world` cast plus a station officer for the neighbour and a second clerk."""
    world.deputy_user.email = "mazhigang@example.cn"
    world.deputy_user.save(update_fields=["email"])
    world.other_clerk = f.user_with_role(
        "roads_clerk",
        Role.UNIT_CLERK,
        unit=f.HandlingUnitFactory(name="交城县交通运输局", region=world.county),
    )
    world.roads_unit = world.other_clerk.role_assignments.get().unit
    # 马志刚 is grouped into 天宁镇's station (编组进站): his code's suggestions reach it too.
    StationMembership.objects.create(
        deputy=world.deputy, station=world.station, start_date=datetime.date(2026, 1, 1)
    )
    return world


@pytest.fixture
def today(clock):
    """Pin today (deadlines, return and extension limits): the shared `clock` fixture."""
    return clock


def jpeg_with_gps(size=(64, 48)) -> bytes:
    """A JPEG carrying EXIF with a GPS block (latitude of 交城县) and a camera model."""
    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x0110] = "TestPhone 12"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (37.0, 33.0, 0.0)
    gps[3] = "E"
    gps[4] = (112.0, 9.0, 0.0)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def photo_upload(name="photo.jpg", content=None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content or jpeg_with_gps(), content_type="image/jpeg")


TOKEN = "tok_" + "a" * 28


def intake_data(token=TOKEN, **overrides) -> dict:
    data = {
        "category": "water",
        "content": "西街社区3号楼停水三天了，一直没人来修，老人买水很困难。",
        "place": "西街社区3号楼",
        "contact_name": "张大爷",
        "contact_phone": "13812345678",
        "village": "西街社区",
        "submission_token": token,
        "website": "",
    }
    data.update(overrides)
    return data
