"""Imports whose process died: a killed `kapabel import-hr`, a worker that went away. Their record
would say "being checked" or "being imported" forever (and the page would poll it for good), though
nothing was written: the write is one transaction, rolled back when its process dies.

A process at work touches the import's heartbeat (see `records`); one whose heartbeat is older than
`KAPABEL_IMPORT_LEASE_MINUTES` is dead, and is marked failed: cheaply whenever someone looks at the
imports (the page, the API), and by `kapabel import-hr-watchdog` (from cron or a timer). A live import
in its write transaction holds its row (PostgreSQL: the row lock; SQLite: the database's write lock),
so it is never taken for dead, however long the write takes.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Collection

from django.conf import settings
from django.db import OperationalError, transaction
from django.db.models import Q
from django.utils import timezone

from kapabel.core.jobs import without_waiting
from kapabel.organisation.hr_import.reading import Problem
from kapabel.organisation.hr_import.services.records import finish
from kapabel.organisation.models import HRIMPORT_RUNNING, HRImport

logger = logging.getLogger("kapabel.hr_import")


def _cutoff() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=settings.KAPABEL_IMPORT_LEASE_MINUTES)


def _stale(cutoff: datetime.datetime) -> Q:
    return Q(status__in=HRIMPORT_RUNNING) & (
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    )


def hrimport_seems_dead(hr_import: HRImport) -> bool:
    """Whether the record says a process works on the import but that process has shown no sign of
    life within the lease (no query)."""
    if hr_import.status not in HRIMPORT_RUNNING:
        return False
    last = hr_import.heartbeat_at or hr_import.created_at
    return last is not None and last < _cutoff()


def hrimport_fail_dead(
    *, municipality_ids: Collection[int] | None = None, import_id: int | None = None
) -> list[int]:
    """Mark the imports whose process died failed ("stopped without finishing; nothing was written"),
    of these municipalities (None: all) or this one import. One query when there are none. Returns
    the ids marked."""
    cutoff = _cutoff()
    candidates = HRImport.objects.filter(_stale(cutoff))
    if municipality_ids is not None:
        candidates = candidates.filter(municipality_id__in=municipality_ids)
    if import_id is not None:
        candidates = candidates.filter(pk=import_id)
    failed = []
    for pk in list(candidates.values_list("pk", flat=True)):
        try:
            with without_waiting(), transaction.atomic():
                # PostgreSQL: a live import holds its row while it writes; skip it. (SQLite has no row
                # locks: a live writer holds the write lock, and this fails at once.)
                hr_import = (
                    HRImport.objects.select_for_update(skip_locked=True)
                    .defer("payload", "upload")
                    .filter(_stale(cutoff), pk=pk)
                    .first()
                )
                if hr_import is None:
                    continue
                finish(hr_import, HRImport.Status.FAILED, [Problem("stopped")])
        except OperationalError:  # the database is locked by a live import writing: not dead
            continue
        failed.append(pk)
    if failed:
        logger.warning("HR imports whose process died were marked failed", extra={"import_ids": failed})
    return failed


def hrimport_fail_if_dead(hr_import: HRImport) -> HRImport:
    """The import as it is, after marking it failed if its process died (for a page or an API answer
    about it; no query unless its heartbeat is stale)."""
    if hrimport_seems_dead(hr_import) and hrimport_fail_dead(import_id=hr_import.pk):
        hr_import.refresh_from_db()
    return hr_import
