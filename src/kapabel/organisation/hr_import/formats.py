"""The two input formats, read into one normalised `Dataset` (no database access here).

* plan2learn: the five CSV files OS2mo's plan2learn exporter writes. The CPR column of bruger.csv is
  never read into the dataset, so it cannot be stored, logged or echoed.
* kapabel: Kapabel's own sheet (CSV or XLSX) with Danish headers, see `SHEET_COLUMNS`.

Rows with problems are reported and left out of the dataset; whether the import may go on without
them is the caller's decision (`skip_invalid`).
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import json
import zlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from kapabel.organisation.hr_import.reading import (
    Budget,
    FileProblem,
    InputFile,
    Problem,
    Table,
    mask_cpr,
    parse_bool,
    parse_date,
    parse_decimal,
    read_table,
)

PLAN2LEARN = "plan2learn"
KAPABEL = "kapabel"
FORMATS = (PLAN2LEARN, KAPABEL)

P2L_FILES: dict[str, tuple[list[str], list[str]]] = {
    # file: (expected columns, required columns)
    "organisation.csv": (
        ["AfdelingsID", "Afdelingsnavn", "Parentid", "Gade", "Postnr", "By"],
        ["AfdelingsID", "Afdelingsnavn", "Parentid"],
    ),
    "stillingskode.csv": (
        ["StillingskodeID", "AktivStatus", "Stillingskode", "Stillingskode#"],
        ["StillingskodeID", "Stillingskode"],
    ),
    "bruger.csv": (["BrugerId", "CPR", "Navn", "E-mail", "Mobil", "Stilling"], ["BrugerId", "Navn"]),
    "engagement.csv": (
        [
            "EngagementId",
            "BrugerId",
            "AfdelingsId",
            "AktivStatus",
            "StillingskodeId",
            "Primær",
            "Engagementstype",
            "StartdatoEngagement",
        ],
        ["BrugerId", "AfdelingsId"],
    ),
    "leder.csv": (["BrugerId", "AfdelingsID", "AktivStatus", "Titel"], ["BrugerId", "AfdelingsID"]),
}

# Kapabel's own sheet: column, what it holds (shown on the web page and in the README).
SHEET_COLUMNS = [
    "Medarbejdernummer",
    "Navn",
    "E-mail",
    "Enhed",
    "Stilling",
    "Timer pr. uge",
    "Ansat fra",
    "Ansat til",
    "Leder",
]
SHEET_REQUIRED = ["Medarbejdernummer", "Navn", "Enhed"]
SHEET_FIELDS = {
    "E-mail": "email",
    "Stilling": "job_role",
    "Timer pr. uge": "weekly_hours",
    "Ansat fra": "employment_start",
    "Ansat til": "employment_end",
}

MAX_LENGTHS = {"external_id": 100, "name": 200, "email": 254, "employee_number": 50, "code": 50}


@dataclass(slots=True)
class UnitIn:
    external_id: str
    name: str
    parent: str  # the parent's external id; "" for a top unit
    file: str
    line: int


@dataclass(slots=True)
class JobRoleIn:
    external_id: str
    title: str
    code: str
    active: bool
    file: str
    line: int


@dataclass(slots=True)
class PersonIn:
    external_id: str
    name: str
    email: str
    unit: str  # plan2learn: the unit's external id; kapabel: an external id or a path "A/B/C"
    job_role: str  # plan2learn: the job code's external id; kapabel: the job title ("" for none)
    employee_number: str | None
    weekly_hours: decimal.Decimal | None
    start: datetime.date | None
    end: datetime.date | None
    active: bool
    manager: bool | None  # kapabel sheet: the Leder column
    file: str
    line: int
    ref_file: str  # where the unit and job references were read (engagement.csv for plan2learn)
    ref_line: int


@dataclass(slots=True)
class ManagerIn:
    person: str
    unit: str
    file: str
    line: int


@dataclass
class Dataset:
    format: str
    full: bool
    provided: list[str] = field(default_factory=list)  # employee fields the files provide
    units: list[UnitIn] = field(default_factory=list)
    job_roles: list[JobRoleIn] = field(default_factory=list)
    people: list[PersonIn] = field(default_factory=list)
    managers: list[ManagerIn] = field(default_factory=list)
    seen_people: list[str] = field(default_factory=list)  # everyone in the files, imported or not
    seen_units: list[str] = field(default_factory=list)  # every unit id in the files, valid or not
    problems: list[Problem] = field(default_factory=list)
    fatal: bool = False  # a file-level problem: nothing can be imported
    rows: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    # Stored between the web page's steps, compressed, without any CPR number.
    def to_bytes(self) -> bytes:
        def plain(value: Any) -> Any:
            if isinstance(value, datetime.date | decimal.Decimal):
                return str(value)
            return value

        data = {
            "format": self.format,
            "full": self.full,
            "provided": self.provided,
            "units": [dataclasses.astuple(u) for u in self.units],
            "job_roles": [dataclasses.astuple(j) for j in self.job_roles],
            "people": [[plain(v) for v in dataclasses.astuple(p)] for p in self.people],
            "managers": [dataclasses.astuple(m) for m in self.managers],
            "seen_people": self.seen_people,
            "seen_units": self.seen_units,
            "problems": [p.as_dict() for p in self.problems],
            "fatal": self.fatal,
            "rows": self.rows,
        }
        return zlib.compress(json.dumps(data, ensure_ascii=False).encode(), 6)

    @classmethod
    def from_bytes(cls, blob: bytes) -> Dataset:
        data = json.loads(zlib.decompress(blob))
        people = []
        for row in data["people"]:
            person = PersonIn(*row)
            person.weekly_hours = decimal.Decimal(person.weekly_hours) if person.weekly_hours else None
            person.start = datetime.date.fromisoformat(str(person.start)) if person.start else None
            person.end = datetime.date.fromisoformat(str(person.end)) if person.end else None
            people.append(person)
        return cls(
            format=data["format"],
            full=data["full"],
            provided=data["provided"],
            units=[UnitIn(*row) for row in data["units"]],
            job_roles=[JobRoleIn(*row) for row in data["job_roles"]],
            people=people,
            managers=[ManagerIn(*row) for row in data["managers"]],
            seen_people=data["seen_people"],
            seen_units=data["seen_units"],
            problems=[Problem.from_dict(p) for p in data["problems"]],
            fatal=data["fatal"],
            rows=data["rows"],
        )


# --- Reading the files -------------------------------------------------------------------------


Files = Mapping[str, bytes | InputFile]


def guess_format(names: Iterable[str]) -> str:
    """plan2learn when the files (their names) include bruger.csv, else Kapabel's sheet."""
    return PLAN2LEARN if any(name.lower().endswith("bruger.csv") for name in names) else KAPABEL


