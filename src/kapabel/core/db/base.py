"""Django's SQLite backend, with writes that wait their turn.

SQLite lets one connection write at a time. Kapabel opens every transaction with BEGIN IMMEDIATE
(settings.py), so a transaction takes the write lock before it does anything, and a statement outside a
transaction (autocommit) takes it for that one statement. Either way the only place a write can find the
database locked is at its start, before it has read or changed anything, so starting again is always safe.
SQLite's own busy handler already waits `busy_timeout` for the lock; when that runs out we back off
(with jitter, so waiting writers do not retry in lockstep) and try again, until
KAPABEL_SQLITE_LOCK_WAIT seconds have passed in all. A statement inside a transaction is never
retried here: its transaction holds the lock already, and repeating one statement of a transaction
that failed could change the outcome.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import time
from typing import Any

from django.conf import settings
from django.db.backends.sqlite3 import base

logger = logging.getLogger("kapabel.db")

LOCKED = "database is locked"  # SQLITE_BUSY; not "database table is locked" (shared cache)
FIRST_BACKOFF = 0.02  # seconds; doubled after each try, up to MAX_BACKOFF
MAX_BACKOFF = 0.5


def is_locked(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and LOCKED in str(exc)


def lock_wait_budget() -> float:
    return float(getattr(settings, "KAPABEL_SQLITE_LOCK_WAIT", 20))


class PatientCursor(base.SQLiteCursorWrapper):
    """Starts a transaction, or runs a statement in autocommit mode, again while the database is locked."""

    def execute(self, query: str, params: Any = None) -> Any:
        return self._patiently(super().execute, query, params)

    def executemany(self, query: str, param_list: Any) -> Any:
        if not self.connection.in_transaction:
            param_list = list(param_list)  # it may be a generator, and we may need it twice
        return self._patiently(super().executemany, query, param_list)

    def _patiently(self, run: Any, *args: Any) -> Any:
        if self.connection.in_transaction:
            return run(*args)  # the transaction holds the write lock (or will fail as a whole)
        started = time.monotonic()
        backoff = FIRST_BACKOFF
        tries = 1
        while True:
            try:
                result = run(*args)
            except sqlite3.OperationalError as exc:
                waited = time.monotonic() - started
                if not is_locked(exc) or self.connection.in_transaction or waited >= lock_wait_budget():
                    if is_locked(exc):
                        logger.error(
                            "database still locked after %.1f s and %d tries",
                            waited,
                            tries,
                            extra={"waited_s": round(waited, 2), "tries": tries},
                        )
                    raise
                time.sleep(backoff * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, not security
                backoff = min(backoff * 2, MAX_BACKOFF)
                tries += 1
                continue
            waited = time.monotonic() - started
            if tries > 1:
                logger.warning(
                    "waited %.1f s for the SQLite write lock (%d tries)",
                    waited,
                    tries,
                    extra={"waited_s": round(waited, 2), "tries": tries},
                )
            return result


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name: str | None = None) -> Any:
        return self.connection.cursor(factory=PatientCursor)
