"""The steps of an import: receive (the command line: read the files at once), read (the background
task: the files kept from an upload), check (the preview), apply (one transaction), and the task body
that runs them."""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from kapabel.core import announce, audit
from kapabel.core.audit import Actor
from kapabel.core.models import Municipality, User
from kapabel.organisation.hr_import import engine
from kapabel.organisation.hr_import.engine import Progress
from kapabel.organisation.hr_import.formats import Dataset, Files, parse
from kapabel.organisation.hr_import.inputs import checksums_of, unpack
from kapabel.organisation.hr_import.reading import Budget, Problem
from kapabel.organisation.hr_import.services.records import (
    ABANDONED,
    Abandoned,
    beating,
    finish,
    heartbeat,
    set_status,
)
from kapabel.organisation.models import Employee, HRImport

logger = logging.getLogger("kapabel.hr_import")


def hrimport_receive(
    *,
    municipality: Municipality,
    files: Files,
    actor: Actor,
    source: str,
    format: str | None = None,
    full: bool | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    keep: bool = True,
    checksums: list[dict[str, object]] | None = None,
) -> tuple[HRImport, Dataset]:
    """Read the files now and record the import (`kapabel import-hr`). Only the parsed rows are kept
    (for steps that follow in the background; `keep=False` when the caller runs them at once), never
    the files. `checksums` describes the files as given (else those in `files` are hashed)."""
    dataset = parse(files, format=format, full=full)
    hr_import = HRImport.objects.create(
        municipality=municipality,
        created_by=actor if isinstance(actor, User) else None,
        actor_label=audit.actor_label(actor),
        format=dataset.format if dataset.format in HRImport.Format.values else HRImport.Format.KAPABEL,
        source=source,
        full=dataset.full,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        files=checksums if checksums is not None else checksums_of(files),
        rows=dataset.rows,
        payload=dataset.to_bytes() if keep and not dataset.fatal else None,
    )
    if dataset.fatal:
        finish(hr_import, HRImport.Status.REJECTED, dataset.problems)
    return hr_import, dataset


def hrimport_read(*, hr_import: HRImport) -> Dataset | None:
    """Read the files kept from an upload (in the background), within the limits on what they unpack
    to and on rows: keep the parsed rows (without any CPR number) instead of the files, or reject the
    import (None) when a file cannot be used."""
    set_status(hr_import, HRImport.Status.CHECKING, "read")
    files = unpack(bytes(hr_import.upload or b""))
    dataset = parse(
        files, format=hr_import.format, full=hr_import.full, budget=Budget(heartbeat=heartbeat(hr_import))
    )
    hr_import.rows = dataset.rows
    if dataset.fatal:
        finish(hr_import, HRImport.Status.REJECTED, dataset.problems)
        return None
    hr_import.upload = None
    hr_import.payload = dataset.to_bytes()
    hr_import.save(update_fields=["rows", "upload", "payload"])
    return dataset


def _dataset(hr_import: HRImport) -> Dataset | None:
    """The parsed rows: kept from an earlier step, or read now from the kept upload."""
    if hr_import.payload is not None:
        return Dataset.from_bytes(bytes(hr_import.payload))
    return hrimport_read(hr_import=hr_import)


def _checked(
    hr_import: HRImport, dataset: Dataset, progress: Progress
) -> tuple[engine.Existing, engine.Plan, list[Problem]]:
    existing = engine.Existing.load(hr_import.municipality)
    problems = dataset.problems + engine.check(dataset, existing)
    plan = engine.build_plan(dataset, existing, progress=progress)
    return existing, plan, problems


def _store_plan(hr_import: HRImport, plan: engine.Plan) -> None:
    hr_import.counts = dict(plan.counts, changes=plan.changes)
    hr_import.sample = plan.sample


def hrimport_check(
    *, hr_import: HRImport, dataset: Dataset | None = None, progress: Progress | None = None
) -> HRImport:
    """The preview: what would change, and every problem. Writes nothing but the import record."""
    dataset = dataset or _dataset(hr_import)
    if dataset is None:
        return hr_import  # the files were refused
    set_status(hr_import, HRImport.Status.CHECKING, "check")
    _existing, plan, problems = _checked(hr_import, dataset, beating(hr_import, progress))
    _store_plan(hr_import, plan)
    if hr_import.dry_run:
        status = HRImport.Status.PREVIEWED
    elif hr_import.source == HRImport.Source.WEB:
        status = HRImport.Status.READY  # waits for the person to confirm (and to choose to skip rows)
    elif any(p.severity == "error" for p in problems) and not hr_import.skip_invalid:
        status = HRImport.Status.REJECTED
    else:
        status = HRImport.Status.READY
    finish(hr_import, status, problems)
    return hr_import


def _hold(hr_import: HRImport) -> None:
    """First thing in the import's transaction: touch the row, which holds it (PostgreSQL: the row
    lock; SQLite: the write lock) until the transaction ends, so no one takes a live import for dead;
    and stop if it was given up on meanwhile."""
    held = (
        HRImport.objects.filter(pk=hr_import.pk)
        .exclude(status__in=ABANDONED)
        .update(heartbeat_at=timezone.now())
    )
    if not held:
        raise Abandoned


