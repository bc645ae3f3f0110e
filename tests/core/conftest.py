import sqlite3

import pytest
from django.db import connection, connections


@pytest.fixture
def concurrent_db(transactional_db, tmp_path):
    """A database that many threads (or a server process) can write to at once, for tests of races
    and load. On PostgreSQL that is the test database itself. SQLite's test database lives in memory
    with a shared cache, which fails at once with "table is locked" instead of waiting, so on SQLite
    the test continues on a file copy of it (WAL, as in production): this thread and every thread that
    connects meanwhile open that file. Yields the file's path, or None on PostgreSQL. Request it after
    the fixtures that build the data (e.g. `world`), so the copy has it."""
    if connection.vendor != "sqlite":
        yield None
        return
    path = tmp_path / "concurrent.sqlite3"
    connection.ensure_connection()
    copy = sqlite3.connect(path)
    connection.connection.backup(copy)
    copy.execute("PRAGMA journal_mode=WAL")
    copy.close()
    in_memory = connections["default"]
    settings_dict = in_memory.settings_dict  # shared with every connection made for "default"
    name = settings_dict["NAME"]
    settings_dict["NAME"] = str(path)
    del connections["default"]
    try:
        yield path
    finally:
        connections["default"].close()
        settings_dict["NAME"] = name
        connections["default"] = in_memory
