from django.conf import settings

from .navigation import entries_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_name": settings.PORTAL_NAME, "nav_entries": []}
    return {
        "portal_name": settings.PORTAL_NAME,
        "nav_entries": [
            (entry, url, request.path == url or (url != "/" and request.path.startswith(url)))
            for entry, url in entries_for(user)
        ],
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
    }
