from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "open311"
    verbose_name = _("开放接口（Open311）")
