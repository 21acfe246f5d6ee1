from django.urls import path

from . import views

app_name = "calendars"

urlpatterns = [
    path("", views.holidays, name="holidays"),
    path("overrides/new/", views.override_new, name="override_new"),
    path("overrides/<int:override_pk>/", views.override_edit, name="override_edit"),
    path("overrides/<int:override_pk>/delete/", views.override_delete, name="override_delete"),
    path("years/", views.year_mark, name="year_mark"),
]