def default_full(format: str) -> bool:
    """A plan2learn export is the whole organisation; the sheet, by default, only adds and updates."""
    return format == PLAN2LEARN


def parse(
    files: Files, *, format: str | None = None, full: bool | None = None, budget: Budget | None = None
) -> Dataset:
    """Read the files into a dataset. `full` defaults to True for plan2learn, False for the sheet.
    What the files unpack to, and the rows of each, are limited (`budget`, by default the settings'
    limits): past a limit the import is refused with a message naming the file and the limit."""
    format = format or guess_format(files)
    if format not in FORMATS:
        dataset = Dataset(format=format, full=False, fatal=True)
        dataset.problems.append(Problem("unknown_format", params={"format": format}))
        return dataset
    dataset = Dataset(format=format, full=default_full(format) if full is None else full)
    budget = budget or Budget()
    try:
        _check_declared_sizes(files, budget)
        if format == PLAN2LEARN:
            _parse_plan2learn(files, dataset, budget)
        else:
            _parse_sheet(files, dataset, budget)
    except FileProblem as exc:
        dataset.problems.append(exc.problem)
        dataset.fatal = True
    return dataset


def _check_declared_sizes(files: Files, budget: Budget) -> None:
    """Refuse at once files that say they unpack past the limit (a zip declares its members' sizes,
    and Python's zip reader never unpacks more than that); what is actually read is counted too."""
    declared = 0
    for name, data in files.items():
        declared += (data.size or 0) if isinstance(data, InputFile) else len(data)
        if declared > budget.limits.max_unpacked:
            raise budget.too_large(name)


# --- Shared value checks -----------------------------------------------------------------------


