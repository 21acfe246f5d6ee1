from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

# Each app seeds its part of the demo world, in dependency order. Every seeder is
# idempotent: running the command twice leaves one copy of everything.
SEEDERS = [
    "regions.demo.seed",
    "accounts.demo.seed",
]


class Command(BaseCommand):
    help = "Build (or complete) the demo city of Lvliang with accounts for every role."

    def handle(self, *args, **options):
        for dotted in SEEDERS:
            with transaction.atomic():
                import_string(dotted)(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("demo world ready"))
