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
]
