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


class TwoFactorRequiredMiddleware:
    """Second factors where they are due, after django-otp's OTPMiddleware.

    An account a rule requires a second factor of (accounts.two_factor.required_for) may
    do nothing unverified: with a device it is sent to the code step, without one to
    enrol. The security pages (/security/) of an account that has a device need the
    device too, so a session that skipped it cannot swap the device. Accounts no rule
    covers pass untouched elsewhere (tests' force_login, the demo), at no query cost
    while there are no rules.
    """

    OPEN_NAMES = (
        "accounts:login_verify",
        "accounts:logout",
        "accounts:password_change",
        "set_language",
    )
    ENROL_NAMES = (
        "accounts:security",
        "accounts:security_totp",
        "accounts:security_sms",
        "accounts:security_recovery",
    )

    def __init__(self, get_response):
        self.get_response = get_response
        self._paths = None

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified():
            answer = self._check(request, user)
            if answer is not None:
                return answer
        return self.get_response(request)

    def _check(self, request, user):
        from django.http import JsonResponse
        from django.utils.http import urlencode

        from . import two_factor

        open_paths, enrol_paths = self._known_paths()
        path = request.path
        if path in open_paths or path.startswith(settings.STATIC_URL or "/static/"):
            return None
        verify = f"{reverse('accounts:login_verify')}?{urlencode({'next': path})}"
        if path.startswith("/security/") and two_factor.devices_of(user):
            return redirect(verify)
        if path in enrol_paths or not two_factor.required_for(user):
            return None
        if path.startswith("/api/"):
            return JsonResponse({"detail": "two-factor verification required"}, status=403)
        if two_factor.devices_of(user):
            return redirect(verify)
        return redirect("accounts:security")

    def _known_paths(self):
        if self._paths is None:
            self._paths = (
                {reverse(name) for name in self.OPEN_NAMES},
                {reverse(name) for name in self.ENROL_NAMES},
            )
        return self._paths
