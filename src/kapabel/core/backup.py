"""Backup and restore of the whole database, with the database's own tools.

- SQLite: SQLite's online backup API copies a consistent snapshot while the application keeps
  running (readers and the writer are not stopped); the copy is one self-contained database file
  (journal mode DELETE), checked with `PRAGMA quick_check`. Restoring copies it back the same way:
  the live database's content is replaced in one step.
- PostgreSQL: `pg_dump --format=custom` (a consistent snapshot, compressed). Restoring replays it
  with `pg_restore --clean --if-exists` through `psql --single-transaction`, after dropping the
  tables the backup does not have: the database ends up exactly as backed up, or, if anything fails,
  as it was. Connection details go to the tools through PG* environment variables, so the password
  never shows in a process list.

Uploaded files (documents on programme applications, HR files waiting to be read) live under
MEDIA_ROOT, not in the database. A backup also writes them to PATH.media.tar; a restore that finds that
archive beside PATH unpacks it first (refusing names that would leave the directory) and, once the
database is restored, swaps the directory in whole. A backup without the archive (made before it
existed) leaves MEDIA_ROOT as it is.

A backup is written to a temporary file next to PATH and renamed when complete, readable by its
owner only (it holds personal data). A backup of one kind is refused by a database of the other kind
(moving between SQLite and PostgreSQL: `kapabel dumpdata` / `kapabel loaddata`, docs/operations.md).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
MEDIA_SUFFIX = ".media.tar"
# Tables of the backup's database that are dropped before a PostgreSQL restore: every table of the
# current schema (the dump then recreates its own). Kapabel's own user owns them (it created them).
DROP_TABLES = """
DO $$
DECLARE r record;
BEGIN
  FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = current_schema() LOOP
    EXECUTE format('DROP TABLE IF EXISTS %I CASCADE', r.tablename);
  END LOOP;
END $$;
"""


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Outcome:
    vendor: str
    path: Path
    size: int
    media: Path | None = None  # the uploaded files' archive written or restored; None: there was none
    media_files: int = 0


def _settings(alias: str = "default") -> dict[str, Any]:
    return connections[alias].settings_dict


def vendor(alias: str = "default") -> str:
    return connections[alias].vendor


# --- SQLite -------------------------------------------------------------------------------------------


def _sqlite_path(alias: str) -> Path:
    name = str(_settings(alias)["NAME"])
    if name == ":memory:" or name.startswith("file:"):
        raise BackupError(_("An in-memory SQLite database cannot be backed up."))
    return Path(name)


def _sqlite_backup(path: Path, alias: str) -> None:
    source_path = _sqlite_path(alias)
    if not source_path.exists():
        raise BackupError(_("The database file %(path)s does not exist.") % {"path": source_path})
    try:
        _sqlite_copy(source_path, path)
    except sqlite3.Error as exc:
        raise BackupError(_("The backup failed: %(error)s") % {"error": exc}) from exc


def _sqlite_copy(source_path: Path, path: Path) -> None:
    with _staged(path) as staging:
        source = sqlite3.connect(source_path, timeout=30)
        target = sqlite3.connect(staging)
        try:
            source.backup(target)  # pages=-1: one step, one consistent snapshot
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            (result,) = target.execute("PRAGMA quick_check").fetchone()
            if result != "ok":
                raise BackupError(_("The copy failed its integrity check: %(result)s") % {"result": result})
        finally:
            target.close()
            source.close()


def _sqlite_restore(path: Path, alias: str) -> None:
    target_path = _sqlite_path(alias)
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        try:
            (result,) = source.execute("PRAGMA quick_check").fetchone()
            tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as exc:
            result = str(exc)
        if result != "ok":
            raise BackupError(_("The backup failed its integrity check: %(result)s") % {"result": result})
        if "django_migrations" not in tables:
            raise BackupError(_("%(path)s is not a backup of a Kapabel database.") % {"path": path})
        connections[alias].close()  # Django's own connection must not hold the file meanwhile
        target_path.parent.mkdir(parents=True, exist_ok=True)
        target = sqlite3.connect(target_path, timeout=30)
        try:
            source.backup(target)  # replaces the whole content under the database's write lock
            target.execute("PRAGMA journal_mode=WAL")
        except sqlite3.Error as exc:
            raise BackupError(_("The restore failed: %(error)s") % {"error": exc}) from exc
        finally:
            target.close()
    finally:
        source.close()


# --- PostgreSQL ---------------------------------------------------------------------------------------


def pg_tool(name: str) -> str:
    """The PostgreSQL client program: on PATH, else the newest under /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=lambda p: int(p.split("/")[4]))
    if not candidates:
        raise BackupError(
            _("%(tool)s was not found. Install the PostgreSQL client: apt-get install postgresql-client")
            % {"tool": name}
        )
    return candidates[-1]


