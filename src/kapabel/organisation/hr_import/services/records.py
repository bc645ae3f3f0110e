"""The import record's bookkeeping while a process works on it: status, progress, heartbeat, outcome.

A process that works on an import (checking or applying it) shows it is alive by touching the row's
`heartbeat_at` as it goes (outside the import's transaction, at most every few seconds). Another
process may mark an import whose heartbeat has stopped failed (see `liveness`); a process that finds
its import so marked stops (`Abandoned`), so it never writes over that verdict or writes data after it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.utils import timezone

from kapabel.organisation.hr_import.engine import Progress
from kapabel.organisation.hr_import.reading import Problem
from kapabel.organisation.models import HRIMPORT_RUNNING, HRImport

MAX_PROBLEMS = 500
HEARTBEAT_SECONDS = 5.0
# Given up on for good: a process still working on such an import must stop.
ABANDONED = (HRImport.Status.FAILED, HRImport.Status.DISCARDED)


class Abandoned(Exception):
    """The import was marked failed (its process taken for dead) or discarded while this process
    worked on it: stop, and leave the record as it is."""


def store_problems(hr_import: HRImport, problems: list[Problem]) -> None:
    hr_import.error_count = sum(1 for p in problems if p.severity == "error")
    hr_import.warning_count = len(problems) - hr_import.error_count
    hr_import.problems = [p.as_dict() for p in problems[:MAX_PROBLEMS]]


def finish(hr_import: HRImport, status: str, problems: list[Problem]) -> None:
    """Record the outcome. The kept files and rows go unless the import waits for confirmation."""
    if (
        hr_import.status in HRIMPORT_RUNNING
        and status != HRImport.Status.FAILED
        and HRImport.objects.filter(pk=hr_import.pk, status__in=ABANDONED).exists()
    ):
        raise Abandoned
    hr_import.status = status
    store_problems(hr_import, problems)
    hr_import.finished_at = timezone.now()
    hr_import.upload = None  # the files as uploaded are needed only until they have been read
    if status != HRImport.Status.READY:
        hr_import.payload = None  # HR data is kept only while it is needed
    hr_import.save()


def set_status(hr_import: HRImport, status: str, label: str = "") -> None:
    """Move on to the next step (with a heartbeat); Abandoned when the import was given up on."""
    now = timezone.now()
    updated = (
        HRImport.objects.filter(pk=hr_import.pk)
        .exclude(status__in=ABANDONED)
        .update(status=status, progress_label=label, heartbeat_at=now)
    )
    if not updated:
        raise Abandoned
    hr_import.status, hr_import.progress_label, hr_import.heartbeat_at = status, label, now


def heartbeat(hr_import: HRImport) -> Callable[[], None]:
    """A sign of life for the import, written at most every few seconds. Call it outside the import's
    transaction: inside, others would not see it (and on SQLite it would wait for the write lock)."""
    last = [time.monotonic()]

    def beat() -> None:
        now = time.monotonic()
        if now - last[0] < HEARTBEAT_SECONDS:
            return
        last[0] = now
        HRImport.objects.filter(pk=hr_import.pk).update(heartbeat_at=timezone.now())

    return beat


def record_progress(hr_import: HRImport) -> Progress:
    """A progress callback that writes to the import row (with a heartbeat) at most twice a second,
    outside the import's transaction, so the web page can poll it."""
    last = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5 and done < total:
            return
        last[0] = now
        HRImport.objects.filter(pk=hr_import.pk).update(
            progress_label=stage, progress_done=done, progress_total=total, heartbeat_at=timezone.now()
        )

    return progress


def beating(hr_import: HRImport, progress: Progress | None) -> Progress:
    """The caller's progress callback (a progress bar) with the import's heartbeat, or, without one,
    progress recorded on the import row (which beats too)."""
    if progress is None:
        return record_progress(hr_import)
    beat = heartbeat(hr_import)
    shown = progress

    def both(stage: str, done: int, total: int) -> None:
        shown(stage, done, total)
        beat()

    return both
