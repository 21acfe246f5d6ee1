from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeputiesConfig(AppConfig):
    name = "deputies"
    verbose_name = _("人大代表")

    def ready(self) -> None:
        from core.phones import PhoneKind, register_phone_kind
        from stations.permissions import can_reveal_deputy_phone

        from .models import Deputy

        # A deputy's private number is personal data; a published one (phone_public) is not.
        register_phone_kind(
            PhoneKind(
                name="deputy",
                model=Deputy,
                number=lambda deputy: deputy.phone,
                public=lambda deputy: deputy.phone_public,
                may_reveal=can_reveal_deputy_phone,
            )
        )
