"""The catalogue import's services; `kapabel import-catalogue` and the web page both go through them.

`catalogue_import_receive` records the file (its bytes kept on the record until the import is
confirmed or discarded) and checks it at once: a catalogue is small enough for a synchronous preview
(at most `reading.MAX_ROWS` rows). `catalogue_import_apply` reads and checks again (the catalogue may
have changed since the preview) and writes everything in one transaction with one audit event, or,
with any error, nothing."""

from __future__ import annotations

import hashlib
import logging

from django.db import transaction
from django.utils import timezone

from kapabel.core import audit
from kapabel.core.audit import Actor
from kapabel.core.models import Municipality, User
from kapabel.learning import permissions
from kapabel.learning.catalogue_import import engine, reading
from kapabel.learning.catalogue_import.reading import CatalogueProblem
from kapabel.learning.models import CatalogueImport

logger = logging.getLogger("kapabel.learning.catalogue_import")
MAX_PROBLEMS = 500
Status = CatalogueImport.Status


def _require_admin(actor: Actor, municipality_id: int) -> None:
    if isinstance(actor, User):
        permissions.require_administer_learning(actor, municipality_id)


def _checked(
    catalogue_import: CatalogueImport, data: bytes
) -> tuple[engine.Existing, engine.Plan, list[CatalogueProblem]]:
    rows, problems, count = reading.read(catalogue_import.file_name, data)
    catalogue_import.rows = count
    with_competences = any(row.competences is not None for row in rows)
    existing = engine.Existing.load(catalogue_import.municipality, with_competences=with_competences)
    plan = engine.build_plan(rows, existing, problems)
    for item in problems:
        item.file = catalogue_import.file_name
    problems.sort(
        key=lambda p: (p.line, reading.COLUMNS.index(p.column) if p.column in reading.COLUMNS else 99)
    )
    catalogue_import.counts = plan.counts
    catalogue_import.sample = plan.sample
    catalogue_import.error_count = sum(1 for p in problems if p.severity == "error")
    catalogue_import.warning_count = len(problems) - catalogue_import.error_count
    catalogue_import.problems = [p.as_dict() for p in problems[:MAX_PROBLEMS]]
    return existing, plan, problems


def _finish(catalogue_import: CatalogueImport, status: str) -> CatalogueImport:
    catalogue_import.status = status
    catalogue_import.finished_at = timezone.now()
    if status != Status.READY:
        catalogue_import.payload = None  # the file is kept only while it waits for confirmation
    catalogue_import.save()
    return catalogue_import


def catalogue_import_receive(
    *,
    municipality: Municipality,
    file_name: str,
    data: bytes,
    actor: Actor,
    source: str = CatalogueImport.Source.WEB,
    dry_run: bool = False,
) -> CatalogueImport:
    """Record a file and check it (the preview). With any error it is rejected (the problems are on
    the record); else a dry run is done (previewed) and any other waits for confirmation (ready)."""
    _require_admin(actor, municipality.pk)
    catalogue_import = CatalogueImport(
        municipality=municipality,
        created_by=actor if isinstance(actor, User) else None,
        actor_label=audit.actor_label(actor),
        source=source,
        dry_run=dry_run,
        file_name=file_name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        payload=data,
    )
    _checked(catalogue_import, data)
    if catalogue_import.error_count:
        status = Status.REJECTED
    elif dry_run:
        status = Status.PREVIEWED
    else:
        status = Status.READY
    return _finish(catalogue_import, status)


def catalogue_import_apply(
    *, catalogue_import: CatalogueImport, actor: Actor, data: bytes | None = None
) -> CatalogueImport:
    """Check again and write it all in one transaction, or nothing when a row has an error."""
    _require_admin(actor, catalogue_import.municipality_id)
    if catalogue_import.status != Status.READY:
        raise ValueError(f"catalogue import {catalogue_import.pk} is {catalogue_import.status}, not ready")
    data = data if data is not None else bytes(catalogue_import.payload or b"")
    try:
        with transaction.atomic():
            existing, plan, problems = _checked(catalogue_import, data)
            if catalogue_import.error_count:
                return _finish(catalogue_import, Status.REJECTED)
            engine.apply(plan, existing)
            audit.record(
                "learning.catalogue_import.applied",
                actor=actor,
                obj=catalogue_import,
                changes={
                    "counts": catalogue_import.counts,
                    "file": catalogue_import.file_name,
                    "sha256": catalogue_import.sha256,
                    "rows": catalogue_import.rows,
                },
            )
            return _finish(catalogue_import, Status.SUCCEEDED)
    except Exception:
        logger.exception("catalogue import failed", extra={"import_id": catalogue_import.pk})
        catalogue_import.problems = [CatalogueProblem("crashed").as_dict()]
        catalogue_import.error_count = 1
        _finish(catalogue_import, Status.FAILED)
        raise


def catalogue_import_discard(*, catalogue_import: CatalogueImport, actor: Actor) -> CatalogueImport:
    """Drop a checked import that waits for confirmation (its file goes with it)."""
    _require_admin(actor, catalogue_import.municipality_id)
    if catalogue_import.status != Status.READY:
        raise ValueError(f"catalogue import {catalogue_import.pk} is {catalogue_import.status}, not ready")
    return _finish(catalogue_import, Status.DISCARDED)
