from django.urls import path

from . import views

app_name = "duties"

urlpatterns = [
    path("", views.index, name="index"),
    path("export.xlsx", views.index_export, name="index_export"),
    path("deputies/<int:deputy_pk>/", views.record, name="record"),
    path("deputies/<int:deputy_pk>/export.xlsx", views.record_export, name="record_export"),
    path("deputies/<int:deputy_pk>/reports/new/", views.report_new, name="report_new"),
    path("reports/<int:duty_report_pk>/", views.report_edit, name="report_edit"),
    path("reports/<int:duty_report_pk>/delete/", views.report_delete, name="report_delete"),
    path("ranking/", views.ranking_page, name="ranking"),
    path("missed/", views.missed, name="missed"),
    path("points/", views.point_rules, name="point_rules"),
    path("points/<str:region_code>/", views.point_rules_edit, name="point_rules_edit"),
]