def hrimport_apply(
    *, hr_import: HRImport, actor: Actor, dataset: Dataset | None = None, progress: Progress | None = None
) -> HRImport:
    """Check again (the database may have changed since the preview) and write it all, or nothing."""
    dataset = dataset or _dataset(hr_import)
    if dataset is None:
        return hr_import  # the files were refused
    # Inside the transaction the row's progress would be invisible to others (and, on SQLite, would
    # block them), so without a caller's progress bar the write step reports nothing.
    write_progress = progress or _silent
    set_status(hr_import, HRImport.Status.APPLYING, "check")
    existing, plan, problems = _checked(hr_import, dataset, beating(hr_import, progress))
    _store_plan(hr_import, plan)
    if any(p.severity == "error" for p in problems) and not hr_import.skip_invalid:
        finish(hr_import, HRImport.Status.REJECTED, problems)
        return hr_import
    set_status(hr_import, HRImport.Status.APPLYING, "write")
    with transaction.atomic():
        _hold(hr_import)
        if plan.changes:
            with announce.suspended():
                engine.apply(plan, existing, progress=write_progress)
            _keep_gaps_current(plan, hr_import.municipality_id)
            # One event summarises the import; an import that changes nothing writes none.
            audit.record(
                "organisation.hr_import.applied",
                actor=actor,
                obj=hr_import,
                changes={
                    "counts": hr_import.counts,
                    "files": [f["sha256"] for f in hr_import.files],
                    "skipped_rows": sum(1 for p in problems if p.severity == "error"),
                },
            )
        finish(hr_import, HRImport.Status.SUCCEEDED, problems)
    return hr_import


# Past this many changed people a full rebuild of the gap aggregates is cheaper than refreshing them.
GAP_REBUILD_THRESHOLD = 5000


def _keep_gaps_current(plan: engine.Plan, municipality_id: int) -> None:
    """The engine writes in bulk, past the services' per-person gap upkeep, so the import does it
    once here, in the same transaction. Moved or deactivated units shift whole subtrees (and the
    nearest unit profile of everyone below): rebuild. Otherwise refresh only the people touched,
    unless there are so many that a rebuild is cheaper (a first import)."""
    touched = {pk for pk, _changes in plan.employee_updates} | {pk for pk, _end in plan.deactivate}
    if (
        plan.counts["units_moved"]
        or plan.counts["units_deactivated"]
        or (len(touched) + len(plan.new_employees) > GAP_REBUILD_THRESHOLD)
    ):
        announce.municipality_changed(municipality_id)
        return
    if plan.new_employees:
        new_ids = [values["external_id"] for values in plan.new_employees]
        touched |= set(
            Employee.objects.filter(municipality_id=municipality_id, external_id__in=new_ids).values_list(
                "pk", flat=True
            )
        )
    announce.employees_changed(touched)


def _silent(stage: str, done: int, total: int) -> None:
    return None


def hrimport_fail(*, hr_import: HRImport) -> HRImport:
    """Record an unexpected crash. The import's transaction was rolled back: nothing was written."""
    hr_import.refresh_from_db()
    finish(hr_import, HRImport.Status.FAILED, [Problem("crashed")])
    return hr_import


def _claim(hr_import: HRImport, stage: str) -> bool:
    """Take a queued import for this stage, once: not one that was discarded, finished or taken."""
    status = HRImport.Status.APPLYING if stage == "apply" else HRImport.Status.CHECKING
    label = "apply" if stage == "apply" else "read"
    now = timezone.now()
    claimed = HRImport.objects.filter(pk=hr_import.pk, status=HRImport.Status.QUEUED).update(
        status=status, progress_label=label, heartbeat_at=now
    )
    hr_import.status, hr_import.progress_label, hr_import.heartbeat_at = status, label, now
    return bool(claimed)


def hrimport_process(*, import_id: int, stage: str) -> None:
    """The background task's body: read and check the files (the preview), apply a confirmed import,
    or ("run", the API) read, check and, unless a dry run or errors stop it, apply."""
    hr_import = HRImport.objects.select_related("municipality", "created_by").get(pk=import_id)
    if hr_import.payload is None and hr_import.upload is None:
        return  # already finished
    if not _claim(hr_import, stage):
        return  # discarded, taken for dead, or taken by another worker meanwhile
    actor = hr_import.created_by or hr_import.actor_label
    try:
        if stage == "check":
            hrimport_check(hr_import=hr_import)
        elif stage == "apply":
            hrimport_apply(hr_import=hr_import, actor=actor)
        else:  # "run": check and, unless a dry run, apply (the API)
            hrimport_check(hr_import=hr_import)
            if not hr_import.dry_run and hr_import.status == HRImport.Status.READY:
                hrimport_apply(hr_import=hr_import, actor=actor)
    except Abandoned:
        logger.warning("HR import given up on while it ran; it stopped", extra={"import_id": import_id})
    except Exception:
        logger.exception("HR import failed", extra={"import_id": import_id})
        hrimport_fail(hr_import=hr_import)
