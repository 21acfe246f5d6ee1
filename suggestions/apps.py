from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "suggestions"
    verbose_name = _("群众意见建议")

    def ready(self) -> None:
        from core.phones import PhoneKind, register_phone_kind

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
        from calendars.signals import calendar_changed

        from .deadlines import on_calendar_changed

        # Provisional due dates are counted again when holidays are edited.
        calendar_changed.connect(on_calendar_changed, dispatch_uid="suggestions.recount")
