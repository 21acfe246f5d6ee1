from django.urls import path

from . import views

app_name = "livelihood"

urlpatterns = [
    path("", views.cycle_list, name="list"),
    path("<int:cycle_pk>/", views.cycle_detail, name="detail"),
    path("projects/<int:project_pk>/", views.project_detail, name="project"),
]
