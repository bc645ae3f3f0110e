"""The HR import's services: receive files, check them, apply them. The web page, the API, the
background task and `kapabel import-hr` all go through these.

Steps: `hrimport_receive` parses the files (dropping the CPR column) and records the import with
the files' checksums; `hrimport_check` compares with the database and stores counts, a sample of
row diffs and the problems (the preview); `hrimport_apply` checks again and writes everything in
one transaction with one audit event. With any error nothing is written unless `skip_invalid`.

The web page and the API start an import with `hrimport_upload` (the steps then run in the
background); on the web page a person confirms the preview with `hrimport_confirm`, whose one
precondition is `hrimport_confirm_refusal`.
"""

from __future__ import annotations

import hashlib
import logging
import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kapabel.core import announce, audit
from kapabel.core.audit import Actor
from kapabel.core.models import Municipality, User
from kapabel.organisation import permissions
from kapabel.organisation.hr_import import engine
from kapabel.organisation.hr_import.engine import Progress
from kapabel.organisation.hr_import.formats import Dataset, parse
from kapabel.organisation.hr_import.reading import Problem
from kapabel.organisation.models import Employee, HRImport
from kapabel.organisation.tasks import run_hr_import

logger = logging.getLogger("kapabel.hr_import")
MAX_PROBLEMS = 500


def hrimport_receive(
    *,
    municipality: Municipality,
    files: dict[str, bytes],
    actor: Actor,
    source: str,
    format: str | None = None,
    full: bool | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
    keep: bool = True,
) -> tuple[HRImport, Dataset]:
    """Read the files and record the import. Only the parsed rows are kept (for the steps that follow
    in the background; `keep=False` when the caller runs them at once), never the files."""
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
        files=[
            {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
            for name, data in sorted(files.items())
        ],
        rows=dataset.rows,
        payload=dataset.to_bytes() if keep and not dataset.fatal else None,
    )
    if dataset.fatal:
        _finish(hr_import, HRImport.Status.REJECTED, dataset.problems)
    return hr_import, dataset


def _store_problems(hr_import: HRImport, problems: list[Problem]) -> None:
    hr_import.error_count = sum(1 for p in problems if p.severity == "error")
    hr_import.warning_count = len(problems) - hr_import.error_count
    hr_import.problems = [p.as_dict() for p in problems[:MAX_PROBLEMS]]


def _finish(hr_import: HRImport, status: str, problems: list[Problem]) -> None:
    hr_import.status = status
    _store_problems(hr_import, problems)
    hr_import.finished_at = timezone.now()
    if status != HRImport.Status.READY:
        hr_import.payload = None  # HR data is kept only while it is needed
    hr_import.save()


