from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegislationConfig(AppConfig):
    name = "legislation"
    verbose_name = _("基层立法联系点")

    def ready(self) -> None:
        from core.phones import PhoneKind, register_phone_kind

        from .models import Collector
        from .permissions import can_reveal_collector_phone

        register_phone_kind(
            PhoneKind(
                name="collector",
                model=Collector,
                number=lambda c: c.phone,
                may_reveal=can_reveal_collector_phone,
            )
        )
        from dashboards.panels import register_panel

        from .selectors import dashboard_panel

        # The region dashboard (and its parents') shows the points' yearly figures.
        register_panel(
            "legislation", template="legislation/_dashboard_panel.html", context=dashboard_panel
        )
