"""Login throttling per client address, across usernames (against password spraying).

django-axes locks one *account* after repeated failures. This counts the failures of
one client *address* over any usernames in a fixed window; past
`LOGIN_ADDRESS_FAILURE_LIMIT` the password step answers 429 for that address until the
window ends. Owners with a second factor still get in through /login/second-factor/.
"""

from django.conf import settings

from suggestions import ratelimit

SCOPE = "login-fail-ip"


def _window() -> int:
    return settings.LOGIN_ADDRESS_WINDOW_MINUTES * 60


def address_blocked(ip: str | None) -> bool:
    return ratelimit.exceeded(
        SCOPE, ip, limit=settings.LOGIN_ADDRESS_FAILURE_LIMIT, window=_window()
    )


def count_failure(ip: str | None) -> bool:
    """Count one failed login from `ip`; True when this failure reached the limit."""
    limit, window = settings.LOGIN_ADDRESS_FAILURE_LIMIT, _window()
    ratelimit.hit(SCOPE, ip, limit=limit, window=window)
    return ratelimit.exceeded(SCOPE, ip, limit=limit, window=window) and not (
        ratelimit.exceeded(SCOPE, ip, limit=limit + 1, window=window)
    )
