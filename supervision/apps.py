from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("督办与提醒")

    def ready(self) -> None:
        from calendars.deadlines import register_mover

        from .tracking import move_tracked

        # Every tracked deadline (formal suggestions, plans, appointments...) moves
        # when holidays are edited, like the suggestions' own.
        register_mover("tracked", move_tracked)

        from accounts.roles import STAFF
        from core.workbench import register_item

        from . import workbench

        register_item(
            "supervision.staff",
            roles=STAFF,
            order=15,
            title=_("督办"),
            items=workbench.staff_items,
        )
