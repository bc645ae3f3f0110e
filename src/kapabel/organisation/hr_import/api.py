"""API for the HR import: upload files (multipart) to start an import that runs in the background,
then follow it. Same permission helpers, selectors and services as the web page."""

from __future__ import annotations

import datetime
import functools
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponseBase
from ninja import Field, File, Form, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from kapabel.core.api_auth import require_write_scope
from kapabel.core.api_schema import BodySchema, Pagination, id_query
from kapabel.core.web import request_user
from kapabel.organisation import permissions, selectors
from kapabel.organisation.hr_import import services
from kapabel.organisation.hr_import.forms import upload_too_large_message
from kapabel.organisation.hr_import.reading import Problem
from kapabel.organisation.hr_import.uploads import request_too_large
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
    importable = permissions.hr_import_municipality_ids(request.user)
    services.hrimport_fail_dead(municipality_ids=importable)
    imports = selectors.hr_imports(municipality_ids=importable)
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
    services.hrimport_fail_dead(municipality_ids=[municipality.pk])
    return selectors.hr_imports(municipality_ids=[municipality.pk])


@router.get(
    "/hr-imports/{import_id}", response=HRImportOut, summary="One HR import: status, counts, problems"
)
def get_hr_import(request: HttpRequest, import_id: int) -> Any:
    return services.hrimport_fail_if_dead(permissions.get_hr_import_for_user(request.user, import_id))


def _refuse_large_uploads(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Answer 413 to an upload larger than KAPABEL_IMPORT_MAX_UPLOAD_MB before reading its body (the
    operation's own checks and parsing would read it all first)."""
    operation = getattr(run, "__self__", None)

    @functools.wraps(run)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request_too_large(request) and operation is not None:
            return operation.api.on_exception(request, HttpError(413, upload_too_large_message()))
        return run(request, *args, **kwargs)

    return checked


@router.post(
    "/municipalities/{municipality_id}/hr-imports",
    response={202: HRImportOut},
    summary="Upload HR files and import them in the background",
    description="Multipart upload: `files` is the five plan2learn CSV files, a zip of them, or one "
    "Kapabel sheet (CSV/XLSX). `format` is plan2learn or kapabel (recognised when empty); `full` makes "
    "people missing from the files inactive (default for plan2learn); `dry_run` only checks; "
    "`skip_invalid` imports the valid rows when some have errors. The files are read and checked in "
    "the background: follow the import at /hr-imports/{id}. A request larger than the upload limit "
    "(KAPABEL_IMPORT_MAX_UPLOAD_MB) is refused with 413; files that unpack past "
    "KAPABEL_IMPORT_MAX_UNPACKED_MB or have more rows than KAPABEL_IMPORT_MAX_ROWS are rejected with a "
    "problem naming the file and the limit.",
)
@decorate_view(_refuse_large_uploads)
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
    hr_import = services.hrimport_upload(
        municipality=municipality,
        uploads=[(upload.name or "upload", upload.chunks()) for upload in files or []],
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


class DiscardOut(Schema):
    may_discard: bool = Field(description="The upload waits to be checked or confirmed.")
    reason: str = Field(description="Why it may not be discarded (empty when it may).")


@router.get(
    "/hr-imports/{import_id}/discard",
    response=DiscardOut,
    summary="Whether an upload may be discarded, and why not",
)
def hr_import_discardability(request: HttpRequest, import_id: int) -> Any:
    hr_import = permissions.get_hr_import_for_user(request.user, import_id)
    refusal = services.hrimport_discard_refusal(hr_import)
    return {"may_discard": refusal is None, "reason": refusal or ""}


@router.post(
    "/hr-imports/{import_id}/discard",
    response=HRImportOut,
    summary="Discard an upload that waits to be checked or confirmed",
    description="Deletes the uploaded files and parsed rows at once; the record stays, with status "
    "discarded. Refused (422, nothing changed) for an import that is running, confirmed or ended.",
)
def discard_hr_import(request: HttpRequest, import_id: int) -> Any:
    hr_import = permissions.get_hr_import_for_user(request.user, import_id)
    permissions.require_import_hr(request.user, hr_import.municipality_id)
    require_write_scope(request)
    return services.hrimport_discard(hr_import=hr_import, actor=request_user(request))
