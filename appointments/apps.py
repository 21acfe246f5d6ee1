from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AppointmentsConfig(AppConfig):
    name = "appointments"
    verbose_name = _("约见与述职评议")

    def ready(self) -> None:
        from dashboards.panels import register_panel

        from .selectors import dashboard_panel

        # The region dashboard shows leaders' station days (领导干部进站), bookings,
        # meetings with government bodies and report-backs.
        register_panel(
            "appointments", template="appointments/_dashboard_panel.html", context=dashboard_panel
        )

        from accounts.roles import Role
        from core.workbench import register_item

        from . import workbench

        register_item(
            "appointments.station",
            roles=(Role.STATION_OFFICER,),
            order=22,
            title=_("群众约见"),
            items=workbench.station_items,
        )
