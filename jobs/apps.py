from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "jobs"
    verbose_name = _("后台任务")

    def ready(self) -> None:
        # Each app registers its job kinds in <app>/job_kinds.py (see jobs.registry).
        autodiscover_modules("job_kinds")

        from accounts.roles import STAFF
        from core.workbench import register_item

        from . import workbench

        register_item(
            "jobs.finished",
            roles=STAFF,
            order=30,
            title=_("后台任务"),
            items=workbench.finished_items,
        )
