"""The portal's URLs plus one view that fails, for the 500 page test."""

from django.urls import path

from congress_portal.urls import handler404  # noqa: F401 (the root URLconf names it)
from congress_portal.urls import urlpatterns as portal_urlpatterns


def crash(request):
    raise RuntimeError("a bug")


urlpatterns = [path("__crash__/", crash), *portal_urlpatterns]
