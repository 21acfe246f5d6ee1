from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "suggestions"
    verbose_name = _("群众意见建议")

    def ready(self) -> None:
        from calendars.deadlines import register_mover

        from .deadlines import move_deadlines

        # Reply, signing and return deadlines move when holidays are edited.
        register_mover("suggestions", move_deadlines)
