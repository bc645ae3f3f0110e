"""Moving millions of integers between the database and NumPy.

Through the DB-API, every value fetched or bound costs a Python object: reading 4,000,000 ratings
row by row took longer than everything the rebuild computes. So:

- `read` returns a query's integer columns as one NumPy array: the database writes each column as
  one comma-separated text (`group_concat`, `string_agg`) that NumPy parses in C; columns whose range
  is known are first packed several to a 62-bit integer (the database does the shifting), so there
  are fewer numbers to print and parse. A value outside its announced range is not lost: the query
  is then read again unpacked.
- `insert_ints` writes rows of integers the other way round: on SQLite as JSON arrays of packed
  integers taken apart by `json_each`. `insert` writes other rows with `executemany` (SQLite) or
  `COPY` (PostgreSQL).
- On PostgreSQL both `read` and `insert_ints` use binary COPY straight from and into NumPy arrays
  (`pgcopy`): no digits to print or parse at all.

NULL is read as NONE. Statements here name tables and integer constants only; values are bound.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection

from kapabel.gaps.rebuild import pgcopy
from kapabel.gaps.rebuild.arrays import NONE

WORD_BITS = 62  # bits of one packed integer (SQLite integers are 64-bit, signed)


@dataclass(frozen=True)
class Bounds:
    """The smallest and largest value a column is expected to hold. `sure`: the query guarantees it
    (a foreign key: the ids of the referenced table; a WHERE on the column), so it is not checked."""

    low: int
    high: int
    sure: bool = False


def sure(low: int, high: int) -> Bounds:
    return Bounds(low, high, sure=True)


def postgresql() -> bool:
    return connection.vendor == "postgresql"


def execute(sql: str, params: Sequence[Any] = ()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def execute_many(sql: str, rows: Sequence[Sequence[Any]]) -> None:
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def placeholders(values: Sequence[Any]) -> str:
    return ", ".join(["%s"] * len(values))


def read(
    columns: Sequence[str], tail: str, params: Sequence[Any] = (), bounds: Sequence[Bounds | None] = ()
) -> np.ndarray:
    """`SELECT <columns> <tail>` as an (n, len(columns)) int64 array, NULL as NONE. `bounds`: per
    column the values it is expected to hold (NONE included where NULL is), or None; on SQLite
    those columns travel packed (a value outside unsure bounds costs a second, unpacked read). On
    PostgreSQL the rows travel as binary COPY (`pgcopy.read`)."""
    if postgresql():
        return pgcopy.read(_inner(columns, tail), params, len(columns))
    if bounds:
        packed = _read_packed(columns, tail, params, bounds)
        if packed is not None:
            return packed
    return _read_text(columns, tail, params)


def _inner(columns: Sequence[str], tail: str) -> str:
    cast = "::bigint" if postgresql() else ""  # (PostgreSQL would shift 32-bit integers in 32 bits)
    return (
        "SELECT "
        + ", ".join(f"COALESCE({c}, {NONE}){cast} AS c{i}" for i, c in enumerate(columns))
        + f" {tail}"
    )


def _concatenated(
    expressions: Sequence[str], columns: Sequence[str], tail: str, params: Sequence[Any]
) -> list[np.ndarray]:
    selected = ", ".join(f"group_concat({e})" for e in expressions)  # (SQLite: PostgreSQL uses COPY)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {selected} FROM ({_inner(columns, tail)}) q", params)  # noqa: S608
        texts = cursor.fetchone()
    return [
        np.empty(0, dtype=np.int64) if text is None else np.fromstring(text, dtype=np.int64, sep=",")
        for text in texts
    ]


def _read_text(columns: Sequence[str], tail: str, params: Sequence[Any]) -> np.ndarray:
    values = _concatenated([f"c{i}" for i in range(len(columns))], columns, tail, params)
    if not len(values[0]):
        return np.empty((0, len(columns)), dtype=np.int64)
    return np.column_stack(values)


@dataclass(frozen=True)
class _Field:
    column: int
    low: int
    high: int
    shift: int
    checked: bool

    @property
    def outside(self) -> int:  # the code of a value outside the range
        return self.high - self.low + 1

    @property
    def bits(self) -> int:
        return self.outside.bit_length()

    def sql(self) -> str:
        c = f"c{self.column}"
        if not self.checked:
            return f"(({c} - ({self.low})) << {self.shift})"
        return (
            f"((CASE WHEN {c} BETWEEN {self.low} AND {self.high} THEN {c} - ({self.low})"
            f" ELSE {self.outside} END) << {self.shift})"
        )


def _layout(bounds: Sequence[Bounds | None]) -> tuple[list[list[_Field]], list[int]]:
    """Columns with bounds, packed into words of WORD_BITS; the others, as they are."""
    words: list[list[_Field]] = []
    used = 0
    plain = []
    for column, found in enumerate(bounds):
        if found is None:
            plain.append(column)
            continue
        low, high = int(found.low), int(found.high)
        bits = (high - low + 1).bit_length()
        if high < low or bits > WORD_BITS:
            plain.append(column)
            continue
        if not words or used + bits > WORD_BITS:
            words.append([])
            used = 0
        words[-1].append(_Field(column, low, high, used, checked=not found.sure))
        used += bits
    return words, plain


def _read_packed(
    columns: Sequence[str], tail: str, params: Sequence[Any], bounds: Sequence[Bounds | None]
) -> np.ndarray | None:
    words, plain = _layout(list(bounds) + [None] * (len(columns) - len(bounds)))
    expressions = [" + ".join(f.sql() for f in word) for word in words] + [f"c{i}" for i in plain]
    values = _concatenated(expressions, columns, tail, params)
    result = np.empty((len(values[0]), len(columns)), dtype=np.int64)
    for word, packed in zip(words, values, strict=False):
        for field in word:
            value = (packed >> field.shift) & ((1 << field.bits) - 1)
            if field.checked and (value == field.outside).any():
                return None  # a value outside its range: read unpacked
            result[:, field.column] = value + field.low
    for column, value in zip(plain, values[len(words) :], strict=True):
        result[:, column] = value
    return result


def insert(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert rows (None as NULL) into a table: COPY on PostgreSQL, executemany on SQLite."""
    if postgresql():
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({placeholders(columns)})"  # noqa: S608
    iterator = iter(rows)
    while batch := list(itertools.islice(iterator, 50000)):
        execute_many(sql, batch)


