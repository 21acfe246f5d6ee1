from django.urls import path

from . import placard_views

app_name = "placards"

urlpatterns = [
    path("deputy/<int:deputy_pk>.pdf", placard_views.deputy_placard, name="deputy"),
    path("station/<int:station_pk>.pdf", placard_views.station_placard, name="station"),
    path("batch/", placard_views.placard_batch, name="batch"),
]
