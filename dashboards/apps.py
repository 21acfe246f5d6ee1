from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    name = "dashboards"
    verbose_name = _("统计看板")

    def ready(self) -> None:
        from accounts.roles import Role
        from core.workbench import register_item

        from . import workbench

        register_item(
            "dashboards.leader",
            roles=(Role.LEADER,),
            order=5,
            title=_("本年度主要数据"),
            items=workbench.leader_items,
        )
