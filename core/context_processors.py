from django.conf import settings

from .navigation import entries_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_name": settings.PORTAL_NAME, "nav_entries": []}
    return {
        "portal_name": settings.PORTAL_NAME,
        "nav_entries": _with_active(entries_for(user), request.path),
        "session_idle_seconds": settings.SESSION_COOKIE_AGE,
    }


def _with_active(entries, path: str):
    """Mark the one entry whose URL is the longest prefix of the current path."""
    matches = [
        url for _entry, url in entries if path == url or (url != "/" and path.startswith(url))
    ]
    current = max(matches, key=len, default=None)
    return [(entry, url, url == current) for entry, url in entries]
