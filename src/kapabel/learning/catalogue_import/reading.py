"""Reading a provider's course list: the columns, the values they take, and what is wrong with a row.

The file is read by the HR import's reader (`organisation.hr_import.reading`: UTF-8 with or without
BOM, UTF-16, Windows-1252; `;`, `,` or tab from the header; quoted fields with line breaks; XLSX), so
both imports accept the same files and report problems the same way: file, line, column and a
sentence saying what to fix. Nothing here touches the database."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _

from kapabel.learning.models import Level, OfferKind
from kapabel.organisation.hr_import import reading
from kapabel.organisation.hr_import.reading import FileProblem, Table, mask_cpr, normalise_header

PROVIDER, TITLE, KIND, CATEGORY, LEVEL = "Udbyder", "Titel", "Type", "Kategori", "Niveau"
ECTS, PRICE, DAYS, DESCRIPTION = "ECTS", "Pris", "Undervisningsdage", "Beskrivelse"
COMPETENCES, EXTERNAL_ID = "Kompetencer", "Ekstern id"
COLUMNS = [PROVIDER, TITLE, KIND, CATEGORY, LEVEL, ECTS, PRICE, DAYS, DESCRIPTION, COMPETENCES, EXTERNAL_ID]

# Column → the offer's field.
FIELDS = {
    PROVIDER: "provider",
    TITLE: "title",
    KIND: "kind",
    CATEGORY: "category",
    LEVEL: "level",
    ECTS: "ects",
    PRICE: "price_per_participant",
    DAYS: "teaching_days",
    DESCRIPTION: "description",
    COMPETENCES: "competences",
    EXTERNAL_ID: "external_id",
}
TEXT_LIMITS = {PROVIDER: 200, TITLE: 300, CATEGORY: 200, EXTERNAL_ID: 100}

# A catalogue is a few thousand rows; a bigger file is most likely the wrong one.
MAX_ROWS = 20_000

MESSAGES: dict[str, Any] = {
    "too_many_rows": _(
        "The file has %(rows)s rows; at most %(max)s can be imported at a time. Split it into smaller files."
    ),
    "no_identity": _(
        "The file needs the column Udbyder or the column Ekstern id, so that each row can be matched "
        "with an offer. Found the columns %(found)s."
    ),
    "unknown_column": _(
        "The column %(column)s is not known and is left out. The known columns are %(expected)s."
    ),
    "unknown_kind": _("%(value)s is not a type of offer. Write one of: %(choices)s."),
    "unknown_level": _("%(value)s is not a level. Write AMU, Akademi, Diplom or Master, or leave it empty."),
    "bad_price": _(
        "%(value)s is not a price. Write the price per participant in kroner as a number, "
        "e.g. 4.200 or 4200,00, or 0 if it is free."
    ),
    "bad_number": _("%(value)s is not a number. Write e.g. 5 or 7,5, or leave %(column)s empty."),
    "negative": _("%(value)s is less than zero. Write 0 or more in %(column)s."),
    "too_precise": _("%(value)s has too many decimals: %(column)s takes at most %(places)s."),
    "too_large": _("%(value)s is too large for %(column)s: it takes at most %(max)s."),
    "provider_for_new": _(
        "The offer %(title)s is not in the catalogue yet, so the column Udbyder must name its provider."
    ),
    "duplicate_offer": _(
        "The offer %(title)s from %(provider)s occurs more than once in the file (first on line %(first)s). "
        "Keep one row, or give the rows different values in Ekstern id."
    ),
    "same_offer": _(
        "This row and line %(first)s would both change the offer %(title)s. Keep one of the rows."
    ),
    "ambiguous_offer": _(
        "The catalogue has %(count)s offers called %(title)s from %(provider)s. Add the column Ekstern id "
        "to tell them apart."
    ),
    "unknown_competence": _(
        "The competence %(value)s is not in a published competence framework the municipality uses. "
        "Write its code or its exact name, separated by ;."
    ),
    "ambiguous_competence": _(
        "%(value)s names more than one competence (%(matches)s). Write the code of the one you mean."
    ),
}


@dataclass
class CatalogueProblem(reading.Problem):
    """A problem of the catalogue import; reading problems keep the HR import's messages."""

    @property
    def message(self) -> str:
        template = MESSAGES.get(self.code) or reading.MESSAGES[self.code]
        return str(template) % self.params

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CatalogueProblem:
        return cls(**data)


