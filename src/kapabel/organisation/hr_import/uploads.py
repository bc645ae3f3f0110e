"""The size of an HR import's upload, refused before it is read: the web page and the API check the
request's declared length, and an upload handler stops storing files past the limit (the CSRF check
reads a form's fields before any view runs)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import HttpRequest

MB = 1024 * 1024
# Room for the multipart framing and the other form fields around the files.
SLACK = 1 * MB


def max_request_bytes() -> int:
    return int(settings.KAPABEL_IMPORT_MAX_UPLOAD_MB) * MB + SLACK


def request_too_large(request: HttpRequest) -> bool:
    """Whether the request says it is larger than an import's upload may be (nothing is read)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > max_request_bytes()


class UploadLimitHandler(FileUploadHandler):
    """First in FILE_UPLOAD_HANDLERS: in a request larger than KAPABEL_IMPORT_MAX_UPLOAD_MB no file is
    stored (the rest of the body is read and dropped, never written to disk); the fields before the
    first file (the CSRF token) are kept, and the view refuses the upload with a message."""

    refuse = False

    def handle_raw_input(
        self, input_data: Any, META: Any, content_length: int, boundary: Any, encoding: str | None = None
    ) -> None:
        self.refuse = content_length > max_request_bytes()

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        if self.refuse:
            raise StopUpload(connection_reset=False)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None
