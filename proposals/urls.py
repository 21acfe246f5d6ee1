from django.urls import path

from . import views

app_name = "proposals"

urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("new/", views.proposal_new, name="new"),
    path("paper/", views.proposal_paper, name="paper"),
    path("figures/", views.figures_page, name="figures"),
    path("ledger/", views.ledger_start, name="ledger"),
    path("supervised/", views.supervised, name="supervised"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/<int:proposal_meeting_pk>/", views.meeting_detail, name="meeting"),
    path("settings/<str:region_code>/", views.settings_page, name="settings"),
    path("files/<int:file_pk>/", views.attachment_download, name="file"),
    path("<int:proposal_pk>/", views.proposal_detail, name="detail"),
    path("<int:proposal_pk>/edit/", views.proposal_edit, name="edit"),
    path("<int:proposal_pk>/attach/", views.attachment_add, name="attach"),
    path("<int:proposal_pk>/step/<str:step>/", views.proposal_step, name="step"),
    path("<int:proposal_pk>/refuse/", views.proposal_refuse, name="refuse"),
    path("<int:proposal_pk>/merge/", views.proposal_merge, name="merge"),
    path("<int:proposal_pk>/assign/", views.proposal_assign, name="assign"),
    path("<int:proposal_pk>/plan/", views.proposal_plan, name="plan"),
    path("<int:proposal_pk>/contact/", views.proposal_contact, name="contact"),
    path("<int:proposal_pk>/extend/", views.proposal_extend, name="extend"),
    path("<int:proposal_pk>/extension/", views.proposal_decide_extension, name="decide_extension"),
    path("<int:proposal_pk>/reply/", views.proposal_reply, name="reply"),
    path("<int:proposal_pk>/rate/", views.proposal_rate, name="rate"),
    path("<int:proposal_pk>/promise/", views.proposal_report_promise, name="report_promise"),
    path("<int:proposal_pk>/supervise/", views.proposal_supervise, name="supervise"),
    path("<int:proposal_pk>/publication/", views.proposal_publication, name="publication"),
    path(
        "assignments/<int:proposal_assignment_pk>/return/", views.assignment_return, name="return"
    ),
    path(
        "assignments/<int:proposal_assignment_pk>/co-view/",
        views.assignment_co_view,
        name="co_view",
    ),
]
