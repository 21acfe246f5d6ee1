from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


def demo_seeders():
    """Each app's `demo.seed`, in INSTALLED_APPS order (which is dependency order)."""
    for config in apps.get_app_configs():
        module_name = f"{config.name}.demo"
        if find_spec(module_name) is not None:
            yield config.name, import_module(module_name).seed


class Command(BaseCommand):
    help = "Build (or complete) the demo city of Lvliang with accounts for every role."

    def handle(self, *args, **options):
        # Every seeder is idempotent: running the command twice leaves one copy.
        for _app, seed in demo_seeders():
            with transaction.atomic():
                seed(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("demo world ready"))