class _Row:
    """Reads the values of one record, collecting problems; `ok` is False once one was found."""

    def __init__(self, table: Table, line: int, record: list[str], problems: list[Problem]):
        self.table, self.line, self.record, self.problems, self.ok = table, line, record, problems, True

    def fail(self, code: str, at: str, /, **params: Any) -> None:
        self.problems.append(Problem(code, self.table.file, self.line, at, params))
        self.ok = False

    def text(self, column: str, *, required: bool = False, max_length: int = 200) -> str:
        value = self.table.value(self.record, column)
        if required and not value:
            self.fail("required", column, column=column)
        elif len(value) > max_length:
            self.fail("too_long", column, column=column, max=max_length)
        return value

    def email(self, column: str) -> str:
        value = self.text(column, max_length=MAX_LENGTHS["email"])
        if value:
            try:
                validate_email(value)
            except ValidationError:
                self.fail("bad_email", column, value=mask_cpr(value))
        return value

    def date(self, column: str) -> datetime.date | None:
        value = self.table.value(self.record, column)
        try:
            return parse_date(value)
        except ValueError:
            self.fail("bad_date", column, value=mask_cpr(value))
            return None

    def flag(self, column: str, default: bool) -> bool:
        if not self.table.has(column):
            return default
        value = self.table.value(self.record, column)
        try:
            return parse_bool(value) if value else default
        except ValueError:
            self.fail("bad_bool", column, value=mask_cpr(value))
            return default

    def hours(self, column: str) -> decimal.Decimal | None:
        value = self.table.value(self.record, column)
        try:
            number = parse_decimal(value)
        except ValueError:
            self.fail("bad_decimal", column, value=mask_cpr(value))
            return None
        if number is not None and not (0 <= number <= 80):
            self.fail("bad_hours", column, value=mask_cpr(value))
            return None
        return number.quantize(decimal.Decimal("0.01")) if number is not None else None


def _unique(row: _Row, seen: dict[str, int], value: str, column: str) -> None:
    if value in seen:
        row.fail("duplicate", column, value=mask_cpr(value), first=seen[value])
    elif value:
        seen[value] = row.line


# --- plan2learn --------------------------------------------------------------------------------


def _find_file(files: Files, name: str) -> tuple[str, bytes | InputFile]:
    for candidate, data in files.items():
        lower = candidate.lower()
        if lower == name or lower.endswith("_" + name) or lower.endswith("-" + name):
            return candidate, data
    raise FileProblem(
        Problem("missing_file", file=name, params={"file": name, "expected": ", ".join(P2L_FILES)})
    )


def _table(files: Files, name: str, dataset: Dataset, budget: Budget) -> Table:
    file_name, data = _find_file(files, name)
    table = read_table(file_name, data, dataset.problems, budget)
    expected, required = P2L_FILES[name]
    table.require(expected, required)
    dataset.rows += len(table.rows)
    return table


