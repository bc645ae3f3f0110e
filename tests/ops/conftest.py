"""Operations tests: they run `kapabel` commands and servers in other processes, against databases of
their own on the suite's database server (a file on SQLite; more databases in the same cluster on
PostgreSQL, `KAPABEL_TEST_POSTGRES=1`). The demo municipality (50 people) is built once per run as a
template and copied for each test (SQLite: a file copy; PostgreSQL: CREATE DATABASE … TEMPLATE)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
import pytest
from django.conf import settings

import kapabel

SRC = Path(kapabel.__file__).resolve().parent.parent
DEMO_EMPLOYEES = 50
DEMO_KOMMUNEKODE = "999"


def suite_vendor() -> str:
    return "postgresql" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "sqlite"


@dataclass
class Database:
    """A database of a test's own, and how to run `kapabel` on it in another process."""

    url: str
    var_dir: Path

    @property
    def vendor(self) -> str:
        return "postgresql" if self.url.startswith("postgres") else "sqlite"

    def env(self, **extra: str) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "KAPABEL_ENV")
        }
        env.update(
            PYTHONPATH=str(SRC),
            DJANGO_SETTINGS_MODULE="kapabel.settings",
            KAPABEL_VAR_DIR=str(self.var_dir),
            DATABASE_URL=self.url,
            LOG_LEVEL="WARNING",
        )
        env.update(extra)
        return env

    def kapabel(self, *args: str, check: bool = True, **extra: str) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "kapabel", *args],
            env=self.env(**extra),
            capture_output=True,
            text=True,
            timeout=600,
        )
        if check:
            assert done.returncode == 0, f"kapabel {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
        return done

    def shell(self, code: str, **extra: str) -> str:
        return self.kapabel("shell", "-c", code, **extra).stdout


class Server:
    """The suite's PostgreSQL server: make and drop databases on it."""

    def __init__(self) -> None:
        conf = settings.DATABASES["default"]
        self.conf = {
            "host": conf.get("HOST") or None,
            "port": conf.get("PORT") or None,
            "user": conf.get("USER") or None,
            "password": conf.get("PASSWORD") or None,
        }

    def url(self, name: str) -> str:
        user = self.conf["user"] or ""
        password = f":{self.conf['password']}" if self.conf["password"] else ""
        return f"postgresql://{user}{password}@{self.conf['host']}:{self.conf['port']}/{name}"

    def execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True, **self.conf) as db:
            db.execute(sql)

    def create(self, name: str, template: str | None = None) -> str:
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def drop(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_server() -> Server | None:
    return Server() if suite_vendor() == "postgresql" else None


def _new_database(pg_server: Server | None, directory: Path, template: str | None = None) -> str:
    if pg_server is None:
        path = directory / "kapabel.sqlite3"
        if template:
            shutil.copyfile(template, path)
        return f"sqlite:///{path}"
    return pg_server.create(f"kapabel_ops_{uuid.uuid4().hex[:12]}", template)


def _drop(pg_server: Server | None, url: str) -> None:
    if pg_server is not None:
        pg_server.drop(dj_database_url.parse(url)["NAME"])


@pytest.fixture(scope="session")
def demo_template(pg_server, tmp_path_factory) -> Iterator[str]:
    """A database with the schema and the demo municipality, built once: a file path on SQLite, a
    database name on PostgreSQL."""
    directory = tmp_path_factory.mktemp("ops-template")
    url = _new_database(pg_server, directory)
    database = Database(url, directory)
    database.kapabel("migrate", "--verbosity", "0")
    database.kapabel("demo", "--employees", str(DEMO_EMPLOYEES), "--seed", "1")
    name = dj_database_url.parse(url)["NAME"]
    yield name
    _drop(pg_server, url)


@pytest.fixture
def demo_db(pg_server, demo_template, tmp_path) -> Iterator[Database]:
    """A copy of the demo database, for this test only."""
    url = _new_database(pg_server, tmp_path, template=demo_template)
    yield Database(url, tmp_path)
    _drop(pg_server, url)


@pytest.fixture
def empty_db(pg_server, tmp_path) -> Iterator[Database]:
    """A new, empty database (no tables), for this test only."""
    directory = tmp_path / "empty"
    directory.mkdir()
    url = _new_database(pg_server, directory)
    yield Database(url, directory)
    _drop(pg_server, url)
