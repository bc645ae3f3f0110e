"""Which formats there are, and reading or writing one by name. Sits above the formats, so neither
format (nor their shared `common`) imports this module."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kapabel.competences.exchange import case, moodle
from kapabel.competences.exchange.common import FrameworkData, VersionStamp

FORMATS = ("moodle-csv", "case-json")


def parse(content: bytes | str, fmt: str, *, language: str = "da") -> FrameworkData:
    """Read a file in one of `FORMATS`. Raises ValidationError listing every problem found."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                _("The file is not UTF-8 text (byte %(position)d). Save it as UTF-8 and try again.")
                % {"position": exc.start}
            ) from exc
    if fmt == "moodle-csv":
        return moodle.read(content, language=language)
    if fmt == "case-json":
        return case.read(content)
    raise ValidationError(_("Unknown format %(format)s.") % {"format": fmt})


def write(data: FrameworkData, fmt: str, *, version: VersionStamp | None = None) -> tuple[str, str, str]:
    """(content, content type, file extension) of `data` in one of `FORMATS`."""
    if fmt == "moodle-csv":
        return moodle.write(data), "text/csv; charset=utf-8", "csv"
    if fmt == "case-json":
        return case.write(data, version=version), "application/json", "json"
    raise ValidationError(_("Unknown format %(format)s.") % {"format": fmt})
