from django.urls import path

from . import public_views

app_name = "public_appointments"

# Short paths: a deputy's or a station's QR code leads here (扫码有约).
urlpatterns = [
    path("d/<str:deputy_token>/", public_views.book_deputy, name="book_deputy"),
    path("s/<str:station_token>/", public_views.book_station, name="book_station"),
    path("b/<str:booking_token>/", public_views.booking, name="booking"),
    path("v/<str:poll_token>/", public_views.vote, name="vote"),
    path("v/<str:poll_token>/qr.png", public_views.vote_qr, name="vote_qr"),
]