def insert_ints(
    table: str, columns: Sequence[str], values: np.ndarray, fixed: dict[str, int] | None = None
) -> None:
    """Insert rows of integers, NONE as NULL, with `fixed` columns the same in every row.

    On SQLite no Python object is made per value: each row is packed into one or a few integers
    (words) and each word column travels as one JSON array, which the database takes apart
    (`json_each`); the first word's array is joined with the others' by position, through temporary
    tables keyed by it. On PostgreSQL: binary COPY (`pgcopy.write`)."""
    fixed = fixed or {}
    names = [*fixed, *columns]
    if not len(values):
        return
    lows = values.min(axis=0).tolist()
    spans = (values.max(axis=0) - values.min(axis=0)).tolist()
    words, _ = _layout([sure(low, low + span) for low, span in zip(lows, spans, strict=True)])
    if postgresql():
        pgcopy.write(table, columns, values, fixed)
        return
    if sum(len(word) for word in words) < len(columns):
        nullable = [bool((values[:, j] == NONE).any()) for j in range(values.shape[1])]
        rows = (
            [*fixed.values(), *(None if n and v == NONE else v for v, n in zip(row, nullable, strict=True))]
            for row in values.tolist()
        )
        insert(table, names, rows)
        return
    packed = []
    parts = [str(int(v)) for v in fixed.values()]
    for word in words:
        array = np.zeros(len(values), dtype=np.int64)
        for f in word:
            array |= (values[:, f.column] - f.low) << f.shift
        packed.append(array)
    exprs: dict[int, str] = {}
    for i, word in enumerate(words):
        source = "w0.value" if i == 0 else f"w{i}.w"
        for f in word:
            part = f"(({source} >> {f.shift}) & {(1 << f.bits) - 1}) + ({f.low})"
            exprs[f.column] = f"NULLIF({part}, {NONE})" if f.low == NONE else part
    parts += [exprs[j] for j in range(len(columns))]
    tables = [f"gaps_rebuild_word{i}" for i in range(1, len(words))]
    joins = "".join(f" JOIN {t} w{i} ON w{i}.k = w0.key" for i, t in enumerate(tables, 1))
    sql = f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(parts)} FROM json_each(%s) w0{joins}"  # noqa: S608
    for t in tables:
        execute(f"CREATE TEMPORARY TABLE {t} (k INTEGER PRIMARY KEY, w INTEGER)")
    try:
        for start in range(0, len(values), 1_000_000):
            texts = ["[" + ",".join(map(str, a[start : start + 1_000_000].tolist())) + "]" for a in packed]
            for t, text in zip(tables, texts[1:], strict=True):
                execute(f"DELETE FROM {t}")  # noqa: S608
                execute(f"INSERT INTO {t} (k, w) SELECT key, value FROM json_each(%s)", [text])  # noqa: S608
            execute(sql, [texts[0]])
    finally:
        for t in tables:
            execute(f"DROP TABLE {t}")


def fewer_rows_than(table: str, count: int) -> bool:
    """Whether the table holds at most `count` rows (reads no more than count + 1 of them)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {table} LIMIT %s) q", [count + 1])  # noqa: S608
        return cursor.fetchone()[0] <= count


def drop_indexes(table: str) -> list[str]:
    """PostgreSQL, for a bulk load that makes up most of a table: drop its indexes and unique
    constraints (not the primary key) and return the statements that create them again, to run
    after the load (building an index from all its entries at once costs far less than inserting
    them one by one). Inside the caller's transaction, so a failed load takes the drop back; the
    drop holds the table's exclusive lock until the transaction ends (readers of the table wait)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype = 'u' ORDER BY conname",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " WHERE x.indrelid = %s::regclass AND NOT x.indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)"
            " ORDER BY i.relname",
            [table],
        )
        indexes = cursor.fetchall()
        again = []
        for name, definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            again.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        for name, definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
            again.append(definition)
    return again


def delete_ids(table: str, ids: Sequence[int], batch: int) -> None:
    with connection.cursor() as cursor:
        for start in range(0, len(ids), batch):
            chunk = list(ids[start : start + batch])
            cursor.execute(f"DELETE FROM {table} WHERE id IN ({placeholders(chunk)})", chunk)  # noqa: S608
