"""XLSX and CSV exports of the gap views: the same rows the page shows, as real numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from django.http import HttpResponse
from django.utils.translation import get_language
from openpyxl import Workbook
from openpyxl.styles import Font

# Column kinds: "text", "int", "pct" (a share 0–1), "dec" (one decimal), "dec2".
XLSX_FORMATS = {"int": "0", "pct": "0%", "dec": "0.0", "dec2": "0.00"}


def table_response(
    filename: str, title: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]], fmt: str
) -> HttpResponse:
    """`columns` are (header, kind); `rows` hold plain values (None for suppressed or unknown)."""
    if fmt == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = title[:31]
        sheet.append([header for header, _ in columns])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append(list(row))
        for index, (_, kind) in enumerate(columns, start=1):
            letter = sheet.cell(row=1, column=index).column_letter
            sheet.column_dimensions[letter].width = 30 if kind == "text" else 14
            if kind in XLSX_FORMATS:
                for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                    cell.number_format = XLSX_FORMATS[kind]
        sheet.freeze_panes = "A2"
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
        return response
    danish = (get_language() or "da").startswith("da")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if danish else ",")
    writer.writerow([header for header, _ in columns])
    for row in rows:
        values = []
        for value, (_, kind) in zip(row, columns, strict=True):
            if value is None:
                values.append("")
            elif kind in ("pct", "dec", "dec2") and isinstance(value, float):
                text = f"{value:.4f}" if kind == "pct" else f"{value:.2f}"
                values.append(text.replace(".", ",") if danish else text)
            else:
                values.append(value)
        writer.writerow(values)
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response
