import datetime

import pytest

from tests.proposals.world import cast


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def pc(world):
    return cast(world)


@pytest.fixture
def day(clock):
    """An ordinary working day: Wednesday 1 July 2026."""
    return clock(datetime.date(2026, 7, 1))
