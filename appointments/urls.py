from django.urls import path

from . import views

app_name = "appointments"

urlpatterns = [
    path("", views.index, name="index"),
    # 1. Citizens' bookings (扫码有约).
    path("bookings/", views.booking_list, name="bookings"),
    path("bookings/<int:booking_pk>/", views.booking_detail, name="booking_detail"),
    path("bookings/<int:booking_pk>/act/", views.booking_act, name="booking_act"),
    path("slots/<int:slot_pk>/capacity/", views.slot_capacity, name="slot_capacity"),
    # 2. Deputies meet the heads of bodies (约见).
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:meeting_pk>/", views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:meeting_pk>/act/", views.meeting_act, name="meeting_act"),
    # 3. Report-backs (述职评议).
    path("reports/", views.report_list, name="reports"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<int:report_pk>/", views.report_detail, name="report_detail"),
    path("reports/<int:report_pk>/act/", views.report_act, name="report_act"),
    # 4. Deputy groups.
    path("groups/", views.group_list, name="groups"),
    path("groups/<int:group_pk>/", views.group_detail, name="group_detail"),
    path(
        "groups/<int:group_pk>/activities/new/", views.group_activity_new, name="group_activity_new"
    ),
    # 5. Standing-committee members' contact with deputies (双联系).
    path("liaison/", views.liaison_summary, name="liaison"),
    path("liaison/<int:binding_pk>/", views.liaison_contact, name="liaison_contact"),
    path("liaison/<int:binding_pk>/unbind/", views.liaison_unbind, name="liaison_unbind"),
    # 6. Leaders at stations.
    path("leaders/", views.leader_visit_list, name="leader_visits"),
    path("leaders/new/", views.leader_visit_new, name="leader_visit_new"),
    # 7. Other duties.
    path("duties/", views.duty_event_list, name="duty_events"),
    path("duties/new/", views.duty_event_new, name="duty_event_new"),
    path("duties/<int:event_pk>/", views.duty_event_detail, name="duty_event_detail"),
]
