"""Exit non-zero when beat's heartbeat is stale: the health check of a beat container.

beat sends `core.tasks.heartbeat` every minute and a default worker records it, so a
recent row means a beat holds the lock and schedules (a standby beat is healthy as
long as some beat does).
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from core import clock
from core.models import Heartbeat


class Command(BaseCommand):
    help = "Check that the periodic schedule runs (beat's heartbeat is recent)."

    def add_arguments(self, parser):
        parser.add_argument("--max-age", type=int, default=300, help="seconds")

    def handle(self, *args, max_age: int, **options):
        beat = Heartbeat.objects.filter(name="beat").first()
        if beat is None or clock.now() - beat.at > timedelta(seconds=max_age):
            raise CommandError(f"no beat heartbeat in the last {max_age} s")
        self.stdout.write(f"beat heartbeat at {beat.at.isoformat()}")
