"""XLSX and CSV exports of the gap views: the same rows the page shows, as real numbers. Written by
the one export writer in core, which also keeps names from HR data from becoming formulas."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from django.http import HttpResponse

from kapabel.core import exports


def table_response(
    filename: str, title: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]], fmt: str
) -> HttpResponse:
    """`columns` are (header, kind) with the kinds of `kapabel.core.exports.Kind`; `rows` hold plain
    values (None for suppressed or unknown)."""
    sheet = exports.Sheet(
        title=title,
        columns=[exports.Column(header, cast(exports.Kind, kind)) for header, kind in columns],
        rows=rows,
    )
    return exports.response([sheet], filename=filename, fmt=cast(exports.Format, fmt))
