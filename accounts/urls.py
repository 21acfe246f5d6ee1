from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("accounts/", views.user_list, name="user_list"),
    path("accounts/new/", views.user_new, name="user_new"),
    path("accounts/<int:user_pk>/", views.user_detail, name="user_detail"),
    path("accounts/<int:user_pk>/active/", views.user_toggle_active, name="user_toggle_active"),
    path("accounts/<int:user_pk>/password/", views.user_password_reset, name="user_password_reset"),
]
