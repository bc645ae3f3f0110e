from typing import Any

from django.core.management.base import BaseCommand

from kapabel.dialogues.services import reminders_send


class Command(BaseCommand):
    help = "Send the reminders of development-plan follow-ups due within a week (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = reminders_send()
        self.stdout.write(f"{count} follow-up reminder(s) sent")
