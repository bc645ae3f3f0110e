"""Background tasks of the organisation app (django-tasks; `kapabel db_worker` runs them)."""

from __future__ import annotations

from django_tasks import task


@task()
def run_hr_import(import_id: int, stage: str) -> None:
    """Check ("check"), apply ("apply") or check-then-apply ("run") an HR import."""
    from kapabel.organisation.hr_import.services import hrimport_process

    hrimport_process(import_id=import_id, stage=stage)
