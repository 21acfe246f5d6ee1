from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "suggestions"
    verbose_name = _("群众意见建议")

    def ready(self) -> None:
        from calendars.signals import calendar_changed

        from .deadlines import on_calendar_changed

        # Provisional due dates are counted again when holidays are edited.
        calendar_changed.connect(on_calendar_changed, dispatch_uid="suggestions.recount")
