from django.urls import path

from . import views

app_name = "deputies"

urlpatterns = [
    path("", views.deputy_list, name="list"),
    path("new/", views.deputy_new, name="new"),
    path("export/", views.deputy_export, name="export"),
    path("import/", views.deputy_import, name="import"),
    path("import/confirm/", views.deputy_import_confirm, name="import_confirm"),
    path("import/template/", views.deputy_import_template, name="import_template"),
    path("groups/", views.group_list, name="groups"),
    path("groups/new/", views.group_new, name="group_new"),
    path("groups/<int:group_pk>/", views.group_detail, name="group_detail"),
    path("groups/<int:group_pk>/edit/", views.group_edit, name="group_edit"),
    path("groups/<int:group_pk>/members/", views.group_members, name="group_members"),
    path("<int:deputy_pk>/", views.deputy_detail, name="detail"),
    path("<int:deputy_pk>/edit/", views.deputy_edit, name="edit"),
    path("<int:deputy_pk>/photo/", views.deputy_photo, name="photo"),
    path("<int:deputy_pk>/groups/", views.deputy_join_group, name="join_group"),
    path("<int:deputy_pk>/memberships/new/", views.membership_new, name="membership_new"),
    path("memberships/<int:membership_pk>/end/", views.membership_end, name="membership_end"),
]
