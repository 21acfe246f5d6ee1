from django.urls import path

from . import views

app_name = "receptions"

urlpatterns = [
    path("", views.schedule, name="schedule"),
    path("station/<int:station_pk>/", views.station_rules, name="station_rules"),
    path("station/<int:station_pk>/rules/new/", views.rule_new, name="rule_new"),
    path("rules/<int:rule_pk>/", views.rule_edit, name="rule_edit"),
    path("rules/<int:rule_pk>/active/", views.rule_toggle_active, name="rule_toggle_active"),
    path("rules/<int:rule_pk>/exceptions/new/", views.exception_new, name="exception_new"),
    path("exceptions/<int:exception_pk>/delete/", views.exception_delete, name="exception_delete"),
    # The registers: reception log, home visits, contact households, station activities.
    path("log/", views.log_list, name="log_list"),
    path("log/new/", views.log_new, name="log_new"),
    path("log/<int:reception_pk>/", views.log_detail, name="log_detail"),
    path("log/<int:reception_pk>/edit/", views.log_edit, name="log_edit"),
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/<int:visit_pk>/", views.visit_detail, name="visit_detail"),
    path("visits/<int:visit_pk>/edit/", views.visit_edit, name="visit_edit"),
    path("households/", views.household_list, name="household_list"),
    path(
        "deputies/<int:deputy_pk>/households/",
        views.deputy_households,
        name="deputy_households",
    ),
    path("deputies/<int:deputy_pk>/households/new/", views.household_new, name="household_new"),
    path("households/<int:household_pk>/", views.household_edit, name="household_edit"),
    path("activities/", views.activity_list, name="activity_list"),
    path("activities/new/", views.activity_new, name="activity_new"),
    path("activities/<int:activity_pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:activity_pk>/edit/", views.activity_edit, name="activity_edit"),
    path(
        "activities/photos/<int:activity_photo_pk>/",
        views.activity_photo,
        name="activity_photo",
    ),
    path(
        "activities/photos/<int:activity_photo_pk>/delete/",
        views.activity_photo_delete,
        name="activity_photo_delete",
    ),
]
