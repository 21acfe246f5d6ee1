from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("代表建议")

    def ready(self) -> None:
        from dashboards.panels import register_panel

        from .selectors import dashboard_panel

        # The region dashboard (and its parents') shows the bodies' yearly figures.
        register_panel(
            "proposals", template="proposals/_dashboard_panel.html", context=dashboard_panel
        )

        from accounts.roles import Role
        from core.workbench import register_item

        from . import workbench

        register_item(
            "proposals.deputy",
            roles=(Role.DEPUTY,),
            order=13,
            title=_("代表建议"),
            items=workbench.deputy_items,
        )
