from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionsConfig(AppConfig):
    name = "receptions"
    verbose_name = _("接待与进站")

    def ready(self) -> None:
        from stations.signals import station_moved

        from .services import follow_moved_station

        station_moved.connect(follow_moved_station, dispatch_uid="receptions.follow_moved_station")

        from accounts.roles import Role
        from core.workbench import register_item

        from . import workbench

        register_item(
            "receptions.station",
            roles=(Role.STATION_OFFICER,),
            order=20,
            title=_("进站接待"),
            items=workbench.station_items,
        )
        register_item(
            "receptions.deputy",
            roles=(Role.DEPUTY,),
            order=21,
            title=_("进站值班"),
            items=workbench.deputy_items,
        )
