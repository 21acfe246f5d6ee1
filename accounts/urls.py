from django.contrib.auth import views as auth_views
from django.urls import path

from . import login_views, views

app_name = "accounts"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", login_views.LoginView.as_view(), name="login"),
    path("login/verify/", login_views.login_verify, name="login_verify"),
    path("login/second-factor/", login_views.login_second_factor, name="login_second_factor"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.password_change, name="password_change"),
    path("security/", views.security, name="security"),
    path("security/totp/", views.security_totp, name="security_totp"),
    path("security/sms/", views.security_sms, name="security_sms"),
    path("security/recovery/", views.security_recovery, name="security_recovery"),
    path("security/remove/", views.security_remove, name="security_remove"),
    path("security/rules/", views.two_factor_rules, name="two_factor_rules"),
    path(
        "security/rules/<int:tfa_rule_pk>/delete/",
        views.two_factor_rule_delete,
        name="two_factor_rule_delete",
    ),
    path("accounts/", views.user_list, name="user_list"),
    path("accounts/new/", views.user_new, name="user_new"),
    path("accounts/<int:user_pk>/", views.user_detail, name="user_detail"),
    path("accounts/<int:user_pk>/active/", views.user_toggle_active, name="user_toggle_active"),
    path("accounts/<int:user_pk>/password/", views.user_password_reset, name="user_password_reset"),
    path("accounts/<int:user_pk>/unlock/", views.user_unlock, name="user_unlock"),
    path(
        "accounts/<int:user_pk>/second-factor/reset/",
        views.user_second_factor_reset,
        name="user_second_factor_reset",
    ),
]
