from django.urls import path

from . import views

app_name = "stations"

urlpatterns = [
    path("", views.station_list, name="list"),
    path("new/", views.station_new, name="new"),
    path("export/", views.station_export, name="export"),
    path("import/", views.station_import, name="import"),
    path("import/confirm/", views.station_import_confirm, name="import_confirm"),
    path("import/template/", views.station_import_template, name="import_template"),
    path("standards/", views.standards_home, name="standards_home"),
    path("standards/<str:region_code>/", views.standards, name="standards"),
    path("<int:station_pk>/", views.station_detail, name="detail"),
    path("<int:station_pk>/edit/", views.station_edit, name="edit"),
    path("<int:station_pk>/status/", views.station_status, name="status"),
    path("<int:station_pk>/rate/", views.station_rate_view, name="rate"),
    path("<int:station_pk>/assessments/", views.assessment_list, name="assessments"),
    path(
        "assessment-photos/<int:assessment_photo_pk>/",
        views.assessment_photo,
        name="assessment_photo",
    ),
    path(
        "assessments/<int:assessment_pk>/withdraw/",
        views.assessment_withdraw_view,
        name="assessment_withdraw",
    ),
]
