from django.urls import path

from . import views

app_name = "proposals"

urlpatterns = [
    path("<int:proposal_pk>/", views.proposal_detail, name="detail"),
]
