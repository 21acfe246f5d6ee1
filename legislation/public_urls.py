from django.urls import path

from . import public_views

app_name = "public_legislation"

# Short paths: they are printed as QR codes on the points' walls.
urlpatterns = [
    path("r/<str:submission_token>/", public_views.receipt, name="receipt"),
    path("c/<str:collector_token>/", public_views.collector, name="collector"),
    path("<str:participation_token>/", public_views.consultation_page, name="page"),
    path("<str:participation_token>/qr.png", public_views.consultation_qr, name="qr"),
    path("<str:participation_token>/comment/", public_views.comment_form, name="comment"),
    path(
        "<str:participation_token>/a/<int:article_number>/",
        public_views.comment_form,
        name="article",
    ),
]
