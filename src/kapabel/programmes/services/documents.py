"""Documents on applications: an upload is checked for size and type (by its extension AND its first
bytes, so a renamed executable is refused), stored in the default file storage under the var
directory under a random name, and recorded with the audit log. The file is removed again if the
transaction does not commit."""

from __future__ import annotations

import io
import zipfile

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from kapabel.core import audit
from kapabel.core.audit import Actor
from kapabel.core.models import User
from kapabel.programmes import permissions
from kapabel.programmes.models import Application, ApplicationDocument
from kapabel.programmes.services.common import Refused

# Extension -> (content type served, test of the first bytes / the archive).
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".docx": DOCX,
    ".xlsx": XLSX,
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024


def max_bytes() -> int:
    return int(getattr(settings, "KAPABEL_DOCUMENT_MAX_BYTES", DEFAULT_MAX_BYTES))


def _extension(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def _office_part(head: bytes, upload: UploadedFile, folder: str) -> bool:
    if not head.startswith(b"PK\x03\x04"):
        return False
    upload.seek(0)
    try:
        with zipfile.ZipFile(io.BytesIO(upload.read())) as archive:
            return any(n.startswith(folder) for n in archive.namelist())
    except zipfile.BadZipFile:
        return False
    finally:
        upload.seek(0)


def _content_matches(extension: str, upload: UploadedFile) -> bool:
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if extension == ".pdf":
        return head.startswith(b"%PDF-")
    if extension == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if extension in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if extension == ".docx":
        return _office_part(head, upload, "word/")
    if extension == ".xlsx":
        return _office_part(head, upload, "xl/")
    return False


def check_upload(upload: UploadedFile) -> str:
    """The content type to serve the upload with; `Refused` if it is too big or not an allowed type."""
    name = upload.name or ""
    limit = max_bytes()
    if upload.size is None or upload.size > limit:
        raise Refused(
            _("The file is too big: at most %(limit)s.") % {"limit": filesizeformat(limit)}, code="size"
        )
    if upload.size == 0:
        raise Refused(_("The file is empty."), code="size")
    extension = _extension(name)
    if extension not in TYPES or not _content_matches(extension, upload):
        raise Refused(_("Upload a PDF, Word (DOCX), Excel (XLSX), PNG or JPEG file."), code="type")
    return TYPES[extension]


def document_add(*, application: Application, upload: UploadedFile, actor: Actor) -> ApplicationDocument:
    permissions.require_manage(actor, application.programme.municipality_id)
    content_type = check_upload(upload)
    name = (upload.name or "").replace("\\", "/").rsplit("/", 1)[-1][:255]
    document = ApplicationDocument(
        application=application,
        name=name,
        content_type=content_type,
        size=upload.size or 0,
        uploaded_by=actor if isinstance(actor, User) else None,
    )
    document.file.save(name, upload, save=False)
    try:
        with transaction.atomic():
            audit.create_audited(
                document,
                fields=("name", "content_type", "size"),
                action="programmes.application.document_added",
                actor=actor,
                exclude=["file"],
                municipality_id=application.programme.municipality_id,
                person=application.participant.employee_id if application.participant else None,
            )
    except BaseException:
        document.file.storage.delete(document.file.name or "")  # nothing half-written: no file without a row
        raise
    return document
