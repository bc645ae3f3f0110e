"""Reading the files municipalities really send: encodings, delimiters, quoting, Danish dates.

Everything here is pure (no database). A file is read as a stream (never whole into memory as bytes
or text), within limits on what the files of one import unpack to and on the rows of one file, into
a table: lists of strings with the physical line each record started on, so every problem can name
file, line and column.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import decimal
import io
import itertools
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _

# Problem messages: whole sentences with named placeholders, translated when they are shown (the
# check may run in a background worker whose language is not the reader's).
MESSAGES: dict[str, Any] = {
    "unreadable": _("The file could not be read as CSV: %(reason)s. Save it again as CSV and retry."),
    "unreadable_xlsx": _("The file could not be read as an Excel workbook (XLSX). Save it again and retry."),
    "empty_file": _("The file is empty. Export it again with a header row and data."),
    "missing_columns": _(
        "The file lacks the columns %(missing)s. Expected the columns %(expected)s; found %(found)s."
    ),
    "missing_file": _("The file %(file)s is missing. A plan2learn export has the files %(expected)s."),
    "unknown_format": _("The format %(format)s is not known. Use plan2learn or kapabel."),
    "field_count": _(
        "The line has %(count)s values, but the header has %(expected)s columns. "
        "Check the quoting and the delimiter on this line."
    ),
    "required": _("The column %(column)s must have a value."),
    "too_long": _("The value in %(column)s is longer than %(max)s characters."),
    "bad_email": _("%(value)s is not a valid e-mail address."),
    "bad_date": _("%(value)s is not a date. Write dates as dd-mm-åååå, dd.mm.åååå or åååå-mm-dd."),
    "bad_decimal": _("%(value)s is not a number of hours. Write e.g. 37 or 37,5."),
    "bad_hours": _("%(value)s hours a week is not possible. Give a number between 0 and 80."),
    "bad_bool": _("%(value)s is not understood. Write ja or nej (or 1 or 0)."),
    "end_before_start": _("The end date %(end)s is before the start date %(start)s."),
    "duplicate": _("The id %(value)s occurs more than once in the file (first on line %(first)s)."),
    "unknown_parent": _(
        "The unit %(unit)s has the parent unit %(parent)s, which is neither in the file nor in Kapabel."
    ),
    "cycle": _("The unit %(unit)s is part of a cycle in the unit tree: %(cycle)s. Correct the parent ids."),
    "unknown_person": _("The person %(value)s is not in bruger.csv or Kapabel."),
    "unknown_unit": _("The unit %(value)s is neither in organisation.csv nor in Kapabel."),
    "unknown_job_code": _("The job code %(value)s is neither in stillingskode.csv nor in Kapabel."),
    "no_engagement": _("The person %(value)s has no engagement in engagement.csv and is left unchanged."),
    "unit_path_root": _(
        "The unit path %(value)s does not start with a top unit. Start it with one of: %(roots)s."
    ),
    "crashed": _("The import stopped because of an unexpected error. Nothing was changed."),
    "stopped": _(
        "The import stopped without finishing (the process running it ended); nothing was written. "
        "Upload the files again."
    ),
    "too_large": _(
        "The files unpack to more than %(limit)s MB together, the most one import may hold; the limit was "
        "reached in this file. Import the data in smaller parts."
    ),
    "too_many_rows": _(
        "The file has more than %(limit)s rows, the most one file may have. Import the data in smaller parts."
    ),
    "xlsx_entities": _(
        "The workbook contains XML entity declarations, which Kapabel does not read (they can make a "
        "small file unpack to gigabytes). Save it again from Excel as an XLSX workbook and retry."
    ),
}

CPR_PATTERN = re.compile(r"(?<!\d)\d{6}-?\d{4}(?!\d)")


def mask_cpr(value: str) -> str:
    """A value echoed in a message never shows something that looks like a CPR number."""
    return CPR_PATTERN.sub("******-****", value)


@dataclass
class Problem:
    """One thing wrong with the input, located by file, line (1-based, physical) and column."""

    code: str
    file: str = ""
    line: int = 0
    column: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    severity: str = "error"  # or "warning": reported, nothing is blocked

    @property
    def message(self) -> str:
        return str(MESSAGES[self.code]) % self.params

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "params": self.params,
            "severity": self.severity,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Problem:
        return cls(**data)


class FileProblem(Exception):
    """A problem that makes the whole file unusable (wrong columns, not CSV at all)."""

    def __init__(self, problem: Problem):
        super().__init__(problem.code)
        self.problem = problem


# --- Files and limits -----------------------------------------------------------------------

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What the files of one import may unpack to together (bytes), and the rows one file may have."""

    max_unpacked: int
    max_rows: int

    @classmethod
    def from_settings(cls) -> Limits:
        return cls(settings.KAPABEL_IMPORT_MAX_UNPACKED_MB * MB, settings.KAPABEL_IMPORT_MAX_ROWS)