def record_progress(hr_import: HRImport) -> Progress:
    """A progress callback that writes to the import row at most twice a second (outside the
    import's transaction, so the web page can poll it)."""
    last = [0.0]

    def progress(stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.5 and done < total:
            return
        last[0] = now
        HRImport.objects.filter(pk=hr_import.pk).update(
            progress_label=stage, progress_done=done, progress_total=total
        )

    return progress


def _set_status(hr_import: HRImport, status: str, label: str = "") -> None:
    hr_import.status = status
    hr_import.progress_label = label
    hr_import.save(update_fields=["status", "progress_label"])


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
    dataset = dataset or Dataset.from_bytes(bytes(hr_import.payload or b""))
    _set_status(hr_import, HRImport.Status.CHECKING, "check")
    _existing, plan, problems = _checked(hr_import, dataset, progress or record_progress(hr_import))
    _store_plan(hr_import, plan)
    if hr_import.dry_run:
        status = HRImport.Status.PREVIEWED
    elif hr_import.source == HRImport.Source.WEB:
        status = HRImport.Status.READY  # waits for the person to confirm (and to choose to skip rows)
    elif any(p.severity == "error" for p in problems) and not hr_import.skip_invalid:
        status = HRImport.Status.REJECTED
    else:
        status = HRImport.Status.READY
    _finish(hr_import, status, problems)
    return hr_import


def hrimport_upload(
    *,
    municipality: Municipality,
    files: dict[str, bytes],
    actor: Actor,
    source: str,
    format: str | None = None,
    full: bool | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> HRImport:
    """Record an import from the web page or the API and queue its steps in the background, once
    this transaction commits: from the web page the check only (a person confirms the preview),
    from the API the check and then, unless it finds errors, the import itself."""
    hr_import, _dataset = hrimport_receive(
        municipality=municipality,
        files=files,
        actor=actor,
        source=source,
        format=format,
        full=full,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
    )
    if hr_import.status == HRImport.Status.QUEUED:
        stage = "check" if source == HRImport.Source.WEB else "run"
        transaction.on_commit(lambda: run_hr_import.enqueue(hr_import.pk, stage))
    return hr_import


def hrimport_confirm_refusal(hr_import: HRImport, *, skip_invalid: bool) -> str | None:
    """Why this import may not be confirmed now, as a message for the person (None: it may).

    An import may be confirmed once: when it has been checked and waits for confirmation (a dry run
    never does), and, if the check found errors, only by choosing to skip the invalid rows."""
    if hr_import.dry_run:
        return _("This import was a dry run: it only checks the files. Upload them again to import them.")
    if hr_import.status in (HRImport.Status.APPLYING, HRImport.Status.SUCCEEDED):
        return _("This import has already been started.")
    if hr_import.status != HRImport.Status.READY:
        return _("This import cannot be started: it is not waiting for confirmation.")
    if hr_import.error_count and not skip_invalid:
        return _("The files have errors. Correct them and upload again, or choose to skip the invalid rows.")
    return None


def hrimport_may_confirm(hr_import: HRImport) -> bool:
    """Whether to offer confirmation at all (the person may still have to choose to skip rows)."""
    return hrimport_confirm_refusal(hr_import, skip_invalid=True) is None


@transaction.atomic
def hrimport_confirm(*, hr_import: HRImport, skip_invalid: bool, actor: Actor) -> HRImport:
    """A person confirmed the preview: queue the import itself (it runs once this commits).

    Refuses (ValidationError, nothing changed) when the import may not be confirmed, and a user who
    may not import into the municipality (PermissionDenied). The row is locked while deciding, so
    two confirmations at once start one import."""
    if isinstance(actor, User):
        permissions.require_import_hr(actor, hr_import.municipality_id)
    current = HRImport.objects.select_for_update().defer("payload").get(pk=hr_import.pk)
    refusal = hrimport_confirm_refusal(current, skip_invalid=skip_invalid)
    if refusal is not None:
        raise ValidationError(refusal, code="not_confirmable")
    hr_import.skip_invalid = skip_invalid
    hr_import.status = HRImport.Status.QUEUED
    hr_import.progress_done = hr_import.progress_total = 0
    hr_import.progress_label = "apply"
    hr_import.save(
        update_fields=["skip_invalid", "status", "progress_done", "progress_total", "progress_label"]
    )
    transaction.on_commit(lambda: run_hr_import.enqueue(hr_import.pk, "apply"))
    return hr_import


def hrimport_apply(
    *, hr_import: HRImport, actor: Actor, dataset: Dataset | None = None, progress: Progress | None = None
) -> HRImport:
    """Check again (the database may have changed since the preview) and write it all, or nothing."""
    dataset = dataset or Dataset.from_bytes(bytes(hr_import.payload or b""))
    # Inside the transaction the row's progress would be invisible to others (and, on SQLite, would
    # block them), so without a caller's progress bar the write step reports nothing.
    check_progress = progress or record_progress(hr_import)
    write_progress = progress or _silent
    _set_status(hr_import, HRImport.Status.APPLYING, "check")
    existing, plan, problems = _checked(hr_import, dataset, check_progress)
    _store_plan(hr_import, plan)
    if any(p.severity == "error" for p in problems) and not hr_import.skip_invalid:
        _finish(hr_import, HRImport.Status.REJECTED, problems)
        return hr_import
    _set_status(hr_import, HRImport.Status.APPLYING, "write")
    with transaction.atomic():
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
        _finish(hr_import, HRImport.Status.SUCCEEDED, problems)
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
    _finish(hr_import, HRImport.Status.FAILED, [Problem("crashed")])
    return hr_import


def hrimport_process(*, import_id: int, stage: str) -> None:
    """The background task's body: check (the preview) or apply an import."""
    hr_import = HRImport.objects.select_related("municipality", "created_by").get(pk=import_id)
    if hr_import.payload is None:
        return  # already finished
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
    except Exception:
        logger.exception("HR import failed", extra={"import_id": import_id})
        hrimport_fail(hr_import=hr_import)
