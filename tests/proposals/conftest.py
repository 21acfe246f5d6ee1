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


@pytest.fixture(autouse=True)
def _chinese():
    """Each test starts in the portal's language (a page read in English leaves the thread's
    language behind otherwise)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