def problem(
    code: str, line: int = 0, at: str = "", severity: str = "error", **params: Any
) -> CatalogueProblem:
    """A problem on `line` in the column `at` (`params` fill the message)."""
    return CatalogueProblem(code, file="", line=line, column=at, params=params, severity=severity)


def echo(value: str) -> str:
    """A value quoted back in a message: short, and never anything that looks like a CPR number."""
    value = mask_cpr(value)
    return value if len(value) <= 80 else value[:79] + "…"


def key(text: str) -> str:
    """How names are compared: case, spacing and punctuation do not matter ("E-læring" = "e læring")."""
    return re.sub(r"[\W_]+", "", text.casefold())


# The names a kind may be given in (Danish, English, the code), compared by `key`.
KIND_NAMES: dict[str, str] = {
    key(name): kind
    for kind, names in {
        OfferKind.COURSE: ("Kursus", "Course", "Kurser"),
        OfferKind.EDUCATION_MODULE: ("Uddannelsesmodul", "Modul", "Education module", "Module"),
        OfferKind.EDUCATION: (
            "Uddannelse",
            "Hel uddannelse",
            "Fuld uddannelse",
            "Full education",
            "Education",
        ),
        OfferKind.CONFERENCE: ("Konference", "Conference"),
        OfferKind.E_LEARNING: ("E-læring", "E-learning", "Online kursus"),
        OfferKind.PEER_TRAINING: ("Sidemandsoplæring", "Peer training"),
        OfferKind.MENTORING: ("Mentorordning", "Mentoring"),
        OfferKind.SHADOWING: ("Følordning", "Shadowing"),
        OfferKind.TEAM_LEARNING: ("Teamlæring", "Teambaseret læring", "Team-based learning", "Team learning"),
    }.items()
    for name in (*names, kind.value)
}
KIND_CHOICES = "Kursus, Uddannelsesmodul, Uddannelse, Konference, E-læring, Sidemandsoplæring, Mentorordning, Følordning, Teamlæring"  # noqa: E501

LEVEL_NAMES: dict[str, str] = {
    key(name): level
    for level, names in {
        Level.NONE: ("", "Ingen", "Intet", "Intet formelt niveau", "None", "No formal level"),
        Level.AMU: ("AMU",),
        Level.AKADEMI: ("Akademi", "Akademiuddannelse", "Academy"),
        Level.DIPLOM: ("Diplom", "Diplomuddannelse", "Diploma"),
        Level.MASTER: ("Master", "Masteruddannelse"),
    }.items()
    for name in names
}

_DANISH_GROUPED = re.compile(r"[+-]?\d{1,3}(\.\d{3})+(,\d+)?")
_DANISH_PLAIN = re.compile(r"[+-]?\d+(,\d+)?")
_POINT_DECIMAL = re.compile(r"[+-]?\d*\.\d+")  # a number cell of a workbook: 7.5
_CURRENCY = re.compile(r"^(kr\.?|dkk)\s*|\s*(kr\.?|dkk|,-|\.-)$", re.IGNORECASE)


def parse_number(value: str) -> Decimal:
    """A Danish number: 4.200, 4200, 4200,00, 4.200,50 (and 7.5 from a workbook's number cell);
    "kr." and ",-" around a price are allowed. ValueError otherwise."""
    text = value.replace("\u00a0", " ").strip()
    text = _CURRENCY.sub("", text).replace(" ", "")
    if _DANISH_GROUPED.fullmatch(text):
        text = text.replace(".", "").replace(",", ".")
    elif _DANISH_PLAIN.fullmatch(text):
        text = text.replace(",", ".")
    elif not _POINT_DECIMAL.fullmatch(text):
        raise ValueError(value)
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError(value) from None


@dataclass
class Row:
    """One row of the file: the values of the columns the file has (a column left out is absent)."""

    line: int
    values: dict[str, Any] = field(default_factory=dict)  # field name → value
    competences: list[str] | None = None  # the names or codes as written; None: no column

    def get(self, name: str, default: Any = None) -> Any:
        return self.values.get(name, default)

    def has(self, name: str) -> bool:
        return name in self.values


