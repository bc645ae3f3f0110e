"""Issue 15 #10: every long write killed with SIGKILL half-way leaves the data as it was and a record
that says it failed.

Each long write runs as a `kapabel` command in a subprocess that stops at a checkpoint after it has
written rows in its transaction (`kapabel.testing.faults`); the test checks that the write is indeed
in the middle of an open transaction, that the watchdog takes the live write for alive, kills the
process with SIGKILL, and then checks that every table is as before, that the record says the run
failed ("stopped") once the watchdog has run, and that the write succeeds when run again.

A new long write joins with one entry in LONG_WRITES: wrap its service in
`kapabel.core.jobs.long_write("<app>.<write>", …)`, call `run.progress("<stage>")` once rows are written
(e.g. the learning app's bulk enrolment: after its enrolments), and add an entry such as
`LongWrite("bulk enrolment", command=…, stop_at="learning.bulk_enrolment:enrolments", record="job", …)`.
A write that is no management command runs as `shell -c` (bulk enrolment, a dialogue cycle, a plan
confirmed, people added to a programme).
"""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dj_database_url
import pytest

from kapabel.testing import dbcompare
from kapabel.testing.faults import MARKER
from tests.ops.conftest import DEMO_KOMMUNEKODE, Database

# Tables a long write writes outside its transaction: the records of its runs.
RECORDS = {"core_jobrun", "organisation_hrimport"}


def framework_csv(database: Database) -> list[str]:
    """A Moodle CSV of 40 competences in two levels."""
    from kapabel.competences.exchange import moodle

    scale = [{"scaleid": "0"}] + [
        {"id": value, "scaledefault": int(value == 1), "proficient": int(value == 3)} for value in (1, 2, 3)
    ]
    rows = [moodle.COLUMNS, ["", "KILL", "Afbrudt ramme", "", "2", "Lav,Middel,Høj", json.dumps(scale)]]
    rows[1] += ["", "", "", "", "", "1", ""]
    for i in range(40):
        parent = "" if i < 5 else f"K{i % 5}"
        rows.append(
            [parent, f"K{i}", f"Kompetence {i}", "", "2", "", "", "", "0", "null", "", str(i + 1), "", ""]
        )
    path = database.var_dir / "framework.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return ["import-framework", str(path), "--format", "moodle-csv", "--municipality", DEMO_KOMMUNEKODE]


def gap_rebuild(database: Database) -> list[str]:
    """A rebuild with work to do: the facts were lost (what `gap-rebuild` repairs)."""
    database.shell("from kapabel.gaps.models import GapFact; GapFact.objects.all().delete()")
    return ["gap-rebuild", "--municipality", DEMO_KOMMUNEKODE]


def gap_weights(database: Database) -> list[str]:
    return ["gap-settings", "--municipality", DEMO_KOMMUNEKODE, "--weights", "5,3,1"]


def hr_import(database: Database) -> list[str]:
    path = database.var_dir / "people.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("Medarbejdernummer;Navn;E-mail;Enhed;Stilling\n")
        for i in range(300):
            handle.write(f"K{i};Person {i};k{i}@kill.example.dk;Afbrudt/Team {i % 4};Stilling {i % 3}\n")
    return ["import-hr", str(path), "--municipality", DEMO_KOMMUNEKODE]


def bulk_enrolment(database: Database) -> list[str]:
    """Every active person of the demo onto a new cohort of an offer without prerequisites (a cohort
    with no sessions overlaps no other booking): the rows are written, then the write stops."""
    database.shell(
        "from kapabel.learning.models import Cohort, Offer\n"
        f"offer = Offer.objects.filter(municipality__kommunekode={DEMO_KOMMUNEKODE!r}, "
        "prerequisites__isnull=True).order_by('pk').first()\n"
        "Cohort.objects.create(offer=offer, code='KILL', capacity=1000, status=Cohort.Status.OPEN)"
    )
    return [
        "shell",
        "-c",
        "from kapabel.learning import services\n"
        "from kapabel.learning.models import Cohort\n"
        "from kapabel.organisation.models import Employee\n"
        "cohort = Cohort.objects.get(code='KILL')\n"
        "people = list(Employee.objects.filter(municipality_id=cohort.offer.municipality_id, active=True)"
        ".order_by('pk').values_list('pk', flat=True))\n"
        "result = services.enrolments_bulk_book(cohort=cohort, employees=people, actor='kill-test')\n"
        "assert len(result.booked) == len(people) > 40, len(result.booked)",
    ]


