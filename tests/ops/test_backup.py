"""`kapabel backup` and `kapabel restore` on the suite's database (SQLite; PostgreSQL with
KAPABEL_TEST_POSTGRES=1): a round trip gives back every table, row for row."""

from __future__ import annotations

import io
import sqlite3
import stat
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from kapabel.testing import dbcompare

CHANGE_DATA = (
    "from kapabel.organisation.models import Employee; from kapabel.assessments.models import Rating; "
    "from kapabel.core.models import Municipality; "
    "Employee.objects.filter(pk__in=list(Employee.objects.values_list('pk', flat=True)[:10]))"
    ".update(name='Changed'); "
    "from kapabel.learning.models import Evidence; from kapabel.dialogues.models import AgreedLevel; "
    "kept = [*Evidence.objects.values_list('rating', flat=True), "
    "*AgreedLevel.objects.values_list('rating', flat=True)]; "
    "Rating.objects.filter(pk__in=list(Rating.objects.exclude(pk__in=[k for k in kept if k])"
    ".values_list('pk', flat=True)[:25])).delete(); "
    "Municipality.objects.create(name='Ny Kommune', kommunekode='123'); "
    "from django.db import connection; connection.cursor().execute('CREATE TABLE newer_table (x integer)')"
)


def test_a_round_trip_gives_back_every_table(demo_db, tmp_path):
    backup = tmp_path / "kapabel.backup"
    out = demo_db.kapabel("backup", str(backup)).stdout
    assert str(backup) in out
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600  # it holds personal data
    assert not list(tmp_path.glob("*.partial"))
    backed_up = dbcompare.fingerprint(demo_db.url)
    assert backed_up["organisation_employee"].rows >= 50

    demo_db.shell(CHANGE_DATA)
    changed = dbcompare.fingerprint(demo_db.url)
    assert {"organisation_employee", "assessments_rating", "organisation_municipality", "newer_table"} <= {
        line.split(":")[0] for line in dbcompare.differences(backed_up, changed)
    }

    out = demo_db.kapabel("restore", "--noinput", str(backup)).stdout
    assert str(backup) in out
    assert dbcompare.differences(backed_up, dbcompare.fingerprint(demo_db.url)) == []
    # The application works on it as before.
    demo_db.kapabel("migrate", "--check")
    count = demo_db.shell("from kapabel.organisation.models import Employee; print(Employee.objects.count())")
    assert count.splitlines()[-1] == str(backed_up["organisation_employee"].rows)


def test_a_backup_restores_into_a_new_empty_database(demo_db, empty_db, tmp_path):
    backup = tmp_path / "kapabel.backup"
    demo_db.kapabel("backup", str(backup))
    empty_db.kapabel("restore", "--noinput", str(backup))
    assert (
        dbcompare.differences(dbcompare.fingerprint(demo_db.url), dbcompare.fingerprint(empty_db.url)) == []
    )


def test_the_backup_is_taken_while_another_transaction_writes(demo_db, tmp_path):
    """Online: a writer in the middle of its transaction neither blocks the backup nor gets into it."""
    backup = tmp_path / "kapabel.backup"
    committed = dbcompare.fingerprint(demo_db.url)
    writer = _open_writer(demo_db.url)
    try:
        writer.execute("UPDATE organisation_employee SET name = 'Uncommitted'")
        demo_db.kapabel("backup", str(backup))  # would time out if the writer blocked it
    finally:
        writer.rollback()
        writer.close()
    demo_db.shell(CHANGE_DATA)
    demo_db.kapabel("restore", "--noinput", str(backup))
    assert dbcompare.differences(committed, dbcompare.fingerprint(demo_db.url)) == []


def _open_writer(url: str):
    if url.startswith("postgres"):
        import dj_database_url
        import psycopg

        conf = dj_database_url.parse(url)
        return psycopg.connect(
            dbname=conf["NAME"], user=conf["USER"] or None, host=conf["HOST"], port=conf["PORT"]
        )
    writer = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # holds SQLite's write lock, as a long write does

    class Writer:
        execute = writer.execute
        close = writer.close

        @staticmethod
        def rollback() -> None:
            writer.execute("ROLLBACK")

    return Writer()


def test_a_broken_backup_is_refused_and_the_database_is_left_as_it_was(demo_db, tmp_path):
    backup = tmp_path / "kapabel.backup"
    demo_db.kapabel("backup", str(backup))
    broken = tmp_path / "broken.backup"
    broken.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    before = dbcompare.fingerprint(demo_db.url)
    done = demo_db.kapabel("restore", "--noinput", str(broken), check=False)
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert dbcompare.differences(before, dbcompare.fingerprint(demo_db.url)) == []


