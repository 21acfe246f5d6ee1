from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionsConfig(AppConfig):
    name = "receptions"
    verbose_name = _("接待与进站")

    def ready(self) -> None:
        from stations.signals import station_moved

        from .services import follow_moved_station

        station_moved.connect(follow_moved_station, dispatch_uid="receptions.follow_moved_station")
