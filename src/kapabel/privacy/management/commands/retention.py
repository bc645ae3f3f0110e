import datetime

from django.core.management.base import BaseCommand, CommandError

from kapabel.core.models import Municipality
from kapabel.privacy import services
from kapabel.privacy.tasks import RETENTION_ACTOR, apply_retention


class Command(BaseCommand):
    help = (
        "Apply each municipality's retention rule: anonymise the people who left long enough ago. "
        "--dry-run lists whom it would anonymise and changes nothing. Run nightly from cron or a "
        "systemd timer (or with --enqueue, for kapabel db_worker)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list who is due; change nothing")
        parser.add_argument("--municipality", help="only this municipality (municipality code)")
        parser.add_argument("--date", help="as on this day (YYYY-MM-DD) instead of today; for a dry run")
        parser.add_argument("--enqueue", action="store_true", help="enqueue the background task instead")

    def handle(self, *args, dry_run=False, municipality=None, date=None, enqueue=False, **options):
        if enqueue:
            if dry_run or municipality or date:
                raise CommandError("--enqueue runs the task for every municipality, today, for real.")
            result = apply_retention.enqueue()
            self.stdout.write(f"enqueued {result.id}")
            return
        day = None
        if date:
            try:
                day = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"--date {date!r} is not a date (YYYY-MM-DD).") from None
            if not dry_run:
                raise CommandError("--date is for dry runs only.")
        municipalities = Municipality.objects.order_by("name")
        if municipality:
            municipalities = municipalities.filter(kommunekode=municipality)
            if not municipalities.exists():
                raise CommandError(f"No municipality has the code {municipality!r}.")
        reports = services.retention_run(
            municipalities=list(municipalities), dry_run=dry_run, actor=RETENTION_ACTOR, day=day
        )
        for report in reports:
            name = f"{report.municipality.name} ({report.municipality.kommunekode})"
            if report.rule is None:
                self.stdout.write(f"{name}: no retention rule in force")
                continue
            verb = "would anonymise" if dry_run else "anonymised"
            count = len(report.due) if dry_run else report.anonymised
            self.stdout.write(
                f"{name}: anonymise {report.rule.years} years after employment ended "
                f"(left on or before {report.cutoff:%Y-%m-%d}); {verb} {count}"
            )
            if dry_run:
                for employee in report.due:
                    self.stdout.write(
                        f"  #{employee.pk}\t{employee.name}\t{employee.unit.name}\t"
                        f"left {employee.employment_end:%Y-%m-%d}"
                    )
            if report.without_end_date:
                self.stdout.write(
                    f"  {report.without_end_date} former employees have no end date (not reached)"
                )
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
