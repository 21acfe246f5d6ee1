"""`manage.py check_rollups`: compare the dashboards' rollups with a live count."""

from django.core.management.base import BaseCommand

from dashboards.consistency import check_rollups


class Command(BaseCommand):
    help = "Compare the monthly rollups of a sample of regions with a live count; repair."

    def add_arguments(self, parser):
        parser.add_argument("--sample", type=int, default=50, help="regions to check")
        parser.add_argument("--seed", type=int, default=None)
        parser.add_argument("--no-repair", action="store_true", help="report only")

    def handle(self, *args, sample, seed, no_repair, **options):
        report = check_rollups(sample=sample, repair=not no_repair, seed=seed)
        for difference in report.differences[:200]:
            self.stdout.write(str(difference))
        verb = "reported" if no_repair else "repaired"
        self.stdout.write(
            f"{report.regions} regions, {report.months} months checked: "
            f"{len(report.differences)} differences; "
            f"{len(report.repaired_months)} months {verb if report.differences else 'clean'}"
        )
        if report.differences and no_repair:
            raise SystemExit(1)
