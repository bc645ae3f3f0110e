"""Long writes that leave a record of how they ended, even when their process is killed.

A long write (a framework import, a gap rebuild; the HR import keeps its own richer record) runs in
one transaction, so a crash or a kill leaves the data as it was. What a kill would not leave is a
trace: the write just never happened. `long_write` adds one:

    with jobs.long_write("competences.framework_import", municipality=m, actor=actor) as run:
        ...                                   # the write, inside the transaction
        run.progress("competences", done, total)

- before the transaction, a `JobRun` row is committed as "running";
- the transaction then locks that row (PostgreSQL: the row lock; SQLite: the database's write lock,
  held from BEGIN IMMEDIATE), so while the write lives no one can take it for dead;
- at the end of the block the row is marked "succeeded" inside the same transaction, so the mark and
  the data commit together; an exception rolls the data back and marks the row "failed" (with the
  error's class, never its message: it may quote data);
- a process killed outright (SIGKILL, a lost worker, the machine going down) leaves the row "running"
  and unlocked: `jobrun_fail_dead` (run by `kapabel watchdog`) marks it failed — "stopped without
  finishing; nothing was written" — once the lease `KAPABEL_IMPORT_LEASE_MINUTES` has passed.

Called inside a transaction that is already open (a test, or a caller whose own write includes this
one — e.g. the HR import rebuilding the gap tables), the block simply joins that transaction and
leaves no record of its own: the outer write owns the outcome and its record.

`run.progress(stage, …)` names the step the write has reached; it also calls the checkpoint hooks,
through which the fault tests stop a write at a chosen step (in a subprocess) and kill it there
(`kapabel.testing.faults`). A new long write (e.g. a bulk enrolment) wraps its service in
`long_write` and reports a stage after it has written its first rows; the kill test in
tests/ops/test_kill.py then covers it with one more entry.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from kapabel.core.audit import Actor, actor_label
from kapabel.core.models import JobRun, Municipality

logger = logging.getLogger("kapabel.jobs")

STOPPED = "stopped"  # the error of a run whose process died
# Checkpoint hooks: called with (kind, stage) at every `progress` (tests only; see kapabel.testing.faults).
_checkpoint_hooks: list[Callable[[str, str], None]] = []
# Watchdogs of long writes with records of their own (the HR import): name -> "mark the dead failed".
_watchdogs: dict[str, Callable[[], Collection[int]]] = {}


def add_checkpoint_hook(hook: Callable[[str, str], None]) -> None:
    _checkpoint_hooks.append(hook)


def checkpoint(kind: str, stage: str) -> None:
    """A long write of `kind` has reached `stage` (rows of it are written in its transaction)."""
    for hook in _checkpoint_hooks:
        hook(kind, stage)


@dataclass
class Run:
    """What the block of `long_write` gets: the record (None when it joined an outer transaction)."""

    kind: str
    record: JobRun | None

    def progress(self, stage: str, done: int = 0, total: int = 0) -> None:
        if self.record is not None:
            self.record.stage = stage[:100]
        checkpoint(self.kind, stage)


@contextmanager
def long_write(
    kind: str, *, actor: Actor, municipality: Municipality | int | None = None, description: str = ""
) -> Iterator[Run]:
    """Run the block as one transaction with a `JobRun` record of its outcome (see the module)."""
    if connection.in_atomic_block:
        with transaction.atomic():
            yield Run(kind, None)
        return
    municipality_id = municipality.pk if isinstance(municipality, Municipality) else municipality
    record = JobRun.objects.create(
        kind=kind,
        municipality_id=municipality_id,
        actor_label=actor_label(actor),
        description=description[:300],
    )
    try:
        with transaction.atomic():
            # Hold the record while the write lives: the watchdog skips a locked record.
            list(JobRun.objects.select_for_update().filter(pk=record.pk).values_list("pk", flat=True))
            yield Run(kind, record)
            record.status, record.finished_at = JobRun.Status.SUCCEEDED, timezone.now()
            record.save(update_fields=["status", "finished_at", "stage"])
    except BaseException as exc:
        _fail(record, type(exc).__name__)
        raise


def _fail(record: JobRun, error: str) -> None:
    try:
        JobRun.objects.filter(pk=record.pk, status=JobRun.Status.RUNNING).update(
            status=JobRun.Status.FAILED, finished_at=timezone.now(), error=error[:500], stage=record.stage
        )
    except Exception:  # the database itself is gone: the watchdog will mark the run later
        logger.warning("could not mark a failed run", extra={"job_id": record.pk, "kind": record.kind})
        return
    logger.warning("a long write failed", extra={"job_id": record.pk, "kind": record.kind, "error": error})


# --- The watchdog -----------------------------------------------------------------------------------


def lease_cutoff() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=settings.KAPABEL_IMPORT_LEASE_MINUTES)


@contextmanager
def without_waiting() -> Iterator[None]:
    """On SQLite, give up at once instead of waiting for the write lock: whoever holds it is alive."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (waited,) = cursor.fetchone()
        cursor.execute("PRAGMA busy_timeout = 0")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {int(waited)}")


def jobrun_fail_dead() -> list[int]:
    """Mark the runs whose process died failed ("stopped"); returns their ids. One query when there
    are none. A run still writing holds its row (or SQLite's write lock) and is skipped."""
    failed = []
    stale = JobRun.objects.filter(status=JobRun.Status.RUNNING, started_at__lt=lease_cutoff())
    for pk in list(stale.values_list("pk", flat=True)):
        try:
            with without_waiting(), transaction.atomic():
                # PostgreSQL: a live write holds its row; skip it. (SQLite has no row locks: a live
                # write holds the write lock, and this fails at once.)
                dead = (
                    JobRun.objects.select_for_update(skip_locked=True)
                    .filter(pk=pk, status=JobRun.Status.RUNNING)
                    .first()
                )
                if dead is None:
                    continue
                dead.status, dead.finished_at, dead.error = JobRun.Status.FAILED, timezone.now(), STOPPED
                dead.save(update_fields=["status", "finished_at", "error"])
        except OperationalError:  # SQLite: the database is locked by a live write
            continue
        failed.append(pk)
    if failed:
        logger.warning("long writes whose process died were marked failed", extra={"job_ids": failed})
    return failed


def register_watchdog(name: str, fail_dead: Callable[[], Collection[int]]) -> None:
    """A long write with a record of its own (the HR import) registers how to mark its dead runs."""
    _watchdogs[name] = fail_dead


def run_watchdogs() -> dict[str, list[int]]:
    """Mark every dead run failed: the long writes' records and the registered ones."""
    found = {"jobs": jobrun_fail_dead()}
    for name, fail_dead in sorted(_watchdogs.items()):
        found[name] = list(fail_dead())
    return found
