from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore a `manage.py backup` archive into an EMPTY database and an EMPTY media "
        "folder (refuses anything else); verifies row counts and file checksums."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive")
        parser.add_argument(
            "--database-url", default=None, help="target database (default: DATABASE_URL)"
        )
        parser.add_argument(
            "--media-root", default=None, help="target media folder (default: MEDIA_ROOT)"
        )

    def handle(self, *args, archive, database_url=None, media_root=None, **options):
        try:
            result = restore(archive, database_url=database_url, media_root=media_root)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"restored {result.tables} tables ({result.rows} rows) and {result.files} files"
        )
