from django.core.management.base import BaseCommand

from kapabel.learning import notifications
from kapabel.learning.tasks import send_learning_reminders


class Command(BaseCommand):
    help = (
        "Send the learning reminders due today: to everyone booked on a cohort that starts within the "
        "municipality's reminder days, with the calendar invitation. Safe to run more than once a day: "
        "each booking is reminded once. Run daily from cron or a systemd timer."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Enqueue the background task instead (kapabel db_worker sends).",
        )

    def handle(self, *args, enqueue: bool, **options):
        if enqueue:
            result = send_learning_reminders.enqueue()
            self.stdout.write(f"enqueued {result.id}")
            return
        sent = notifications.reminders_send()
        self.stdout.write(f"reminders={len(sent)}")
