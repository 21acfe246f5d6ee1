from django.urls import path

from . import views

app_name = "legislation"

urlpatterns = [
    path("", views.consultation_list, name="list"),
    path("new/", views.consultation_new, name="new"),
    path("<int:consultation_pk>/", views.consultation_detail, name="detail"),
    path("<int:consultation_pk>/edit/", views.consultation_edit, name="edit"),
    path("<int:consultation_pk>/text/", views.consultation_text, name="text"),
    path("<int:consultation_pk>/publish/", views.consultation_publish, name="publish"),
    path(
        "<int:consultation_pk>/articles/<int:article_number>/",
        views.article_detail,
        name="article",
    ),
    # A point's part in a consultation.
    path("points/<int:participation_pk>/", views.participation_detail, name="participation"),
    path("points/<int:participation_pk>/comment/", views.comment_as_deputy, name="comment"),
    path("points/<int:participation_pk>/record/", views.comment_record, name="record"),
    path("points/<int:participation_pk>/import/", views.comments_import, name="import"),
    path(
        "points/<int:participation_pk>/import/template.xlsx",
        views.import_template,
        name="import_template",
    ),
    path("points/<int:participation_pk>/summary/", views.summary_sheet, name="summary"),
    path("points/<int:participation_pk>/opinion/", views.opinion_save, name="opinion"),
    path("points/<int:participation_pk>/documents/", views.documents, name="documents"),
    path("points/<int:participation_pk>/send/", views.participation_send, name="send"),
    path("points/<int:participation_pk>/reopen/", views.participation_reopen, name="reopen"),
    path("points/<int:participation_pk>/feedback/", views.feedback, name="feedback"),
    path("points/<int:participation_pk>/feedback/done/", views.feedback_done, name="feedback_done"),
    path("points/<int:participation_pk>/meetings/new/", views.meeting_new, name="meeting_new"),
    path("points/<int:participation_pk>/poster.pdf", views.poster, name="poster"),
    path("comments/<int:comment_pk>/decide/", views.comment_decide, name="decide"),
    # The collectors' register.
    path("collectors/", views.collector_list, name="collectors"),
    path("collectors/new/", views.collector_new, name="collector_new"),
    path("collectors/<int:collector_pk>/edit/", views.collector_edit, name="collector_edit"),
    path(
        "collectors/<int:collector_pk>/link/",
        views.collector_renew_link,
        name="collector_renew_link",
    ),
]