def cycle_create(database: Database) -> list[str]:
    """A dialogue cycle for the whole demo municipality (one dialogue per person)."""
    return [
        "shell",
        "-c",
        "import datetime\n"
        "from kapabel.dialogues import services\n"
        "from kapabel.organisation.models import OrgUnit\n"
        f"root = OrgUnit.objects.get(municipality__kommunekode={DEMO_KOMMUNEKODE!r}, parent=None)\n"
        "cycle = services.cycle_create(unit=root, name='Afbrudt runde', starts_on=datetime.date(2031, 1, 1), "
        "ends_on=datetime.date(2031, 12, 31), actor='kill-test')\n"
        "assert cycle.dialogue_count > 40, cycle.dialogue_count",
    ]


def plan_confirm(database: Database) -> list[str]:
    """A demo plan gets a new goal (a new content version); then the person confirms it."""
    database.shell(
        "from kapabel.dialogues import services\n"
        "from kapabel.dialogues.models import Plan\n"
        f"plan = Plan.objects.filter(employee__municipality__kommunekode={DEMO_KOMMUNEKODE!r}, "
        "status=Plan.Status.ACTIVE).order_by('pk').first()\n"
        "services.goal_add(plan=plan, actor='kill-test', title='Afbrudt mål')"
    )
    return [
        "shell",
        "-c",
        "from kapabel.dialogues import services\n"
        "from kapabel.dialogues.models import Plan\n"
        "plan = Plan.objects.get(goals__title='Afbrudt mål')\n"
        "services.plan_confirm(plan=plan, actor='kill-test', version=plan.version, on_behalf_of='employee')",
    ]


def participants_add(database: Database) -> list[str]:
    """Every active person of the demo who is not yet in it into a demo programme."""
    return [
        "shell",
        "-c",
        "from kapabel.organisation.models import Employee\n"
        "from kapabel.programmes import services\n"
        "from kapabel.programmes.models import Participant, Programme\n"
        f"programme = Programme.objects.filter(municipality__kommunekode={DEMO_KOMMUNEKODE!r})"
        ".order_by('pk')[0]\n"
        "inside = Participant.objects.filter(programme=programme).values_list('employee_id', flat=True)\n"
        "people = list(Employee.objects.filter(municipality_id=programme.municipality_id, active=True)"
        ".exclude(pk__in=inside))\n"
        "added = services.participants_add(programme=programme, employees=people, actor='kill-test')\n"
        "assert len(people) > 10 and len(added) == len(people), (len(people), len(added))",
    ]


@dataclass(frozen=True)
class LongWrite:
    name: str
    command: Callable[[Database], list[str]]  # prepares what the write needs; returns its arguments
    stop_at: str  # "<kind>:<stage>" of a checkpoint inside the write's transaction
    record: str  # "job": a JobRun of this kind; "hr_import": the HR import's own record
    kind: str = ""


LONG_WRITES = [
    LongWrite(
        "framework import",
        framework_csv,
        "competences.framework_import:competences",
        "job",
        "competences.framework_import",
    ),
    LongWrite("gap rebuild", gap_rebuild, "gaps.rebuild:facts", "job", "gaps.rebuild"),
    LongWrite("gap weights changed", gap_weights, "gaps.rebuild:facts", "job", "gaps.settings"),
    LongWrite("HR import", hr_import, "organisation.hr_import:employees", "hr_import"),
    LongWrite(
        "bulk enrolment",
        bulk_enrolment,
        "learning.bulk_enrolment:enrolments",
        "job",
        "learning.bulk_enrolment",
    ),
    LongWrite(
        "dialogue cycle created",
        cycle_create,
        "dialogues.cycle_create:dialogues",
        "job",
        "dialogues.cycle_create",
    ),
    LongWrite("plan confirmed", plan_confirm, "dialogues.plan_confirm:plan", "job", "dialogues.plan_confirm"),
    LongWrite(
        "programme participants added",
        participants_add,
        "programmes.participants_add:participants",
        "job",
        "programmes.participants_add",
    ),
]


