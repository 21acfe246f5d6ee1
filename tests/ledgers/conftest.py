import pytest

from tests.dashboards.conftest import known  # noqa: F401  (the same small world)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    # Job results are files under MEDIA_ROOT: keep them out of the checkout.
    settings.MEDIA_ROOT = str(tmp_path / "media")
