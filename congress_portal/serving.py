"""Where the demo is served, for `bin/run` (issue 12, point 6).

    python -m congress_portal.serving lan      # this machine's LAN address, or nothing
    python -m congress_portal.serving banner   # what to tell the person who started it

QR codes, placards and SMS links carry settings.PUBLIC_BASE_URL. Outside production it
defaults to http://<LIANXIN_PUBLIC_HOST>:<PORT>, and bin/run sets LIANXIN_PUBLIC_HOST
to the LAN address, so a phone on the same network can open what it scans.
"""

import ipaddress
import os
import socket
import sys
from urllib.parse import urlsplit


def lan_address() -> str | None:
    """The IPv4 address other machines on the network reach this one at, if any.

    A UDP "connect" sends nothing: it only asks the kernel which local address a
    packet to a non-local address would leave from.
    """
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.255.255.255", 1))
            address = probe.getsockname()[0]
    except OSError:
        return None
    parsed = ipaddress.ip_address(address)
    if parsed.is_loopback or parsed.is_unspecified or parsed.is_link_local:
        return None
    return address


def is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host in {"localhost", ""} or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def banner(public_base_url: str, port: int | str) -> str:
    lines = [f"  连心桥 Lianxin is running at  http://127.0.0.1:{port}/"]
    if is_loopback(public_base_url):
        lines += [
            "",
            f"  WARNING: QR codes, placards and SMS links point at {public_base_url}, a",
            "  loopback address: a phone that scans them reaches itself, not this portal.",
            "  Set PUBLIC_BASE_URL (or LIANXIN_PUBLIC_HOST) to an address phones can open.",
        ]
    else:
        lines += [
            f"  Phones on the same network open   {public_base_url}/",
            f"  (QR codes, placards and SMS links point there: PUBLIC_BASE_URL={public_base_url})",
        ]
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "banner"
    if command == "lan":
        print(lan_address() or "")
        return 0
    if command == "banner":
        import django

        django.setup()
        import os

        from django.conf import settings

        print(banner(settings.PUBLIC_BASE_URL, os.environ.get("PORT", "8000")))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congress_portal.settings")
    sys.exit(main(sys.argv))
