from django.urls import path

from . import public_views

app_name = "public_proposals"

urlpatterns = [
    path("<str:region_code>/", public_views.body_results, name="body"),
]
