from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


def demo_seeders():
    """Each app's `demo.seed`, in INSTALLED_APPS order (which is dependency order)."""
    for config in apps.get_app_configs():
        module_name = f"{config.name}.demo"
        if find_spec(module_name) is not None:
            yield config.name, import_module(module_name).seed


class Command(BaseCommand):
    help = "Build (or complete) the demo city of Lvliang with accounts for every role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Seed even with LIANXIN_ENV=production."
        )

    def handle(self, *args, force: bool = False, **options):
        from django.conf import settings

        if settings.PRODUCTION and not force:
            # The demo world has well-known passwords; it has no place in production.
            raise CommandError("Refusing to seed demo accounts in production (use --force).")
        # Every seeder is idempotent: running the command twice leaves one copy.
        for _app, seed in demo_seeders():
            with transaction.atomic():
                seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("demo world ready"))
