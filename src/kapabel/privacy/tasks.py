"""The retention task (django-tasks). There is no built-in scheduler: run `kapabel retention --enqueue`
nightly from cron or a systemd timer (the db_worker then runs it), or `kapabel retention` to run it at
once. It returns counts only, never names (task results are stored)."""

from __future__ import annotations

from django_tasks import task

from kapabel.core.models import Municipality
from kapabel.privacy import services

RETENTION_ACTOR = "retention"


@task()
def apply_retention() -> dict[str, int]:
    reports = services.retention_run(
        municipalities=list(Municipality.objects.order_by("pk")), dry_run=False, actor=RETENTION_ACTOR
    )
    return {
        "municipalities": len(reports),
        "due": sum(len(r.due) for r in reports),
        "anonymised": sum(r.anonymised for r in reports),
    }
