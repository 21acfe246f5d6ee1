from django.core.management.base import BaseCommand

from supervision.beat import ensure_default_schedules


class Command(BaseCommand):
    help = "Create the default periodic tasks (settings.CELERY_BEAT_SCHEDULE) that are missing."

    def handle(self, *args, **options):
        created = ensure_default_schedules()
        if options["verbosity"]:
            for name in created:
                self.stdout.write(f"created schedule {name}")
