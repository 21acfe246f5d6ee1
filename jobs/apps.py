from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("后台任务")

    def ready(self) -> None:
        # Each app registers its job kinds in <app>/job_kinds.py (see jobs.registry).
        autodiscover_modules("job_kinds")
