from django.urls import path

from . import views

app_name = "appointments"

urlpatterns = [
    path("bookings/<int:booking_pk>/", views.booking_detail, name="booking_detail"),
    path("meetings/<int:meeting_pk>/", views.meeting_detail, name="meeting_detail"),
    path("reports/<int:report_pk>/", views.report_detail, name="report_detail"),
    path("groups/<int:group_pk>/", views.group_detail, name="group_detail"),
    path("duties/<int:event_pk>/", views.duty_event_detail, name="duty_event_detail"),
]
