from django.contrib import admin
from django.urls import include, path
from rest_framework.routers import DefaultRouter

from core.views import public_media
from regions.api import RegionViewSet

router = DefaultRouter()
router.register("regions", RegionViewSet, basename="region")

urlpatterns = [
    path("", include("accounts.urls")),
    path("regions/", include("regions.urls")),
    path("stations/", include("stations.urls")),
    path("deputies/", include("deputies.urls")),
    path("suggestions/", include("suggestions.urls")),
    path("calendar/", include("calendars.urls")),
    path("receptions/", include("receptions.urls")),
    path("jobs/", include("jobs.urls")),
    path("audit/", include("audit.urls")),
    # Citizens' pages (no login), reached from QR codes: short paths.
    path("p/", include("public.urls")),
    path("c/", include("suggestions.public_urls")),
    path("placards/", include("public.placard_urls")),
    path("api/", include(router.urls)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
    path("media/<path:path>", public_media, name="public_media"),
]