def _pg_env(alias: str) -> dict[str, str]:
    """libpq's environment variables for the configured database (no password on a command line)."""
    conf = _settings(alias)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    values = {
        "PGDATABASE": conf.get("NAME"),
        "PGUSER": conf.get("USER"),
        "PGPASSWORD": conf.get("PASSWORD"),
        "PGHOST": conf.get("HOST"),
        "PGPORT": conf.get("PORT"),
    }
    options = conf.get("OPTIONS") or {}
    for option, variable in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
    ):
        values[variable] = options.get(option)
    env.update({key: str(value) for key, value in values.items() if value})
    return env


def _run(command: list[str], env: dict[str, str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, env=env, capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        raise BackupError(
            _("%(tool)s failed: %(error)s")
            % {"tool": Path(command[0]).name, "error": done.stderr.strip()[-2000:]}
        )
    return done


def _pg_backup(path: Path, alias: str) -> None:
    with _staged(path) as staging:
        _run([pg_tool("pg_dump"), "--format=custom", "--no-password", f"--file={staging}"], _pg_env(alias))


def _pg_restore(path: Path, alias: str) -> None:
    env = _pg_env(alias)
    listing = _run([pg_tool("pg_restore"), "--list", str(path)], env).stdout
    if "django_migrations" not in listing:
        raise BackupError(_("%(path)s is not a backup of a Kapabel database.") % {"path": path})
    connections[alias].close()
    script = subprocess.Popen(
        [
            pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--file=-",
            str(path),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as prelude:
        prelude.write(DROP_TABLES)
    try:
        replay = subprocess.run(
            [
                pg_tool("psql"),
                "--no-psqlrc",
                "--quiet",
                "--no-password",
                "--single-transaction",
                "--set=ON_ERROR_STOP=1",
                f"--file={prelude.name}",
                "--file=-",
            ],
            env=env,
            stdin=script.stdout,
            capture_output=True,
            text=True,
        )
    finally:
        os.unlink(prelude.name)
        if script.stdout:
            script.stdout.close()
        script_error = script.stderr.read().decode(errors="replace") if script.stderr else ""
        script.wait()
    if script.returncode != 0:
        raise BackupError(
            _("%(tool)s failed: %(error)s") % {"tool": "pg_restore", "error": script_error.strip()[-2000:]}
        )
    if replay.returncode != 0:
        raise BackupError(
            _("psql failed; the database was left as it was: %(error)s")
            % {"error": replay.stderr.strip()[-2000:]}
        )


# --- Uploaded files -----------------------------------------------------------------------------------


def media_archive(path: Path) -> Path:
    """The archive of uploaded files that belongs to the database backup at `path`."""
    return path.with_name(path.name + MEDIA_SUFFIX)


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def _media_backup(path: Path) -> int:
    """Every file under MEDIA_ROOT into PATH.media.tar (also when there is none: a restore then
    gives back an empty directory, not whatever is there by then). Returns the number of files."""
    root = _media_root()
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()) if root.is_dir() else []
    with _staged(media_archive(path)) as staging, tarfile.open(staging, "w") as archive:
        for file in files:
            archive.add(file, arcname=file.relative_to(root).as_posix(), recursive=False)
    return len(files)


def _media_unpack(path: Path) -> tuple[Path, int] | None:
    """PATH.media.tar unpacked into a directory beside MEDIA_ROOT, or None when there is no archive.
    tarfile's "data" filter refuses absolute names, `..`, links out of the directory and devices."""
    archive_path = media_archive(path)
    if not archive_path.is_file():
        return None
    root = _media_root()
    root.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{root.name}.restore.", dir=root.parent))
    try:
        with tarfile.open(archive_path, "r") as archive:
            archive.extractall(staging, filter="data")
    except (tarfile.TarError, OSError) as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise BackupError(
            _("The uploaded files in %(path)s cannot be restored: %(error)s")
            % {"path": archive_path, "error": exc}
        ) from exc
    return staging, sum(1 for p in staging.rglob("*") if p.is_file())


def _media_swap(staging: Path) -> None:
    """Put the unpacked directory in MEDIA_ROOT's place (two renames), then remove the old one."""
    root = _media_root()
    old = root.with_name(f".{root.name}.replaced")
    shutil.rmtree(old, ignore_errors=True)
    if root.exists():
        os.replace(root, old)
    os.replace(staging, root)
    shutil.rmtree(old, ignore_errors=True)


# --- Both ---------------------------------------------------------------------------------------------


@contextlib.contextmanager
def _staged(path: Path) -> Iterator[Path]:
    """A temporary file next to `path` (owner-only), renamed to `path` when the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    os.chmod(name, 0o600)
    staging = Path(name)  # empty: SQLite and pg_dump write into it, keeping its mode
    try:
        yield staging
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)


def kind_of(path: Path) -> str:
    """'sqlite' or 'postgresql' from the file's first bytes."""
    with path.open("rb") as handle:
        head = handle.read(16)
    if head.startswith(SQLITE_MAGIC):
        return "sqlite"
    if head.startswith(PGDUMP_MAGIC):
        return "postgresql"
    raise BackupError(_("%(path)s is not a Kapabel backup.") % {"path": path})


def backup(path: Path, alias: str = "default") -> Outcome:
    """Write a backup of the whole database to `path`, and the uploaded files beside it."""
    kind = vendor(alias)
    if kind == "sqlite":
        _sqlite_backup(path, alias)
    elif kind == "postgresql":
        _pg_backup(path, alias)
    else:
        raise BackupError(_("Backups of %(vendor)s databases are not supported.") % {"vendor": kind})
    files = _media_backup(path)
    return Outcome(kind, path, path.stat().st_size, media_archive(path), files)


def restore(path: Path, alias: str = "default") -> Outcome:
    """Replace the whole database with the backup in `path` (all or nothing)."""
    if not path.is_file():
        raise BackupError(_("There is no file %(path)s.") % {"path": path})
    kind = vendor(alias)
    found = kind_of(path)
    if found != kind:
        raise BackupError(
            _(
                "%(path)s is a backup of a %(found)s database, but this installation uses %(kind)s. "
                "To move between databases, use kapabel dumpdata and kapabel loaddata."
            )
            % {"path": path, "found": found, "kind": kind}
        )
    unpacked = _media_unpack(path)  # before the database: a bad archive changes nothing
    try:
        if kind == "sqlite":
            _sqlite_restore(path, alias)
        else:
            _pg_restore(path, alias)
    except BaseException:
        if unpacked:
            shutil.rmtree(unpacked[0], ignore_errors=True)
        raise
    if unpacked is None:
        return Outcome(kind, path, path.stat().st_size)
    _media_swap(unpacked[0])
    return Outcome(kind, path, path.stat().st_size, media_archive(path), unpacked[1])
