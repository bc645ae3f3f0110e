"""Kapabel's SQLite backend waits for the write lock instead of failing (issue 10, defect A)."""

import time

import pytest
from django.db import OperationalError, connection, connections, transaction

from kapabel.core.db.base import DatabaseWrapper
from kapabel.testing.loadtest import sqlite_write_lock_held


@pytest.fixture
def sqlite_file(tmp_path, django_db_blocker):
    """A Django connection to a SQLite file whose own busy timeout is only 50 ms, as alias "locktest"."""
    path = tmp_path / "lock.sqlite3"
    settings_dict = {
        **connection.settings_dict,
        "ENGINE": "kapabel.core.db",
        "NAME": str(path),
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=50;",
            "timeout": 0.05,
            "transaction_mode": "IMMEDIATE",
        },
        "TEST": {},
    }
    with django_db_blocker.unblock():
        db = DatabaseWrapper(settings_dict, alias="locktest")
        connections["locktest"] = db
        with db.cursor() as cursor:
            cursor.execute("CREATE TABLE note (text varchar(10))")
        try:
            yield path, db
        finally:
            db.close()
            del connections["locktest"]


def count_notes(db) -> int:
    with db.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM note")
        return cursor.fetchone()[0]


def test_the_sqlite_default_uses_the_patient_backend(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    default = connections["default"]
    assert isinstance(default, DatabaseWrapper)
    assert default.transaction_mode == "IMMEDIATE"


def test_writes_wait_out_a_lock_held_longer_than_the_busy_timeout(sqlite_file, settings):
    settings.KAPABEL_SQLITE_LOCK_WAIT = 10
    path, db = sqlite_file
    # A statement on its own (autocommit) waits, then runs.
    with sqlite_write_lock_held(path, seconds=0.5), db.cursor() as cursor:
        cursor.execute("INSERT INTO note VALUES ('alone')")
    # BEGIN IMMEDIATE waits, then the whole transaction runs.
    with (
        sqlite_write_lock_held(path, seconds=0.5),
        transaction.atomic(using="locktest"),
        db.cursor() as cursor,
    ):
        cursor.execute("INSERT INTO note VALUES ('first')")
        cursor.execute("INSERT INTO note VALUES ('second')")
    assert count_notes(db) == 3


def test_a_write_gives_up_after_the_lock_wait(sqlite_file, settings):
    settings.KAPABEL_SQLITE_LOCK_WAIT = 0.3
    path, db = sqlite_file
    with sqlite_write_lock_held(path, seconds=2):
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"), db.cursor() as cursor:
            cursor.execute("INSERT INTO note VALUES ('late')")
        assert time.monotonic() - started < 1.5
    assert count_notes(db) == 0
