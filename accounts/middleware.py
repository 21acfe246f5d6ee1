import time

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    """An account given a one-off password may do nothing until it sets its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.must_change_password:
            allowed = {reverse("accounts:password_change"), reverse("accounts:logout")}
            if request.path not in allowed and not request.path.startswith("/static/"):
                return redirect("accounts:password_change")
        return self.get_response(request)


class IdleSessionMiddleware:
    """The idle time-out (`SESSION_COOKIE_AGE` past the last request) without a database
    write on every request: a session's expiry moves forward at most once every
    `SESSION_REFRESH_SECONDS`, so it runs out between that much before the time-out
    and the time-out itself (never later).

    Sits right after SessionMiddleware, which saves the session it marks changed.
    """

    KEY = "_idle_refreshed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            now = int(time.time())
            if now - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[self.KEY] = now
        return response
