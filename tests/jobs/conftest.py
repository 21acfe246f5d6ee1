import pytest


@pytest.fixture(autouse=True)
def _media_and_public_host(settings, tmp_path):
    # QR codes, thumbnails and job results are written under MEDIA_ROOT: keep them
    # out of the checkout, and give printed codes a recognisable host.
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PUBLIC_BASE_URL = "https://lianxin.example.gov.cn"
