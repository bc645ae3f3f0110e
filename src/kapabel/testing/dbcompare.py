"""Every table of a database, as row counts and content digests, read over a connection of its own
(not Django's), for tests that compare a database before and after something happened to it in
another process: a backup and restore round trip, a write killed half-way."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import dj_database_url


@dataclass(frozen=True)
class Table:
    rows: int
    digest: str


def _sqlite(url: str) -> Any:
    return sqlite3.connect(dj_database_url.parse(url)["NAME"])


def _postgres(url: str) -> Any:
    import psycopg

    conf = dj_database_url.parse(url)
    return psycopg.connect(
        dbname=conf["NAME"],
        user=conf.get("USER") or None,
        password=conf.get("PASSWORD") or None,
        host=conf.get("HOST") or None,
        port=conf.get("PORT") or None,
        autocommit=True,
    )


def tables(url: str) -> list[str]:
    with _connect(url) as db:
        return _table_names(url, db)


def _connect(url: str) -> Any:
    return _postgres(url) if url.startswith("postgres") else contextlib.closing(_sqlite(url))


def _table_names(url: str, db: Any) -> list[str]:
    if url.startswith("postgres"):
        query = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
    else:
        query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY 1"
    return [row[0] for row in db.execute(query).fetchall()]


def fingerprint(url: str, *, exclude: Collection[str] = ()) -> dict[str, Table]:
    """{table: (row count, SHA-256 of its rows in a fixed order)} for every table but `exclude`."""
    result = {}
    with _connect(url) as db:
        for name in _table_names(url, db):
            if name in exclude:
                continue
            rows = db.execute(f'SELECT * FROM "{name}"').fetchall()  # noqa: S608 - names from the catalogue
            lines = sorted(repr(tuple(row)) for row in rows)
            digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()
            result[name] = Table(len(rows), digest)
    return result


def differences(before: dict[str, Table], after: dict[str, Table]) -> list[str]:
    """What differs, one line per table (empty when the databases hold the same)."""
    lines = []
    for name in sorted(set(before) | set(after)):
        a, b = before.get(name), after.get(name)
        if a != b:
            lines.append(f"{name}: {a} -> {b}")
    return lines
