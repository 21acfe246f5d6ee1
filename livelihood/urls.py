from django.urls import path

from . import views

app_name = "livelihood"

urlpatterns = [
    path("", views.cycle_list, name="list"),
    path("new/", views.cycle_new, name="new"),
    path("mine/", views.mine, name="mine"),
    path("<int:cycle_pk>/", views.cycle_detail, name="detail"),
    path("<int:cycle_pk>/edit/", views.cycle_edit, name="edit"),
    path("<int:cycle_pk>/advance/", views.cycle_advance, name="advance"),
    path("<int:cycle_pk>/approvals/", views.approval_new, name="approval_new"),
    path("<int:cycle_pk>/poster.pdf", views.poster, name="poster"),
    path("<int:cycle_pk>/proposals/", views.proposal_list, name="proposals"),
    path("<int:cycle_pk>/proposals/import/", views.proposals_import, name="import"),
    path("<int:cycle_pk>/proposals/template.xlsx", views.import_template, name="import_template"),
    path(
        "<int:cycle_pk>/proposals/from-suggestion/",
        views.proposal_from_suggestion,
        name="from_suggestion",
    ),
    path("<int:cycle_pk>/projects/new/", views.project_new, name="project_new"),
    path("<int:cycle_pk>/members/", views.members, name="members"),
    path("<int:cycle_pk>/session/", views.session, name="session"),
    path("<int:cycle_pk>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    path("<int:cycle_pk>/notice.pdf", views.notice_pdf, name="notice"),
    path("proposals/<int:livelihood_proposal_pk>/decide/", views.proposal_decide, name="decide"),
    path("rounds/<int:round_pk>/", views.round_detail, name="round"),
    path("rounds/<int:round_pk>/totals/", views.round_totals, name="round_totals"),
    path("rounds/<int:round_pk>/ballot/", views.round_ballot, name="round_ballot"),
    path("rounds/<int:round_pk>/close/", views.round_close, name="round_close"),
    path("rounds/<int:round_pk>/confirm/", views.round_confirm, name="round_confirm"),
    path("rounds/<int:round_pk>/correct/", views.round_correct, name="round_correct"),
    path("rounds/<int:round_pk>/vote/", views.vote, name="vote"),
    path("projects/<int:project_pk>/", views.project_detail, name="project"),
    path("projects/<int:project_pk>/plan/", views.project_plan, name="plan"),
    path("projects/<int:project_pk>/progress/", views.project_progress, name="progress"),
    path("projects/<int:project_pk>/inspection/", views.project_inspection, name="inspection"),
    path("projects/<int:project_pk>/supervisors/", views.project_supervisors, name="supervisors"),
    path("projects/<int:project_pk>/explain/", views.project_explain, name="explain"),
    path("projects/<int:project_pk>/carry/", views.project_carry, name="carry"),
    path("problems/<int:problem_pk>/resolve/", views.problem_resolve, name="resolve"),
]
