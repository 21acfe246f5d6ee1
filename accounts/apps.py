from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("账号与角色")

    def ready(self):
        from django.contrib import admin

        from . import signals  # noqa: F401
        from .login_views import admin_login

        admin.site.login = admin_login
