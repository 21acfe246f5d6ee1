from django.urls import path

from . import views

app_name = "public"

# Short paths: they are printed as QR codes, and a shorter URL is a coarser, easier code.
urlpatterns = [
    path("d/<str:deputy_token>/", views.deputy_page, name="deputy"),
    path("d/<str:deputy_token>/qr.png", views.deputy_qr, {"fmt": "png"}, name="deputy_qr_png"),
    path("d/<str:deputy_token>/qr.svg", views.deputy_qr, {"fmt": "svg"}, name="deputy_qr_svg"),
    path("d/<str:deputy_token>/photo.jpg", views.deputy_photo, name="deputy_photo"),
    path("s/<str:station_token>/", views.station_page, name="station"),
    path("s/<str:station_token>/qr.png", views.station_qr, {"fmt": "png"}, name="station_qr_png"),
    path("s/<str:station_token>/qr.svg", views.station_qr, {"fmt": "svg"}, name="station_qr_svg"),
]