class Budget:
    """What the files of one import have unpacked so far, against the limits; `heartbeat` (if given)
    is called now and then while a long file is read, so a watcher can tell the reader is alive."""

    def __init__(self, limits: Limits | None = None, heartbeat: Callable[[], None] | None = None):
        self.limits = limits or Limits.from_settings()
        self.heartbeat = heartbeat
        self.used = 0

    def charge(self, file: str, size: int) -> None:
        self.used += size
        if self.used > self.limits.max_unpacked:
            raise self.too_large(file)

    def too_large(self, file: str) -> FileProblem:
        return FileProblem(Problem("too_large", file=file, params={"limit": self.limits.max_unpacked // MB}))

    def count_row(self, file: str, rows: int, line: int) -> None:
        """Called for every record read; refuses the file past the row limit."""
        if rows > self.limits.max_rows:
            raise FileProblem(
                Problem("too_many_rows", file=file, line=line, params={"limit": self.limits.max_rows})
            )
        if rows % 10_000 == 0 and self.heartbeat is not None:
            self.heartbeat()


class _Metered(io.RawIOBase):
    """A binary stream that charges every byte read to the import's budget."""

    def __init__(self, raw: IO[bytes], file: str, budget: Budget):
        self.raw, self.file, self.budget = raw, file, budget

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        buffer[: len(data)] = data
        self.budget.charge(self.file, len(data))
        return len(data)

    def close(self) -> None:
        self.raw.close()
        super().close()


@dataclass
class InputFile:
    """One file of an import, opened only when read: a file on disk, a zip member, an upload."""

    name: str
    opener: Callable[[], IO[bytes]]
    size: int | None = None  # as declared (a zip member's header, a file's size), when known

    @classmethod
    def from_bytes(cls, name: str, data: bytes) -> InputFile:
        return cls(name, lambda: io.BytesIO(data), len(data))

    def open(self, budget: Budget) -> io.BufferedReader:
        """The file as a stream whose bytes count against the budget."""
        return io.BufferedReader(_Metered(self.opener(), self.name, budget), 1 << 16)

    def head(self, size: int = 4) -> bytes:
        with self.opener() as stream:
            return stream.read(size)


def as_input(file: str, data: bytes | InputFile) -> InputFile:
    return data if isinstance(data, InputFile) else InputFile.from_bytes(file, data)


# --- Decoding and splitting ----------------------------------------------------------------


FALLBACK = "kapabel-cp1252"


def _cp1252_fallback(error: UnicodeError) -> tuple[str, int]:
    """A byte that is not UTF-8 is read as Windows-1252 (Danish Excel), else as Latin-1. Decided byte by
    byte, so a file can be decoded as it streams past: a Windows-1252 file never holds valid UTF-8
    sequences in practice ("Ã¦" for "æ"), so this reads it as a whole-file choice would."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    byte = error.object[error.start : error.start + 1]
    try:
        return byte.decode("cp1252"), error.start + 1
    except UnicodeDecodeError:
        return byte.decode("latin-1"), error.start + 1


codecs.register_error(FALLBACK, _cp1252_fallback)


def encoding_of(head: bytes) -> str:
    """UTF-8 with or without BOM, UTF-16 with BOM; bytes that are not UTF-8 fall back (see FALLBACK)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return "utf-8"


def decode(data: bytes) -> str:
    """UTF-8 with or without BOM, UTF-16 with BOM, else Windows-1252 (Danish Excel), else Latin-1."""
    return data.decode(encoding_of(data[:4]), errors=FALLBACK)


def detect_delimiter(text: str) -> str:
    """The delimiter used in the header line: the most frequent of `;`, `,` and tab outside quotes."""
    header = ""
    for line in text.splitlines():
        if line.strip():
            header = line
            break
    header = re.sub(r'"[^"]*"', "", header)
    counts = {delimiter: header.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ";"


def normalise_header(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("\ufeff", "")).strip().casefold()


@dataclass
class Table:
    """A file's header and its non-empty records, each with the line it started on."""

    file: str
    header: list[str]
    rows: list[tuple[int, list[str]]]
    columns: dict[str, int] = field(default_factory=dict)

    def require(self, expected: list[str], required: list[str] | None = None) -> None:
        """Map the expected headers to positions; a missing required one makes the file unusable."""
        positions = {normalise_header(h): i for i, h in enumerate(self.header)}
        self.columns = {
            name: positions[normalise_header(name)]
            for name in expected
            if normalise_header(name) in positions
        }
        missing = [
            name for name in (required if required is not None else expected) if name not in self.columns
        ]
        if missing:
            raise FileProblem(
                Problem(
                    "missing_columns",
                    file=self.file,
                    line=1,
                    params={
                        "missing": ", ".join(missing),
                        "expected": ", ".join(expected),
                        "found": mask_cpr(", ".join(h.strip()[:40] for h in self.header if h.strip())[:300])
                        or "–",
                    },
                )
            )

    def has(self, column: str) -> bool:
        return column in self.columns

    def value(self, record: list[str], column: str) -> str:
        index = self.columns.get(column)
        if index is None or index >= len(record):
            return ""
        return record[index].strip()


def _lines(stream: io.BufferedReader) -> Iterator[str]:
    """The text lines of a binary stream (line endings kept, as the csv module wants), NULs dropped."""
    text = io.TextIOWrapper(stream, encoding=encoding_of(stream.peek(4)[:4]), errors=FALLBACK, newline="")
    return (line.replace("\x00", "") for line in text)


def read_csv(
    file: str, data: bytes | InputFile, problems: list[Problem], budget: Budget | None = None
) -> Table:
    """Parse CSV as it streams. Records with the wrong number of values are reported and left out."""
    budget = budget or Budget()
    with as_input(file, data).open(budget) as stream:
        lines = _lines(stream)
        leading: list[str] = []
        for text in lines:  # up to the header: it decides the delimiter
            leading.append(text)
            if text.strip():
                break
        else:
            raise FileProblem(Problem("empty_file", file=file))
        reader = csv.reader(itertools.chain(leading, lines), delimiter=detect_delimiter(leading[-1]))
        header: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        records = 0
        start = 1
        try:
            for record in reader:
                line, start = start, reader.line_num + 1
                if not any(value.strip() for value in record):
                    continue
                if header is None:
                    header = record
                    continue
                records += 1
                budget.count_row(file, records, line)
                if len(record) != len(header):
                    extra_empty = len(record) > len(header) and not any(
                        v.strip() for v in record[len(header) :]
                    )
                    if not extra_empty:
                        problems.append(
                            Problem(
                                "field_count",
                                file=file,
                                line=line,
                                params={"count": len(record), "expected": len(header)},
                            )
                        )
                        continue
                rows.append((line, record))
        except csv.Error as exc:
            raise FileProblem(
                Problem("unreadable", file=file, line=start, params={"reason": mask_cpr(str(exc))})
            ) from None
    if header is None:
        raise FileProblem(Problem("empty_file", file=file))
    return Table(file, header, rows)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _caused_by(exc: BaseException | None, kind: type[BaseException]) -> bool:
    """Whether the exception, or one it was raised from (openpyxl wraps what it meets), is of a kind."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, kind):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def read_xlsx(
    file: str, data: bytes | InputFile, problems: list[Problem], budget: Budget | None = None
) -> Table:
    """The first sheet of a workbook, as text cells (dates as ISO dates). An XLSX file is a zip of XML
    files: what they unpack to counts against the limit before any is read (Python's zip reader never
    unpacks more than a member declares), and XML entities are refused (defusedxml, which openpyxl
    uses when it is installed), so neither a zip bomb nor a "billion laughs" gets far. Any other
    damage to the file, broken XML included, is reported as an unreadable workbook."""
    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook

    budget = budget or Budget()
    with as_input(file, data).opener() as stream:
        content = stream.read(budget.limits.max_unpacked + 1)
    if len(content) > budget.limits.max_unpacked:
        raise budget.too_large(file)
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            budget.charge(file, sum(info.file_size for info in archive.infolist()))
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # never pad rows to a width the file merely claims
        header: list[str] | None = None
        rows: list[tuple[int, list[str]]] = []
        for line, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            record = [_cell_text(v) for v in values]
            if not any(v.strip() for v in record):
                continue
            if header is None:
                header = record
            else:
                rows.append((line, record))
                budget.count_row(file, len(rows), line)
        workbook.close()
    except FileProblem:
        raise
    except Exception as exc:  # broken XML, a damaged zip, a workbook without sheets: never a server error
        code = "xlsx_entities" if _caused_by(exc, DefusedXmlException) else "unreadable_xlsx"
        raise FileProblem(Problem(code, file=file)) from None
    if header is None:
        raise FileProblem(Problem("empty_file", file=file))
    return Table(file, header, rows)


def read_table(
    file: str, data: bytes | InputFile, problems: list[Problem], budget: Budget | None = None
) -> Table:
    source = as_input(file, data)
    if file.lower().endswith((".xlsx", ".xlsm")) or source.head(4).startswith(b"PK\x03\x04"):
        return read_xlsx(file, source, problems, budget)
    return read_csv(file, source, problems, budget)


# --- Values ------------------------------------------------------------------------------------

_DATE_DMY = re.compile(r"^(\d{1,2})[-./](\d{1,2})[-./](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.+Z-]*)?$")


def parse_date(value: str) -> datetime.date | None:
    """Danish (dd-mm-åååå, dd.mm.åååå, dd/mm/åååå) and ISO dates; ValueError when not a date."""
    value = value.strip()
    if not value:
        return None
    match = _DATE_DMY.match(value)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = _DATE_ISO.match(value)
        if not match:
            raise ValueError(value)
        year, month, day = (int(g) for g in match.groups())
    return datetime.date(year, month, day)


def parse_decimal(value: str) -> decimal.Decimal | None:
    """37, 37,5 or 37.5; ValueError otherwise."""
    value = value.strip().replace(" ", "")
    if not value:
        return None
    if "," in value:
        if "." in value:  # 1.234,5: thousands separator
            value = value.replace(".", "")
        value = value.replace(",", ".")
    try:
        number = decimal.Decimal(value)
    except decimal.InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number


TRUE_WORDS = {"1", "ja", "j", "yes", "y", "true", "sand", "x"}
FALSE_WORDS = {"0", "nej", "n", "no", "false", "falsk", ""}


def parse_bool(value: str) -> bool:
    word = value.strip().casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ValueError(value)
