"""Issue 10 #7, for real: `kapabel import-hr` killed with SIGKILL while it writes leaves the data as it
was, and its record, stuck at "being imported", is found and marked failed.

Everything runs in subprocesses against a SQLite file database of its own (the test database of the
other tests lives in memory, out of reach of another process). The command's stderr is a terminal
(a pty), so its progress bar shows how far the write has come: it is killed once rows are written
inside its transaction, not before."""

from __future__ import annotations

import os
import pty
import re
import select
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

import kapabel

SRC = Path(kapabel.__file__).resolve().parent.parent
PEOPLE = 8_000


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "DJANGO_SETTINGS_MODULE": "kapabel.settings",
        "KAPABEL_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kapabel.sqlite3'}",
        "LOG_LEVEL": "ERROR",
        **extra,
    }


def _kapabel(tmp_path: Path, *args: str, **extra: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "kapabel", *args],
        env=_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _sheet(path: Path, people: int) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("Medarbejdernummer;Navn;E-mail;Enhed;Stilling;Timer pr. uge;Ansat fra\n")
        for i in range(people):
            unit = f"Testrup/Forvaltning {i % 7}/Center {i % 50}/Team {i % 400}"
            handle.write(f"{i};Person {i};p{i}@testrup.dk;{unit};Stilling {i % 90};37;01-02-2020\n")
    return path


def _snapshot(database: Path) -> tuple:
    with sqlite3.connect(database) as db:
        return tuple(
            db.execute(query).fetchall()
            for query in (
                "SELECT id, external_id, name, unit_id, job_role_id, active FROM organisation_employee "
                "ORDER BY id",
                "SELECT id, name, parent_id, path FROM organisation_orgunit ORDER BY id",
                "SELECT id, title FROM organisation_jobrole ORDER BY id",
                "SELECT count(*) FROM core_auditevent",
            )
        )


def _imports(database: Path) -> list[tuple]:
    with sqlite3.connect(database) as db:
        return db.execute(
            "SELECT id, status, progress_label, problems FROM organisation_hrimport ORDER BY id"
        ).fetchall()


def _kill_while_writing(command: list[str], env: dict[str, str], deadline: float = 240) -> str:
    """Run the command with a terminal as stderr; SIGKILL it once its progress bar shows that the write
    has begun writing rows. Returns what it printed."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=follower
    )
    os.close(follower)
    shown = ""
    started = time.monotonic()
    try:
        while time.monotonic() - started < deadline:
            ready, _, _ = select.select([leader], [], [], 0.05)
            if ready:
                try:
                    shown += os.read(leader, 4096).decode(errors="replace")
                except OSError:  # the command ended
                    break
            # "writing    [######........................]  20%": rows were written in the transaction
            if re.search(r"writing\s+\[#+", shown):
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=30)
                return shown
            if process.poll() is not None:
                break
        pytest.fail(f"the import ended (or took too long) before it could be killed while writing:\n{shown}")
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    return shown


def test_sigkill_while_writing_leaves_the_data_and_the_stuck_import_is_marked_failed(tmp_path):
    database = tmp_path / "kapabel.sqlite3"
    _kapabel(tmp_path, "migrate", "--verbosity", "0")
    _kapabel(
        tmp_path,
        "shell",
        "-c",
        "from kapabel.organisation import services; "
        "services.municipality_create(name='Testrup Kommune', kommunekode='999', actor='tests')",
    )
    _kapabel(tmp_path, "import-hr", str(_sheet(tmp_path / "small.csv", 20)), "--municipality", "999")
    before = _snapshot(database)
    assert len(before[0]) == 20

    big = _sheet(tmp_path / "big.csv", PEOPLE)
    command = [sys.executable, "-m", "kapabel", "import-hr", str(big), "--municipality", "999"]
    shown = _kill_while_writing(command, _env(tmp_path))
    assert "writing" in shown

    # Nothing of the killed import's transaction is there; its record says it is still at it.
    assert _snapshot(database) == before
    (_first, _ok, _label, _problems), (stuck_id, status, label, _) = _imports(database)
    assert (status, label) == ("applying", "write")

    # Within the lease it is taken for alive ...
    out = _kapabel(tmp_path, "import-hr-watchdog", KAPABEL_IMPORT_LEASE_MINUTES="10")
    assert _imports(database)[1][1] == "applying"
    # ... past it, it is dead: marked failed, saying that nothing was written.
    out = _kapabel(tmp_path, "import-hr-watchdog", KAPABEL_IMPORT_LEASE_MINUTES="0")
    assert re.search(rf"\b{stuck_id}\b", out.splitlines()[1])
    _, status, _, problems = _imports(database)[1]
    assert status == "failed" and '"stopped"' in problems
    assert _snapshot(database) == before
