from django.urls import path

from . import views

app_name = "suggestions"

ACTIONS = [
    "accept",
    "reject",
    "answer",
    "handle",
    "assign",
    "merge",
    "extend",
    "reply",
    "follow_up",
]

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.new, name="new"),
    path("bulk-assign/", views.bulk_assign, name="bulk_assign"),
    path("<int:suggestion_pk>/", views.detail, name="detail"),
    path("<int:suggestion_pk>/reveal/", views.reveal, name="reveal"),
    *[
        path(
            f"<int:suggestion_pk>/{action.replace('_', '-')}/",
            views.act,
            {"action": action},
            name=action,
        )
        for action in ACTIONS
    ],
    path(
        "assignments/<int:assignment_pk>/acknowledge/",
        views.assignment_acknowledge,
        name="acknowledge",
    ),
    path("assignments/<int:assignment_pk>/return/", views.assignment_return, name="return"),
    path("extensions/<int:extension_pk>/decide/", views.extension_decide, name="decide"),
    path("photos/<int:photo_pk>/", views.photo, name="photo"),
    path("attachments/<int:attachment_pk>/", views.attachment, name="attachment"),
    path("units/", views.unit_list, name="unit_list"),
    path("units/new/", views.unit_new, name="unit_new"),
    path("units/<int:unit_pk>/", views.unit_detail, name="unit_detail"),
    path("units/<int:unit_pk>/edit/", views.unit_edit, name="unit_edit"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_edit, name="template_new"),
    path("templates/<int:template_pk>/", views.template_edit, name="template_edit"),
    path("deadlines/", views.sla_list, name="sla_list"),
    path("deadlines/new/", views.sla_edit, name="sla_new"),
    path("deadlines/<int:sla_pk>/", views.sla_edit, name="sla_edit"),
    path("constituents/", views.constituent_list, name="constituent_list"),
    path(
        "constituents/<int:constituent_pk>/",
        views.constituent_detail,
        name="constituent_detail",
    ),
]
