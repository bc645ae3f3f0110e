"""Background tasks for learning (django-tasks). There is no built-in scheduler: run
`kapabel learning-reminders --enqueue` daily from cron or a systemd timer (the db_worker then sends),
or `kapabel learning-reminders` to send at once. Either way each booking is reminded once."""

from __future__ import annotations

from django_tasks import task

from kapabel.learning import notifications


@task()
def send_learning_reminders() -> int:
    return len(notifications.reminders_send())
