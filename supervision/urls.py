from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:supervision_pk>/letter.pdf", views.letter, name="letter"),
    path("<int:supervision_pk>/key/", views.mark_key, name="mark_key"),
    path("suggestions/<int:suggestion_pk>/escalate/", views.escalate, name="escalate"),
    path("schedules/", views.schedules, name="schedules"),
]
