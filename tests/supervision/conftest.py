import pytest


@pytest.fixture(autouse=True)
def _media_and_public_host(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PUBLIC_BASE_URL = "https://lianxin.example.gov.cn"
