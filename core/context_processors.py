from django.conf import settings

from .navigation import entries_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_name": settings.PORTAL_NAME, "nav_entries": []}
    return {
        "portal_name": settings.PORTAL_NAME,
        "nav_entries": entries_for(user),
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
    }
