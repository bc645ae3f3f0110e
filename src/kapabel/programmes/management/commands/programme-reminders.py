from typing import Any

from django.core.management.base import BaseCommand

from kapabel.programmes.services.reminders import reminders_send


class Command(BaseCommand):
    help = "E-mail programme coordinators about application drafts whose deadline is near (run daily)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = reminders_send()
        self.stdout.write(f"{count} application reminder(s) sent")
