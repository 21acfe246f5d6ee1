from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LivelihoodConfig(AppConfig):
    name = "livelihood"
    verbose_name = _("民生实事项目票决")

    def ready(self) -> None:
        from dashboards.panels import register_panel

        from .selectors import dashboard_panel

        # The region dashboard (and its parents') shows the cycles' summary.
        register_panel(
            "livelihood", template="livelihood/_dashboard_panel.html", context=dashboard_panel
        )
