from django.urls import path

from . import public_views

app_name = "public_livelihood"

# Short paths: they are printed as QR codes on posters.
urlpatterns = [
    path("r/<str:receipt_token>/", public_views.receipt, name="receipt"),
    path("p/<str:project_token>/", public_views.project_page, name="project"),
    path("<str:cycle_token>/", public_views.cycle_page, name="page"),
    path("<str:cycle_token>/propose/", public_views.propose, name="propose"),
    path("<str:cycle_token>/qr.png", public_views.cycle_qr, name="qr"),
    path("<str:cycle_token>/results/", public_views.results, name="results"),
    path("<str:cycle_token>/notice.pdf", public_views.notice, name="notice"),
]
