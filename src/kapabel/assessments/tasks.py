"""Background task for reminders (django-tasks). There is no built-in scheduler: run
`kapabel send_reminders --enqueue` daily from cron or a systemd timer (the db_worker then sends), or
`kapabel send_reminders` to send at once."""

from __future__ import annotations

from django_tasks import task

from kapabel.assessments import services


@task()
def send_reminders() -> dict[str, int]:
    return services.reminders_send()
