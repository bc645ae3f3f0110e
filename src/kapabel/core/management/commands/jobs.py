"""`kapabel jobs`: the latest runs of the long writes (framework imports, gap rebuilds) and how they
ended; `--failed` only those that failed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from kapabel.core.models import JobRun


class Command(BaseCommand):
    help = "List the latest runs of long writes (framework imports, gap rebuilds) and how they ended."

    def add_arguments(self, parser):
        parser.add_argument("--failed", action="store_true", help="only the runs that failed")
        parser.add_argument("--limit", type=int, default=20)

    def handle(self, *args: Any, failed: bool, limit: int, **options: Any) -> None:
        runs = JobRun.objects.select_related("municipality")
        if failed:
            runs = runs.filter(status=JobRun.Status.FAILED)
        for run in runs[: max(1, limit)]:
            where = run.municipality.kommunekode if run.municipality else "-"
            ended = f"{run.finished_at:%Y-%m-%d %H:%M:%S}" if run.finished_at else "-"
            self.stdout.write(
                f"#{run.pk}\t{run.kind}\t{where}\t{run.status}\t{run.started_at:%Y-%m-%d %H:%M:%S}\t{ended}"
                f"\t{run.stage}\t{run.error}\t{run.actor_label}\t{run.description}"
            )
