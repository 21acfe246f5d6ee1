from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalendarsConfig(AppConfig):
    name = "calendars"
    verbose_name = _("工作日历")

    def ready(self) -> None:
        from .signals import calendar_changed

        calendar_changed.connect(_queue_moves, dispatch_uid="calendars.move_deadlines")


def _queue_moves(sender=None, years=None, region_path: str = "", **kwargs) -> None:
    """Sent inside the editor's transaction: the moves run in a worker once it commits."""
    if years:
        from core.outbox import enqueue

        enqueue("calendars.tasks.move_deadlines", years=sorted(years), region_path=region_path)
