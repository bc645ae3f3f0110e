from django.core.management.base import BaseCommand

from kapabel.assessments import services
from kapabel.assessments.tasks import send_reminders


class Command(BaseCommand):
    help = (
        "Send the clarification reminders due today (to people who have not submitted and to managers "
        "with pending assessments). Run daily from cron or a systemd timer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Enqueue the background task instead (kapabel db_worker sends).",
        )

    def handle(self, *args, enqueue: bool, **options):
        if enqueue:
            result = send_reminders.enqueue()
            self.stdout.write(f"enqueued {result.id}")
            return
        sent = services.reminders_send()
        self.stdout.write(
            f"campaigns={sent['campaigns']} participants={sent['participants']} managers={sent['managers']}"
        )
