from django.urls import path, re_path

from . import views

app_name = "open311"

FMT = r"\.(?P<fmt>[a-z]+)$"

urlpatterns = [
    re_path(r"^v2/discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^v2/services" + FMT, views.service_list, name="services"),
    re_path(
        r"^v2/services/(?P<service_code>[\w-]+)" + FMT, views.service_definition, name="service"
    ),
    re_path(r"^v2/requests" + FMT, views.request_list, name="requests"),
    re_path(
        r"^v2/requests/(?P<service_request_id>[\w-]+)" + FMT, views.request_detail, name="request"
    ),
    re_path(r"^v2/tokens/(?P<token>[\w-]+)" + FMT, views.token_detail, name="token"),
    path("clients/", views.client_list, name="client_list"),
    path("clients/new/", views.client_new, name="client_new"),
    path("clients/<int:client_pk>/revoke/", views.client_revoke, name="client_revoke"),
]
