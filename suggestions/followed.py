"""What this browser may follow, in a signed cookie instead of a session row.

The receipt, or a tracking code with the phone's last 4 digits, prove that a browser
may follow a suggestion; the intake form also remembers, for half an hour, a digest
of what this browser submitted (a form sent again after going back to it gives the
first receipt). Kept in the session, this cost the citizen's submit a session row
written in its own transaction. A cookie signed with the secret key (HttpOnly,
SameSite=Lax, Secure as the session cookie) holds the same: it cannot be forged, it
travels only with this browser, and writing it costs no query.

State is read once per request; views mark it changed and `keeps_followed` writes the
cookie on the response.
"""

import functools

from django.conf import settings
from django.core import signing

COOKIE = "lx_followed"
SALT = "suggestions.followed"


def state(request) -> dict:
    if not hasattr(request, "_lx_followed"):
        try:
            value = signing.loads(
                request.COOKIES.get(COOKIE, ""), salt=SALT, max_age=settings.SESSION_COOKIE_AGE
            )
        except signing.BadSignature:
            value = {}
        if not isinstance(value, dict):
            value = {}
        request._lx_followed = {"t": list(value.get("t") or []), "s": list(value.get("s") or [])}
        request._lx_followed_changed = False
    return request._lx_followed


def tracked(request) -> list[int]:
    return state(request)["t"]


def submitted(request) -> list[dict]:
    return state(request)["s"]


def update(request, *, tracked=None, submitted=None) -> None:
    current = state(request)
    if tracked is not None:
        current["t"] = tracked
    if submitted is not None:
        current["s"] = submitted
    request._lx_followed_changed = True


def keeps_followed(view):
    """Write the cookie when the view changed what this browser follows."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if getattr(request, "_lx_followed_changed", False):
            response.set_cookie(
                COOKIE,
                signing.dumps(request._lx_followed, salt=SALT, compress=True),
                max_age=settings.SESSION_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    return wrapper
