from django.urls import path

from . import public_views

app_name = "public_livelihood"

urlpatterns = [
    path("<str:cycle_token>/", public_views.cycle_page, name="page"),
]
