import datetime

import pytest

from tests.legislation.world import legislation_world


@pytest.fixture(autouse=True)
def _media_and_public_host(settings, tmp_path):
    # QR codes and job results are written under MEDIA_ROOT: keep them out of the checkout.
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PUBLIC_BASE_URL = "https://lianxin.example.gov.cn"


@pytest.fixture
def lw(world):
    return legislation_world(world)


@pytest.fixture
def open_day(clock):
    """A day inside the consultations' period (2026-03-02 to 2026-03-31)."""
    return clock(datetime.date(2026, 3, 16))