def _parse_plan2learn(files: Files, dataset: Dataset, budget: Budget) -> None:
    problems = dataset.problems
    # Check every file's columns before reporting row problems: a wrong file is the first thing to fix.
    tables = {name: _table(files, name, dataset, budget) for name in P2L_FILES}
    dataset.provided = ["name", "email", "unit", "job_role", "employment_end", "active"]

    org = tables["organisation.csv"]
    seen: dict[str, int] = {}
    for line, record in org.rows:
        row = _Row(org, line, record, problems)
        external_id = row.text("AfdelingsID", required=True, max_length=MAX_LENGTHS["external_id"])
        _unique(row, seen, external_id, "AfdelingsID")
        name = row.text("Afdelingsnavn", required=True)
        parent = row.text("Parentid", max_length=MAX_LENGTHS["external_id"])
        if external_id:
            dataset.seen_units.append(external_id)
        if row.ok:
            dataset.units.append(UnitIn(external_id, name, parent, org.file, line))

    codes = tables["stillingskode.csv"]
    seen = {}
    for line, record in codes.rows:
        row = _Row(codes, line, record, problems)
        external_id = row.text("StillingskodeID", required=True, max_length=MAX_LENGTHS["external_id"])
        _unique(row, seen, external_id, "StillingskodeID")
        title = row.text("Stillingskode", required=True)
        code = row.text("Stillingskode#", max_length=MAX_LENGTHS["code"])
        active = row.flag("AktivStatus", True)
        if row.ok:
            dataset.job_roles.append(JobRoleIn(external_id, title, code, active, codes.file, line))

    users = tables["bruger.csv"]
    people: dict[str, tuple[int, str, str]] = {}
    user_lines: dict[str, int] = {}
    for line, record in users.rows:
        row = _Row(users, line, record, problems)
        external_id = row.text("BrugerId", required=True, max_length=MAX_LENGTHS["external_id"])
        first_time = external_id not in user_lines
        _unique(row, user_lines, external_id, "BrugerId")
        name = row.text("Navn", required=True)
        email = row.email("E-mail")
        # CPR, Mobil and Stilling are not read: Kapabel keeps no CPR, and the job comes from the
        # engagement's job code.
        if external_id and first_time:
            dataset.seen_people.append(external_id)
        if row.ok:
            people[external_id] = (line, name, email)

    engagements = tables["engagement.csv"]
    by_person: dict[str, list[tuple[int, int, bool, bool, str, str, datetime.date | None]]] = {}
    seen = {}
    for order, (line, record) in enumerate(engagements.rows):
        row = _Row(engagements, line, record, problems)
        engagement_id = row.text("EngagementId", max_length=MAX_LENGTHS["external_id"])
        _unique(row, seen, engagement_id, "EngagementId")
        person = row.text("BrugerId", required=True, max_length=MAX_LENGTHS["external_id"])
        unit = row.text("AfdelingsId", required=True, max_length=MAX_LENGTHS["external_id"])
        active = row.flag("AktivStatus", True)
        job = row.text("StillingskodeId", max_length=MAX_LENGTHS["external_id"])
        primary = row.flag("Primær", False)
        start = row.date("StartdatoEngagement")
        if person and person not in user_lines:
            row.fail("unknown_person", "BrugerId", value=mask_cpr(person))
        if row.ok and person in people:
            by_person.setdefault(person, []).append((order, line, active, primary, unit, job, start))

    for external_id, (line, name, email) in people.items():
        choices = by_person.get(external_id)
        if not choices:
            problems.append(
                Problem(
                    "no_engagement",
                    users.file,
                    line,
                    "BrugerId",
                    {"value": mask_cpr(external_id)},
                    severity="warning",
                )
            )
            continue
        # The primary engagement decides: an active primary one, else any active, else a future one.
        _, eline, active, _, unit, job, start = min(choices, key=lambda c: (not c[2], not c[3], c[0]))
        dataset.people.append(
            PersonIn(
                external_id, name, email, unit, job, None, None, start, None, active, None,
                users.file, line, engagements.file, eline,
            )
        )  # fmt: skip

    leaders = tables["leder.csv"]
    for line, record in leaders.rows:
        row = _Row(leaders, line, record, problems)
        person = row.text("BrugerId", required=True, max_length=MAX_LENGTHS["external_id"])
        unit = row.text("AfdelingsID", required=True, max_length=MAX_LENGTHS["external_id"])
        if row.ok and row.flag("AktivStatus", True):
            dataset.managers.append(ManagerIn(person, unit, leaders.file, line))


# --- Kapabel's own sheet ------------------------------------------------------------------------


def _parse_sheet(files: Files, dataset: Dataset, budget: Budget) -> None:
    if not files:
        raise FileProblem(Problem("empty_file", file="–"))
    name, data = next(iter(files.items()))
    table = read_table(name, data, dataset.problems, budget)
    table.require(SHEET_COLUMNS, SHEET_REQUIRED)
    dataset.rows = len(table.rows)
    dataset.provided = ["name", "employee_number", "unit", "active"] + [
        SHEET_FIELDS[column] for column in SHEET_FIELDS if table.has(column)
    ]
    if table.has("Ansat til"):
        dataset.provided.append("employment_end")
    has_job = table.has("Stilling")
    has_leader = table.has("Leder")
    today = timezone.localdate()
    seen: dict[str, int] = {}
    for line, record in table.rows:
        row = _Row(table, line, record, dataset.problems)
        number = row.text("Medarbejdernummer", required=True, max_length=MAX_LENGTHS["employee_number"])
        _unique(row, seen, number, "Medarbejdernummer")
        person_name = row.text("Navn", required=True)
        email = row.email("E-mail")
        unit = row.text("Enhed", required=True, max_length=500)
        job = row.text("Stilling") if has_job else ""
        hours = row.hours("Timer pr. uge")
        start = row.date("Ansat fra")
        end = row.date("Ansat til")
        manager = row.flag("Leder", False) if has_leader else None
        if start and end and end < start:
            row.fail("end_before_start", "Ansat til", start=start.isoformat(), end=end.isoformat())
        if number:
            dataset.seen_people.append(number)
        if row.ok:
            dataset.people.append(
                PersonIn(
                    number, person_name, email, unit, job, number, hours, start, end,
                    end is None or end >= today, manager, table.file, line, table.file, line,
                )
            )  # fmt: skip
