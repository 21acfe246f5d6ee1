from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "suggestions"
    verbose_name = _("群众意见建议")

    def ready(self) -> None:
        from calendars.deadlines import register_mover
        from core.phones import PhoneKind, register_phone_kind

        from .deadlines import move_deadlines
        from .models import Constituent
        from .permissions import can_reveal_constituent

        register_phone_kind(
            PhoneKind(
                name="constituent",
                model=Constituent,
                number=lambda c: c.phone,
                may_reveal=can_reveal_constituent,
            )
        )
        # Reply, signing and return deadlines move when holidays are edited.
        register_mover("suggestions", move_deadlines)