def _number(row: Row, table: Table, record: list[str], column: str, places: int, limit: Decimal,
            problems: list[CatalogueProblem], *, required: bool = False) -> None:  # fmt: skip
    raw = table.value(record, column)
    if not raw:
        if required:
            problems.append(problem("required", row.line, column, column=column))
        else:
            row.values[FIELDS[column]] = None
        return
    try:
        number = parse_number(raw)
    except ValueError:
        code = "bad_price" if column == PRICE else "bad_number"
        problems.append(problem(code, row.line, column, value=echo(raw), column=column))
        return
    step = Decimal(1).scaleb(-places)
    if number < 0:
        problems.append(problem("negative", row.line, column, value=echo(raw), column=column))
    elif number >= limit:
        problems.append(
            problem("too_large", row.line, column, value=echo(raw), column=column, max=limit - step)
        )
    elif number != number.quantize(step):
        problems.append(
            problem("too_precise", row.line, column, value=echo(raw), column=column, places=places)
        )
    else:
        row.values[FIELDS[column]] = number.quantize(step)


def read_row(table: Table, line: int, record: list[str], problems: list[CatalogueProblem]) -> Row:
    """The values of one record, each checked; a problem leaves its value out of the row."""
    row = Row(line)
    for column, limit in TEXT_LIMITS.items():
        if table.has(column):
            value = re.sub(r"\s+", " ", table.value(record, column))
            if len(value) > limit:
                problems.append(problem("too_long", line, column, column=column, max=limit))
            else:
                row.values[FIELDS[column]] = value
    if row.values.get("title") == "":
        problems.append(problem("required", line, TITLE, column=TITLE))
        del row.values["title"]
    if table.has(KIND):
        raw = table.value(record, KIND)
        if raw:
            kind = KIND_NAMES.get(key(raw))
            if kind is None:
                problems.append(problem("unknown_kind", line, KIND, value=echo(raw), choices=KIND_CHOICES))
            else:
                row.values["kind"] = kind
    if table.has(LEVEL):
        raw = table.value(record, LEVEL)
        level = LEVEL_NAMES.get(key(raw))
        if level is None:
            problems.append(problem("unknown_level", line, LEVEL, value=echo(raw)))
        else:
            row.values["level"] = level
    if table.has(ECTS):
        _number(row, table, record, ECTS, 1, Decimal(10_000), problems)
    if table.has(DAYS):
        _number(row, table, record, DAYS, 1, Decimal(10_000), problems)
    if table.has(PRICE):
        _number(row, table, record, PRICE, 2, Decimal(100_000_000), problems, required=True)
    if table.has(DESCRIPTION):
        row.values["description"] = table.value(record, DESCRIPTION)
    if table.has(COMPETENCES):
        names = [re.sub(r"\s+", " ", part).strip() for part in table.value(record, COMPETENCES).split(";")]
        row.competences = [name for name in names if name]
    return row


def read(file_name: str, data: bytes) -> tuple[list[Row], list[CatalogueProblem], int]:
    """The rows of a file, every problem found in it, and the number of data rows.
    A problem with the whole file (not a table, no Titel column, too many rows) comes alone."""
    rows, problems, count = _read(file_name, data)
    for item in problems:
        item.file = file_name
    return rows, problems, count


def _read(file_name: str, data: bytes) -> tuple[list[Row], list[CatalogueProblem], int]:
    read_problems: list[reading.Problem] = []
    try:
        table = reading.read_table(file_name, data, read_problems)
        table.require(COLUMNS, required=[TITLE])
    except FileProblem as exc:
        return [], [CatalogueProblem(**exc.problem.as_dict())], 0
    found = [h.strip() for h in table.header if h.strip()]
    if not (table.has(PROVIDER) or table.has(EXTERNAL_ID)):
        return [], [problem("no_identity", 1, found=echo(", ".join(found)) or "–")], len(table.rows)
    if len(table.rows) > MAX_ROWS:
        return [], [problem("too_many_rows", rows=len(table.rows), max=MAX_ROWS)], len(table.rows)
    known = {normalise_header(column) for column in COLUMNS}
    problems = [CatalogueProblem(**p.as_dict()) for p in read_problems]
    problems += [
        problem("unknown_column", 1, echo(h), severity="warning", column=echo(h), expected=", ".join(COLUMNS))
        for h in found
        if normalise_header(h) not in known
    ]
    rows = [read_row(table, line, record, problems) for line, record in table.rows]
    return rows, problems, len(table.rows)
