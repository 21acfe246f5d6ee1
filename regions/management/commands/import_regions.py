from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from regions.services import read_region_csv, region_import


class Command(BaseCommand):
    help = "Import regions from a CSV with columns code,name,level,parent_code."

    def add_arguments(self, parser):
        parser.add_argument("csv_path", type=Path)
        parser.add_argument(
            "--under", default="", help="Keep only this code, its ancestors and its subtree."
        )

    def handle(self, *args, csv_path: Path, under: str, **options):
        if not csv_path.exists():
            raise CommandError(f"No such file: {csv_path}")
        report = region_import(rows=read_region_csv(csv_path, under=under))
        if report.errors:
            for error in report.errors:
                self.stderr.write(error)
            raise CommandError(f"{len(report.errors)} bad rows; nothing was imported.")
        self.stdout.write(
            f"created {report.created}, updated {report.updated}, unchanged {report.unchanged}"
        )