def test_what_restore_refuses(demo_db, tmp_path):
    before = dbcompare.fingerprint(demo_db.url)
    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello")
    done = demo_db.kapabel("restore", "--noinput", str(not_a_backup), check=False)
    assert done.returncode != 0 and str(not_a_backup) in done.stderr

    other_kind = tmp_path / "other.backup"
    if demo_db.vendor == "sqlite":
        other_kind.write_bytes(b"PGDMP" + b"\0" * 100)
    else:
        sqlite3.connect(other_kind).execute("CREATE TABLE django_migrations (id integer)").connection.commit()
    done = demo_db.kapabel("restore", "--noinput", str(other_kind), check=False)
    assert done.returncode != 0 and "dumpdata" in done.stderr

    backup = tmp_path / "kapabel.backup"
    demo_db.kapabel("backup", str(backup))
    done = demo_db.kapabel("backup", str(backup), check=False)
    assert done.returncode != 0 and "--overwrite" in done.stderr
    demo_db.kapabel("backup", "--overwrite", str(backup))

    # Asked, and not told "yes": nothing happens.
    demo_db.shell(CHANGE_DATA)
    changed = dbcompare.fingerprint(demo_db.url)
    done = subprocess_with_input(demo_db, ["restore", str(backup)], "no\n")
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert dbcompare.differences(changed, dbcompare.fingerprint(demo_db.url)) == []
    assert dbcompare.differences(before, changed) != []


def subprocess_with_input(database, args: list[str], answer: str):
    return subprocess.run(
        [sys.executable, "-m", "kapabel", *args],
        env=database.env(),
        input=answer,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_backup_of_a_missing_sqlite_file_says_so(empty_db, tmp_path):
    if empty_db.vendor != "sqlite":
        pytest.skip("about SQLite's file")
    done = empty_db.kapabel("backup", str(tmp_path / "x.backup"), check=False)
    assert done.returncode != 0 and "kapabel.sqlite3" in done.stderr and "Traceback" not in done.stderr


def media_tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def line_naming(out: str, path: Path) -> str:
    return next(line for line in out.splitlines() if str(path) in line)


def put(root: Path, name: str, content: bytes) -> None:
    (root / name).parent.mkdir(parents=True, exist_ok=True)
    (root / name).write_bytes(content)


def test_uploaded_files_go_with_the_backup_and_come_back_exactly(demo_db, tmp_path):
    """Application documents live in var/media, not in the database: the backup takes them along
    (owner-only), and a restore gives back that directory exactly: changed, removed and added files."""
    media = demo_db.var_dir / "media"
    put(media, "programmes/applications/7/4f1c", b"%PDF-1.7 the signed application")
    put(media, "programmes/applications/9/a0b2", b"PK\x03\x04 a quote")
    backed_up = media_tree(media)
    backup = tmp_path / "kapabel.backup"
    out = demo_db.kapabel("backup", str(backup)).stdout
    archive = tmp_path / "kapabel.backup.media.tar"
    assert line_naming(out, archive).startswith("2 ")  # two files, in the command's language
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # documents hold personal data too
    assert not list(tmp_path.glob(".*.partial"))

    put(media, "programmes/applications/7/4f1c", b"changed after the backup")
    (media / "programmes/applications/9/a0b2").unlink()
    put(media, "programmes/applications/11/ffff", b"uploaded after the backup")
    out = demo_db.kapabel("restore", "--noinput", str(backup)).stdout
    assert line_naming(out, archive).startswith("2 ")
    assert media_tree(media) == backed_up
    assert sorted(p.name for p in demo_db.var_dir.iterdir() if p.name.startswith(".media")) == []

    # Overwriting asks for --overwrite when only the archive is left from an earlier backup.
    backup.unlink()
    done = demo_db.kapabel("backup", str(backup), check=False)
    assert done.returncode != 0 and archive.name in done.stderr


def test_an_archive_that_escapes_its_directory_is_refused_before_anything_changes(demo_db, tmp_path):
    media = demo_db.var_dir / "media"
    put(media, "programmes/applications/1/aaaa", b"kept")
    backup = tmp_path / "kapabel.backup"
    demo_db.kapabel("backup", str(backup))
    with tarfile.open(tmp_path / "kapabel.backup.media.tar", "w") as archive:
        evil = tarfile.TarInfo("../../escaped.txt")
        evil.size = 4
        archive.addfile(evil, io.BytesIO(b"evil"))
    demo_db.shell(CHANGE_DATA)
    changed = dbcompare.fingerprint(demo_db.url)
    put(media, "programmes/applications/2/bbbb", b"after")
    before = media_tree(media)

    done = demo_db.kapabel("restore", "--noinput", str(backup), check=False)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "kapabel.backup.media.tar" in done.stderr
    assert dbcompare.differences(changed, dbcompare.fingerprint(demo_db.url)) == []  # database untouched
    assert media_tree(media) == before
    assert not list(tmp_path.parent.glob("escaped.txt")) and not list(tmp_path.glob("escaped.txt"))
    assert [p.name for p in demo_db.var_dir.iterdir() if p.name.startswith(".media")] == []


def test_a_backup_without_an_archive_leaves_the_uploaded_files_alone(demo_db, tmp_path):
    """Backups made before the archive existed still restore; the files are left and the output says so."""
    media = demo_db.var_dir / "media"
    backup = tmp_path / "kapabel.backup"
    demo_db.kapabel("backup", str(backup))
    (tmp_path / "kapabel.backup.media.tar").unlink()
    put(media, "programmes/applications/3/cccc", b"still here")
    out = demo_db.kapabel("restore", "--noinput", str(backup)).stdout
    assert "kapabel.backup.media.tar" in out and str(media) in out
    assert media_tree(media) == {"programmes/applications/3/cccc": b"still here"}
