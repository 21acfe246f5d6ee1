from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write the database and every file under MEDIA_ROOT into one dated archive."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=None,
            help="folder for the archive (default: LIANXIN_VAR_DIR/backups)",
        )

    def handle(self, *args, output=None, **options):
        folder = Path(output) if output else Path(settings.VAR_DIR) / "backups"
        try:
            archive = backup(folder)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(str(archive))
        return None
