"""What a person does with an import on the web page or through the API: upload files, confirm the
preview, or discard it. Each precondition lives in one function (`hrimport_confirm_refusal`,
`hrimport_discard_refusal`) that the page, the API and the services all ask."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kapabel.core import audit
from kapabel.core.audit import Actor
from kapabel.core.models import Municipality, User
from kapabel.organisation import permissions
from kapabel.organisation.hr_import.formats import FORMATS, default_full, guess_format
from kapabel.organisation.hr_import.inputs import pack, unpack
from kapabel.organisation.hr_import.reading import Problem
from kapabel.organisation.hr_import.services.records import finish
from kapabel.organisation.models import HRImport
from kapabel.organisation.tasks import run_hr_import


def hrimport_upload(
    *,
    municipality: Municipality,
    uploads: Iterable[tuple[str, Iterable[bytes]]],
    actor: Actor,
    source: str,
    format: str | None = None,
    full: bool | None = None,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> HRImport:
    """Record an upload from the web page or the API and queue its steps in the background, once this
    transaction commits. Nothing is parsed here: the files are kept as they came (with their names,
    sizes and checksums) until the background task reads them, within the limits. From the web page
    the task reads and checks the files (a person confirms the preview); from the API it reads, checks
    and then, unless it finds errors, imports them.

    `uploads` is each file's name and its content in chunks (an uploaded file's `chunks()`)."""
    blob, described = pack(uploads)
    format = format or guess_format(unpack(blob))  # names only: nothing is unpacked
    hr_import = HRImport.objects.create(
        municipality=municipality,
        created_by=actor if isinstance(actor, User) else None,
        actor_label=audit.actor_label(actor),
        format=format if format in HRImport.Format.values else HRImport.Format.KAPABEL,
        source=source,
        full=default_full(format) if full is None else full,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
        files=described,
        upload=blob if format in FORMATS else None,
    )
    if format not in FORMATS:
        finish(hr_import, HRImport.Status.REJECTED, [Problem("unknown_format", params={"format": format})])
        return hr_import
    stage = "check" if source == HRImport.Source.WEB else "run"
    transaction.on_commit(lambda: run_hr_import.enqueue(hr_import.pk, stage))
    return hr_import


def _being_applied() -> Q:
    return Q(status=HRImport.Status.APPLYING) | Q(status=HRImport.Status.QUEUED, progress_label="apply")


def hrimport_confirm_refusal(hr_import: HRImport, *, skip_invalid: bool) -> str | None:
    """Why this import may not be confirmed now, as a message for the person (None: it may).

    An import may be confirmed once: when it has been checked and waits for confirmation (a dry run
    never does), and, if the check found errors, only by choosing to skip the invalid rows. Its
    preview must still show what would change: not once another import for the municipality has
    changed anything since the check (it would be planned again, and differ from the preview), nor
    while another one is being imported."""
    if hr_import.dry_run:
        return _("This import was a dry run: it only checks the files. Upload them again to import them.")
    if hr_import.status in (HRImport.Status.APPLYING, HRImport.Status.SUCCEEDED):
        return _("This import has already been started.")
    if hr_import.status != HRImport.Status.READY:
        return _("This import cannot be started: it is not waiting for confirmation.")
    others = HRImport.objects.filter(municipality_id=hr_import.municipality_id).exclude(pk=hr_import.pk)
    checked = hr_import.finished_at or hr_import.created_at
    if others.filter(
        status=HRImport.Status.SUCCEEDED, finished_at__gt=checked, counts__changes__gt=0
    ).exists():
        return _(
            "Another import for this municipality has changed the data since these files were checked, "
            "so the preview no longer shows what would change. Upload the files again for a new preview."
        )
    if others.filter(_being_applied()).exists():
        return _(
            "Another import for this municipality is being imported. Wait until it has finished, then "
            "upload these files again for a new preview."
        )
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
    current = HRImport.objects.select_for_update().defer("payload", "upload").get(pk=hr_import.pk)
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


def hrimport_discard_refusal(hr_import: HRImport) -> str | None:
    """Why this import may not be discarded, as a message for the person (None: it may). An upload
    that waits to be checked or to be confirmed may be discarded; not one a process works on, one
    confirmed and queued, or one that has ended."""
    waits_for_check = hr_import.status == HRImport.Status.QUEUED and hr_import.progress_label != "apply"
    if waits_for_check or hr_import.status == HRImport.Status.READY:
        return None
    return _("Only an import that waits to be checked or confirmed can be discarded.")


def hrimport_may_discard(hr_import: HRImport) -> bool:
    return hrimport_discard_refusal(hr_import) is None


@transaction.atomic
def hrimport_discard(*, hr_import: HRImport, actor: Actor) -> HRImport:
    """A person discards an upload they will not import: the kept files and parsed rows are deleted at
    once, the record stays (status discarded, with the files' names and checksums), one audit event.

    Refuses (ValidationError, nothing changed) an import that may not be discarded, and a user who may
    not import into the municipality (PermissionDenied). The row is locked while deciding, so a
    confirmation or a background step cannot start it at the same moment."""
    if isinstance(actor, User):
        permissions.require_import_hr(actor, hr_import.municipality_id)
    current = HRImport.objects.select_for_update().defer("payload", "upload").get(pk=hr_import.pk)
    refusal = hrimport_discard_refusal(current)
    if refusal is not None:
        raise ValidationError(refusal, code="not_discardable")
    now = timezone.now()
    HRImport.objects.filter(pk=hr_import.pk).update(
        status=HRImport.Status.DISCARDED, payload=None, upload=None, finished_at=now, progress_label=""
    )
    audit.record(
        "organisation.hr_import.discarded",
        actor=actor,
        obj=current,
        changes={
            "status": [current.status, HRImport.Status.DISCARDED],
            "files": [f["sha256"] for f in current.files],
        },
    )
    hr_import.status, hr_import.finished_at, hr_import.progress_label = HRImport.Status.DISCARDED, now, ""
    hr_import.payload = hr_import.upload = None
    return hr_import
