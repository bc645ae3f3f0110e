import os

from django.db import connection


def test_runs_on_the_database_named_by_database_url(db):
    """Guards the PostgreSQL CI run: it must really run on PostgreSQL, not fall back to SQLite."""
    expected = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
    assert connection.vendor == expected
