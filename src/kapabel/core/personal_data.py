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

Every table with a link to a person (a foreign key to `Employee` or `User`) is accounted for: named in
the `models` of the holder that exports and anonymises it, or declared not personal
(`declare_not_personal`, with the reason: e.g. who created a campaign, a link kept while the login
itself is anonymised). tests/privacy/test_registry.py fails on a table that is neither.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.db import models
from django.db.models import Q

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

    @property
    def models(self) -> tuple[str, ...]:
        """The tables ("app_label.Model") whose rows about the person it exports and anonymises."""
        ...

    def export(self, person: Person) -> list[Section]: ...

    def anonymise(self, person: Person, *, actor: Actor) -> int:
        """Blank what identifies the person in the app's tables; return how many rows changed."""
        ...


_holders: list[Holder] = []
# Tables with a link to a person that hold nothing to export or anonymise about them: label -> why.
_not_personal: dict[str, str] = {}


def register(holder: Holder) -> None:
    if all(existing.key != holder.key for existing in _holders):
        _holders.append(holder)


def holders() -> list[Holder]:
    """In registration order (core first, then the apps above it)."""
    return list(_holders)


def declare_not_personal(label: str, why: str) -> None:
    """A table ("app_label.Model") links to a person (a foreign key to `Employee` or `User`) but holds
    nothing about them to export or anonymise; `why` says so (for the registry's test and the docs)."""
    _not_personal[label] = why


def not_personal() -> dict[str, str]:
    return dict(_not_personal)


def covered() -> dict[str, str]:
    """{table label: the key of the holder that covers it}."""
    return {label: holder.key for holder in _holders for label in holder.models}


# --- Helpers for the holders ---------------------------------------------------------------------------


def mentions_q(person: Person, field: str) -> Q:
    """Rows whose `field` (text, or JSON as stored: SQLite keeps æ, ø, å escaped) may mention the person."""
    q = Q(pk__in=[])
    for needle in person.needles:
        q |= Q(**{f"{field}__icontains": needle})
        escaped = json.dumps(needle)[1:-1]
        if escaped != needle:
            q |= Q(**{f"{field}__icontains": escaped})
    return q


def scrub_texts(person: Person, model: type[models.Model], field: str, scope: Q) -> int:
    """Replace the person's mentions in `field` (text or JSON) of the rows of `model` in `scope`;
    returns the number of rows changed."""
    changed = 0
    rows = model._default_manager.filter(scope, mentions_q(person, field)).values_list("pk", field)
    for pk, value in rows:
        scrubbed = person.scrub_json(value)
        if scrubbed != value:
            model._default_manager.filter(pk=pk).update(**{field: scrubbed})
            changed += 1
    return changed
