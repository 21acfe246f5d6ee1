from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("<str:phone_kind>/<int:phone_pk>/reveal/", views.phone_reveal, name="phone_reveal"),
]
