import ipaddress

from django.conf import settings


def _valid_ip(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address, trusting exactly TRUSTED_PROXY_COUNT proxies in front of us.

    Behind one trusted proxy the client is the last address that proxy appended to
    X-Forwarded-For; anything before it was written by the client and is not trusted.
    A request that reached us without passing the proxies (no such entry) is
    identified by its socket address, so rate limits still apply to it.
    Never raises: a missing or malformed address gives None.
    """
    meta = getattr(request, "META", {}) or {}
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies > 0:
        forwarded = [part for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part]
        if len(forwarded) >= proxies:
            return _valid_ip(forwarded[-proxies])
    return _valid_ip(meta.get("REMOTE_ADDR"))