def _stopped(command: list[str], database: Database, target: str) -> subprocess.Popen[str]:
    """Start the command, stopping at `target`; return once it has stopped there."""
    process = subprocess.Popen(
        [sys.executable, "-m", "kapabel.testing.faults", "--stop-at", target, "--", *command],
        env=database.env(),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    shown = []
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        if not line:
            break
        shown.append(line)
        if line.startswith(f"{MARKER} {target}"):
            return process
    process.kill()
    process.wait()
    pytest.fail(
        f"the write ended before it reached {target} (exit {process.returncode}):\n{''.join(shown[-30:])}"
    )


def _in_open_transaction(database: Database) -> bool:
    """Whether some process holds an open write transaction on the database right now."""
    if database.vendor == "sqlite":
        probe = sqlite3.connect(dj_database_url.parse(database.url)["NAME"], timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            return "locked" in str(exc)
        finally:
            probe.close()
        return False
    import psycopg

    conf = dj_database_url.parse(database.url)
    with psycopg.connect(
        dbname=conf["NAME"], user=conf["USER"] or None, host=conf["HOST"], port=conf["PORT"], autocommit=True
    ) as db:
        (count,) = db.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND state = 'idle in transaction' AND pid <> pg_backend_pid()"
        ).fetchone()
    return count > 0


def _record_code(write: LongWrite) -> str:
    """Python that prints (status, why) of the write's latest record."""
    if write.record == "hr_import":
        return (
            "from kapabel.organisation.models import HRImport\n"
            "r = HRImport.objects.latest('pk'); print(r.status, '|', r.problems)\n"
        )
    return (
        "from kapabel.core.models import JobRun\n"
        f"r = JobRun.objects.filter(kind={write.kind!r}).latest('pk'); print(r.status, '|', r.error)\n"
    )


def _records(database: Database, code: str) -> list[tuple[str, str]]:
    lines = [line for line in database.shell(code).splitlines() if " | " in line]
    return [(status.strip(), why.strip()) for status, _, why in (line.partition(" | ") for line in lines)]


@pytest.mark.parametrize("write", LONG_WRITES, ids=lambda write: write.name)
def test_a_long_write_killed_half_way_leaves_the_data_and_says_it_failed(demo_db, write):
    command = write.command(demo_db)
    before = dbcompare.fingerprint(demo_db.url, exclude=RECORDS)

    process = _stopped(command, demo_db, write.stop_at)
    try:
        assert _in_open_transaction(demo_db), "the write should be half-way through its transaction"
        # While it lives, the watchdog leaves it alone, even with no lease at all.
        out = demo_db.kapabel("watchdog", KAPABEL_IMPORT_LEASE_MINUTES="0", KAPABEL_SQLITE_LOCK_WAIT="1")
        assert not re.search(r"#\d+", out.stdout), out.stdout
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    # Nothing of the killed write is there.
    assert dbcompare.differences(before, dbcompare.fingerprint(demo_db.url, exclude=RECORDS)) == []
    # Its record still says it runs; within the lease the watchdog takes it for alive.
    code = (
        _record_code(write)
        + "from kapabel.core import jobs; print(jobs.run_watchdogs())\n"
        + _record_code(write)
    )
    (status, _), (after_watchdog, _) = _records(demo_db, code)
    running = "applying" if write.record == "hr_import" else "running"
    assert status == after_watchdog == running

    # Past the lease, the watchdog marks it failed: it stopped.
    out = demo_db.kapabel("watchdog", KAPABEL_IMPORT_LEASE_MINUTES="0").stdout
    assert len(re.findall(r"#\d+", out)) == 1, out
    if write.record == "job":
        listed = [line.split("\t") for line in demo_db.kapabel("jobs", "--failed").stdout.splitlines()]
        assert [(row[1], row[3], row[7]) for row in listed] == [(write.kind, "failed", "stopped")]
    else:
        [(status, why)] = _records(demo_db, _record_code(write))
        assert status == "failed" and "'code': 'stopped'" in why

    # The data is consistent and nothing is left stuck: the same write, run again, succeeds.
    demo_db.kapabel(*command)
    if write.name.startswith("gap"):
        problems = demo_db.shell(
            "from kapabel.core.models import Municipality; from kapabel.gaps import upkeep; "
            f"print(upkeep.verify(Municipality.objects.get(kommunekode={DEMO_KOMMUNEKODE!r})))"
        )
        assert problems.splitlines()[-1] == "[]"


def test_a_long_write_that_fails_says_so_and_writes_nothing(demo_db):
    """An error (not a kill) rolls the write back and marks its record failed at once."""
    before = dbcompare.fingerprint(demo_db.url, exclude=RECORDS)
    out = demo_db.shell(
        "from kapabel.core import jobs\n"
        "from kapabel.organisation.models import Employee\n"
        "try:\n"
        "    with jobs.long_write('tests.failing', actor='tests'):\n"
        "        Employee.objects.update(name='Half-written')\n"
        "        raise RuntimeError('boom')\n"
        "except RuntimeError:\n"
        "    pass\n"
        "from kapabel.core.models import JobRun\n"
        "r = JobRun.objects.get(kind='tests.failing'); print(r.status, r.error)"
    )
    assert out.splitlines()[-1] == "failed RuntimeError"
    assert dbcompare.differences(before, dbcompare.fingerprint(demo_db.url, exclude=RECORDS)) == []


def test_the_records_of_successful_runs(demo_db, tmp_path: Path):
    command = framework_csv(demo_db)
    demo_db.kapabel(*command)
    out = demo_db.shell(
        "from kapabel.core.models import JobRun; "
        "r = JobRun.objects.get(kind='competences.framework_import'); "
        "print(r.status, r.stage, r.municipality.kommunekode, r.actor_label, r.finished_at is not None)"
    )
    assert out.splitlines()[-1] == f"succeeded competences {DEMO_KOMMUNEKODE} import-framework True"
