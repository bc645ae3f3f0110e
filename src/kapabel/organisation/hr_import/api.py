"""API for the HR import: upload files (multipart) to start an import that runs in the background,
then follow it. Same permission helpers, selectors and services as the web page."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from kapabel.core.api_auth import require_write_scope
from kapabel.core.api_schema import BodySchema, Pagination, id_query
from kapabel.core.web import request_user
from kapabel.organisation import permissions, selectors
from kapabel.organisation.hr_import import services
from kapabel.organisation.hr_import.formats import files_from_upload
from kapabel.organisation.hr_import.reading import Problem
from kapabel.organisation.models import HRImport

router = Router(tags=["hr-import"])


class ProblemOut(Schema):
    severity: str
    file: str
    line: int
    column: str
    message: str


class HRImportOut(Schema):
    id: int
    municipality_id: int
    actor: str
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    format: str
    source: str
    full: bool
    dry_run: bool
    skip_invalid: bool
    status: str
    files: list[dict[str, Any]]
    rows: int
    counts: dict[str, int]
    error_count: int
    warning_count: int
    progress_done: int
    progress_total: int
    problems: list[ProblemOut]
    sample: list[dict[str, Any]]

    @staticmethod
    def resolve_actor(obj: HRImport) -> str:
        return obj.actor_label

    @staticmethod
    def resolve_problems(obj: HRImport) -> list[dict[str, Any]]:
        problems = [Problem.from_dict(p) for p in obj.problems]
        return [dict(p.as_dict(), message=p.message) for p in problems]


@router.get("/hr-imports", response=list[HRImportOut], summary="HR imports you may see, newest first")
@paginate(Pagination, page_size=20, max_page_size=100)
def list_hr_imports(request: HttpRequest, municipality_id: int | None = id_query(), status: str = "") -> Any:
    imports = selectors.hr_imports(municipality_ids=permissions.hr_import_municipality_ids(request.user))
    if municipality_id is not None:
        imports = imports.filter(municipality_id=municipality_id)
    if status:
        imports = imports.filter(status=status)
    return imports


@router.get(
    "/municipalities/{municipality_id}/hr-imports",
    response=list[HRImportOut],
    summary="One municipality's HR imports, newest first",
)
@paginate(Pagination, page_size=20, max_page_size=100)
def list_municipality_hr_imports(request: HttpRequest, municipality_id: int) -> Any:
    municipality = permissions.get_municipality_for_user(request.user, municipality_id)
    permissions.require_import_hr(request.user, municipality.pk)
    return selectors.hr_imports(municipality_ids=[municipality.pk])


@router.get(
    "/hr-imports/{import_id}", response=HRImportOut, summary="One HR import: status, counts, problems"
)
def get_hr_import(request: HttpRequest, import_id: int) -> Any:
    return permissions.get_hr_import_for_user(request.user, import_id)


@router.post(
    "/municipalities/{municipality_id}/hr-imports",
    response={202: HRImportOut},
    summary="Upload HR files and import them in the background",
    description="Multipart upload: `files` is the five plan2learn CSV files, a zip of them, or one "
    "Kapabel sheet (CSV/XLSX). `format` is plan2learn or kapabel (recognised when empty); `full` makes "
    "people missing from the files inactive (default for plan2learn); `dry_run` only checks; "
    "`skip_invalid` imports the valid rows when some have errors. Follow the import at "
    "/hr-imports/{id}.",
)
def create_hr_import(
    request: HttpRequest,
    municipality_id: int,
    files: list[UploadedFile] | None = File(None),  # noqa: B008
    format: str = Form(""),  # noqa: B008
    full: bool | None = Form(None),  # noqa: B008
    dry_run: bool = Form(False),  # noqa: B008
    skip_invalid: bool = Form(False),  # noqa: B008
) -> Any:
    municipality = permissions.get_municipality_for_user(request.user, municipality_id)
    permissions.require_import_hr(request.user, municipality.pk)
    require_write_scope(request)
    received: dict[str, bytes] = {}
    for upload in files or []:
        received.update(files_from_upload(upload.name or "upload", upload.read()))
    hr_import = services.hrimport_upload(
        municipality=municipality,
        files=received,
        actor=request_user(request),
        source=HRImport.Source.API,
        format=format or None,
        full=full,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
    )
    return Status(202, hr_import)


class ConfirmIn(BodySchema):
    skip_invalid: bool = False


class ConfirmationOut(Schema):
    may_confirm: bool = Field(description="The import waits for confirmation.")
    needs_skip_invalid: bool = Field(description="The files have errors: confirm with skip_invalid.")
    reason: str = Field(description="Why it may not be confirmed as it is (empty when it may).")


@router.get(
    "/hr-imports/{import_id}/confirm",
    response=ConfirmationOut,
    summary="Whether a checked import may be confirmed, and why not",
)
def hr_import_confirmation(request: HttpRequest, import_id: int) -> Any:
    hr_import = permissions.get_hr_import_for_user(request.user, import_id)
    as_is = services.hrimport_confirm_refusal(hr_import, skip_invalid=False)
    skipping = services.hrimport_confirm_refusal(hr_import, skip_invalid=True)
    return {
        "may_confirm": skipping is None,
        "needs_skip_invalid": skipping is None and as_is is not None,
        "reason": as_is or "",
    }


@router.post(
    "/hr-imports/{import_id}/confirm",
    response={202: HRImportOut},
    summary="Start a checked import that waits for confirmation",
    description="An import uploaded on the web page waits for a person to confirm its preview; this "
    "confirms it, as the page's button does. With errors in the files, `skip_invalid` must be true to "
    "import the valid rows. Refused (422, nothing changed) when the import does not wait for "
    "confirmation.",
)
def confirm_hr_import(request: HttpRequest, import_id: int, payload: ConfirmIn) -> Any:
    hr_import = permissions.get_hr_import_for_user(request.user, import_id)
    permissions.require_import_hr(request.user, hr_import.municipality_id)
    require_write_scope(request)
    services.hrimport_confirm(
        hr_import=hr_import, skip_invalid=payload.skip_invalid, actor=request_user(request)
    )
    return Status(202, hr_import)
