from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.index, name="index"),
    path("stations/<int:station_pk>/", views.station_dashboard, name="station"),
    path("<str:region_code>/", views.region_dashboard, name="region"),
]
