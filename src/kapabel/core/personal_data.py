"""What Kapabel holds about a person, app by app: the registry behind the GDPR export and anonymisation.

Each app registers a `Holder` from its `AppConfig.ready()` that knows the app's own tables: what it
holds about a person (`export`, as sections of a report) and how to anonymise it (`anonymise`). The
privacy app walks the registry, so an export covers every app, and an app added later (learning,
dialogues, programmes) is covered by registering its holder — no change to the export itself.

The rules every holder follows (docs/data-protection.md):
- export what is *about* the person, and nothing that names anyone else: another person appears at
  most as a role ("manager"), never by name, e-mail or username;
- anonymise by blanking what identifies the person (names, e-mails, usernames, free text written by
  or about them) and keep the structured values (levels, dates, units, job roles) that the statistics
  are built from: rows are kept, never deleted, so gap figures and history stay the same.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from kapabel.core.exports import Kind

if TYPE_CHECKING:
    from kapabel.core.audit import Actor

# What blanked text is replaced with (language-neutral: the pages say "anonymised" in words).
REDACTED = "[…]"
MIN_NEEDLE = 3  # shorter identifiers would match ordinary words


@dataclass(frozen=True)
class Person:
    """Whom an export or anonymisation is about: an employee (organisation) and the login linked to
    it, with the identifiers as they were before anonymisation (to find them in text)."""

    municipality_id: int
    employee_id: int
    user_id: int | None = None
    name: str = ""
    email: str = ""
    username: str = ""
    external_id: str = ""
    employee_number: str = ""
    # What the person is called once anonymised (their new name and username).
    anonymised_name: str = ""
    anonymised_username: str = ""

    @property
    def needles(self) -> list[str]:
        """The person's identifying strings, longest first."""
        values = {self.name, self.email, self.username, self.external_id, self.employee_number}
        return sorted((v.strip() for v in values if len(v.strip()) >= MIN_NEEDLE), key=len, reverse=True)

    def pattern(self) -> re.Pattern[str] | None:
        needles = self.needles
        if not needles:
            return None
        alternatives = "|".join(re.escape(needle) for needle in needles)
        return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)

    def mentioned_in(self, text: str) -> bool:
        pattern = self.pattern()
        return bool(pattern and text and pattern.search(text))

    def scrub(self, text: str) -> str:
        """`text` with every mention of the person (whole words, any case) replaced."""
        pattern = self.pattern()
        return pattern.sub(REDACTED, text) if pattern and text else text

    def scrub_json(self, value: Any) -> Any:
        """A JSON value with every mention of the person in its strings replaced."""
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, list):
            return [self.scrub_json(item) for item in value]
        if isinstance(value, dict):
            return {key: self.scrub_json(item) for key, item in value.items()}
        return value


@dataclass(frozen=True)
class Field:
    key: str  # stable, English: the key in the JSON export
    label: Any  # a lazy translation: the column header in the XLSX export and on the page
    kind: Kind = "text"


@dataclass
class Section:
    """One table of an export: e.g. "Ratings" with one row per rating."""

    key: str
    title: Any
    fields: Sequence[Field]
    rows: list[Sequence[Any]] = field(default_factory=list)

    def records(self) -> list[dict[str, Any]]:
        return [{f.key: value for f, value in zip(self.fields, row, strict=True)} for row in self.rows]


class Holder(Protocol):
    """What an app registers. `key` names the app's part ("assessments"); `title` is a lazy label
    ("Competence clarification")."""

    key: str
    title: Any

    def export(self, person: Person) -> list[Section]: ...

    def anonymise(self, person: Person, *, actor: Actor) -> int:
        """Blank what identifies the person in the app's tables; return how many rows changed."""
        ...


_holders: list[Holder] = []


def register(holder: Holder) -> None:
    if all(existing.key != holder.key for existing in _holders):
        _holders.append(holder)


def holders() -> list[Holder]:
    """In registration order (core first, then the apps above it)."""
    return list(_holders)
