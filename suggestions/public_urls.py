from django.urls import path

from . import public_photos, public_views

app_name = "public_suggestions"

# Printed behind QR codes: short paths.
urlpatterns = [
    path("d/<str:deputy_token>/", public_views.new_for_deputy, name="new_for_deputy"),
    path("s/<str:station_token>/", public_views.new_for_station, name="new_for_station"),
    path("r/<str:submission_token>/", public_views.receipt, name="receipt"),
    path("track/", public_views.track, name="track"),
    path("track/<str:tracking_code>/", public_views.track_detail, name="track_detail"),
    path("track/<str:tracking_code>/rate/", public_views.track_rate, name="track_rate"),
    path(
        "track/<str:tracking_code>/files/<int:attachment_pk>/",
        public_views.track_attachment,
        name="track_attachment",
    ),
    path(
        "track/<str:tracking_code>/photos/<int:photo_pk>/",
        public_photos.track_photo,
        name="track_photo",
    ),
]
