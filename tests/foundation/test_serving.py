"""QR codes point at the address and port actually served (issue 12, point 6)."""

import os
import subprocess
import sys

from django.conf import settings

from congress_portal import serving


def _settings_of(**env) -> list[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {"PUBLIC_BASE_URL", "LIANXIN_PUBLIC_HOST", "PORT", "LIANXIN_ENV", "ALLOWED_HOSTS"}
    }
    clean.update(DJANGO_SETTINGS_MODULE="congress_portal.settings", **env)
    code = (
        "import django; django.setup(); from django.conf import settings;"
        "print(settings.PUBLIC_BASE_URL); print(','.join(settings.ALLOWED_HOSTS))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


def test_public_base_url_defaults_to_the_port_served(tmp_path):
    base, _hosts = _settings_of(PORT="8201", LIANXIN_VAR_DIR=str(tmp_path))
    assert base == "http://127.0.0.1:8201"


def test_the_lan_host_is_used_and_allowed(tmp_path):
    base, hosts = _settings_of(
        PORT="8201", LIANXIN_PUBLIC_HOST="192.168.1.20", LIANXIN_VAR_DIR=str(tmp_path)
    )
    assert base == "http://192.168.1.20:8201"
    assert "192.168.1.20" in hosts.split(",")


def test_an_explicit_public_base_url_wins(tmp_path):
    base, _hosts = _settings_of(
        PORT="8201",
        PUBLIC_BASE_URL="https://daibiao.example.gov.cn/",
        LIANXIN_VAR_DIR=str(tmp_path),
    )
    assert base == "https://daibiao.example.gov.cn"


def test_the_banner_names_the_lan_address_or_warns_about_loopback():
    lan = serving.banner("http://192.168.1.20:8201", 8201)
    assert "http://192.168.1.20:8201/" in lan and "WARNING" not in lan
    for loopback in ("http://127.0.0.1:8201", "http://localhost:8000", "http://[::1]:8000"):
        assert "WARNING" in serving.banner(loopback, 8201), loopback


def test_the_lan_address_is_never_loopback():
    address = serving.lan_address()
    assert address is None or not serving.is_loopback(f"http://{address}/")


def test_bin_run_exports_the_port_and_the_lan_host_before_starting_anything():
    script = (settings.BASE_DIR / "bin" / "run").read_text()
    assert "export PORT" in script
    assert "congress_portal.serving lan" in script
    assert script.index("congress_portal.serving lan") < script.index('run_with_worker "')
    assert "congress_portal.serving banner" in script
