from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionsConfig(AppConfig):
    name = "receptions"
    verbose_name = _("接待与进站")

    def ready(self) -> None:
        from core.phones import PhoneKind, register_phone_kind
        from stations.signals import station_moved

        from .models import ContactHousehold
        from .permissions import can_reveal_household_phone
        from .services import follow_moved_station

        station_moved.connect(follow_moved_station, dispatch_uid="receptions.follow_moved_station")
        register_phone_kind(
            PhoneKind(
                name="household",
                model=ContactHousehold,
                number=lambda h: h.constituent.phone if h.constituent_id else "",
                may_reveal=can_reveal_household_phone,
            )
        )

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
            order=11,
            title=_("进站值班"),
            items=workbench.deputy_items,
        )
