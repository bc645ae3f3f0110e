"""PostgreSQL's binary forms of integers, to and from NumPy arrays, without a Python object per value.

The text forms (`string_agg` of millions of numbers, parsed back by NumPy; arrays unnested by the
server) spend most of their time printing and parsing digits. In the binary form a row is a field
count followed by each field's length and its bytes in network order, so a whole block of rows is
one NumPy structured array (`tobytes`) as long as every row has the same layout. Rows are
therefore written in groups of one layout: which of their fields are NULL, and which text each text
column holds (here: a few codes, such as a target's source). Reads take the same binary forms of
non-NULL bigints (`bulk.read` turns NULL into NONE), a column at a time (`read`).

Format: https://www.postgresql.org/docs/current/sql-copy.html#id-1.9.3.55.9.4
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import psycopg
from django.db import connection

from kapabel.gaps.rebuild.arrays import NONE

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"  # no OIDs, no extension
TRAILER = b"\xff\xff"
WIDTHS = {"smallint": 2, "integer": 4, "bigint": 8}
TEXT = 0  # the width noted for a text column


def read(query: str, params: Sequence[Any], width: int) -> np.ndarray:
    """The rows of a query selecting `width` non-NULL bigint columns, as an (n, width) int64 array.

    Not COPY TO: the server sends each row as its own message, and a Python call per row is what
    this module avoids. Each column is aggregated instead into one bytea of its values' binary
    forms (`int8send`, 8 bytes in network order), which NumPy reads in place."""
    selected = ", ".join(f"string_agg(int8send(c{i}), ''::bytea)" for i in range(width))
    connection.ensure_connection()
    # A cursor binding on the server: only that kind returns results in binary (bytea in text would
    # travel as hex, twice the size, to be decoded again).
    with psycopg.Cursor(connection.connection) as cursor:
        cursor.execute(f"SELECT {selected} FROM ({query}) q", params, binary=True)  # noqa: S608
        columns = cursor.fetchone()
    if columns is None or columns[0] is None:
        return np.empty((0, width), dtype=np.int64)
    return np.column_stack([np.frombuffer(column, dtype=">i8").astype(np.int64) for column in columns])


def column_widths(table: str, names: Sequence[str]) -> list[int]:
    """Each column's width in bytes (TEXT for text columns), from the table's definition."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute"
            " WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
            [table],
        )
        types = dict(cursor.fetchall())
    widths = []
    for name in names:
        kind = types[name]
        if kind in WIDTHS:
            widths.append(WIDTHS[kind])
        elif kind == "text" or kind.startswith("character varying"):
            widths.append(TEXT)
        else:
            raise ValueError(f"{table}.{name}: {kind} is not written by binary COPY here")
    return widths


def write(
    table: str,
    names: Sequence[str],
    values: np.ndarray,
    fixed: dict[str, int] | None = None,
    texts: Mapping[int, Sequence[str]] | None = None,
) -> None:
    """Insert rows of integers (NONE as NULL) with `fixed` columns the same in every row; a column
    listed in `texts` holds codes, written as the text at that position of its list."""
    fixed = fixed or {}
    texts = texts or {}
    if not len(values):
        return
    columns = [*fixed, *names]
    full = np.column_stack([np.full(len(values), v, dtype=np.int64) for v in fixed.values()] + [values])
    shift = len(fixed)
    text_of = {j + shift: [t.encode() for t in options] for j, options in texts.items()}
    widths = column_widths(table, columns)
    # One layout code per row: per text column its code (NONE: NULL), per other column NULL or not.
    code = np.zeros(len(full), dtype=np.int64)
    for j in range(len(columns)):
        if j in text_of:
            options = len(text_of[j]) + 1
            code = code * options + np.where(full[:, j] == NONE, 0, full[:, j] + 1)
        else:
            code = code * 2 + (full[:, j] == NONE)
    order = np.argsort(code, kind="stable")
    codes, starts = np.unique(code[order], return_index=True)
    blocks = [SIGNATURE]
    for start, end in zip(starts.tolist(), [*starts[1:].tolist(), len(order)], strict=True):
        rows = full[order[start:end]]
        blocks.append(_block(rows, widths, text_of))
    blocks.append(TRAILER)
    quoted = ", ".join(columns)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN (FORMAT BINARY)") as copy,
    ):
        for block in blocks:
            copy.write(block)


def _block(rows: np.ndarray, widths: list[int], text_of: dict[int, list[bytes]]) -> bytes:
    """Rows of one layout (the first row tells which fields are NULL and which texts they hold)."""
    first = rows[0]
    fields: list[tuple[str, str]] = [("count", ">i2")]
    fill: dict[str, Any] = {"count": len(widths)}
    for j, width in enumerate(widths):
        if first[j] == NONE:
            fields.append((f"l{j}", ">i4"))
            fill[f"l{j}"] = -1
        elif j in text_of:
            text = text_of[j][int(first[j])]
            fields.append((f"l{j}", ">i4"))
            fill[f"l{j}"] = len(text)
            if text:
                fields.append((f"t{j}", f"S{len(text)}"))
                fill[f"t{j}"] = text
        else:
            low, high = -(1 << (8 * width - 1)), (1 << (8 * width - 1)) - 1
            column = rows[:, j]
            if column.min() < low or column.max() > high:
                raise ValueError(f"a value of column {j} does not fit in {width} bytes")
            fields.append((f"l{j}", ">i4"))
            fields.append((f"v{j}", f">i{width}"))
            fill[f"l{j}"] = width
            fill[f"v{j}"] = column
    out = np.empty(len(rows), dtype=np.dtype(fields))
    for name, value in fill.items():
        out[name] = value
    return out.tobytes()
