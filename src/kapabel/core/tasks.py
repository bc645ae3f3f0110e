"""Background tasks of the shell (django-tasks; `kapabel db_worker` runs them)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_mails(messages: list[dict[str, str]]) -> int:
    """Send a batch of e-mails queued by `kapabel.core.mail.send_after_commit`."""
    from kapabel.core.mail import deliver

    return deliver(messages)
