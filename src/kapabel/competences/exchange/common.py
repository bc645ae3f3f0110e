"""The format-neutral shape of a framework and its validation. Pure: no database, no format; the
formats (`case`, `moodle`) build on this module and `formats` dispatches between them."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kapabel.competences.content import COMPETENCE_CARRIED_FIELDS, validate_levels

# The competence fields a file carries (`CompetenceData.fields`).
TEXT_FIELDS = COMPETENCE_CARRIED_FIELDS


class VersionStamp(Protocol):
    """What a writer may say about the version it writes out (a `FrameworkVersion` is one)."""

    @property
    def number(self) -> int: ...

    @property
    def status(self) -> str: ...

    @property
    def published_at(self) -> datetime.datetime | None: ...


@dataclass
class ScaleData:
    key: str
    name: str
    levels: list[dict[str, Any]]
    external_id: str = ""


@dataclass
class CompetenceData:
    identifier: str
    parent: str | None
    fields: dict[str, str]
    scale: str | None = None  # a ScaleData.key, or None for the framework's scale
    related: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    where: str = ""  # "row 7" / "CFItems[3]", for error messages


@dataclass
class FrameworkData:
    name: str
    description: str = ""
    language: str = "da"
    identifier: str = ""
    uri: str = ""
    taxonomies: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    scales: list[ScaleData] = field(default_factory=list)
    default_scale: str | None = None
    competences: list[CompetenceData] = field(default_factory=list)  # siblings in order
    warnings: list[str] = field(default_factory=list)


def duplicate_codes(data: FrameworkData) -> list[str]:
    """A problem for each competence whose (non-empty) code another competence already has: a code
    names one competence in a version. Where the code is the id (Moodle's ID number), a repeated
    id is reported once, as a repeated id."""
    problems: list[str] = []
    seen: dict[str, CompetenceData] = {}
    for item in data.competences:
        code = item.fields.get("code", "").strip()
        if not code:
            continue
        other = seen.get(code)
        if other is None:
            seen[code] = item
        elif other.identifier != item.identifier:
            problems.append(
                _("%(where)s: the code %(code)s is used twice (also at %(other)s).")
                % {
                    "where": item.where or item.identifier,
                    "code": code,
                    "other": other.where or other.identifier,
                }
            )
    return problems


def check_tree(data: FrameworkData, problems: list[str]) -> None:
    """Duplicate identifiers, unknown parents, cycles and unknown scales become problems; unknown
    cross-references are dropped with a warning (real Moodle exports contain some)."""
    seen: dict[str, CompetenceData] = {}
    for item in data.competences:
        if not item.identifier:
            problems.append(_("%(where)s: the id is empty.") % {"where": item.where})
        elif item.identifier in seen:
            problems.append(
                _("%(where)s: the id %(id)s is used twice (also at %(other)s).")
                % {"where": item.where, "id": item.identifier, "other": seen[item.identifier].where}
            )
        else:
            seen[item.identifier] = item
    problems.extend(duplicate_codes(data))
    scale_keys = {scale.key for scale in data.scales}
    for item in data.competences:
        if item.parent is not None and item.parent not in seen:
            problems.append(
                _("%(where)s: the parent %(parent)s does not exist.")
                % {"where": item.where, "parent": item.parent}
            )
        if item.scale is not None and item.scale not in scale_keys:
            problems.append(
                _("%(where)s: unknown scale %(scale)s.") % {"where": item.where, "scale": item.scale}
            )
        if not (item.fields.get("name_da") or item.fields.get("name_en")):
            problems.append(_("%(where)s: the short name is empty.") % {"where": item.where})
        for key in ("name_da", "name_en"):
            if len(item.fields.get(key, "")) > 300:
                problems.append(
                    _("%(where)s: the short name is longer than 300 characters.") % {"where": item.where}
                )
        unknown = [ref for ref in item.related if ref not in seen]
        if unknown:
            item.related = [ref for ref in item.related if ref in seen]
            data.warnings.append(
                _("%(where)s: cross-references to unknown ids were left out: %(ids)s.")
                % {"where": item.where, "ids": ", ".join(unknown)}
            )
    # Cycles: follow each chain of parents; a chain that returns to a node seen on it is a cycle.
    reported: set[str] = set()
    for item in data.competences:
        chain: list[str] = []
        node: CompetenceData | None = item
        while node is not None and node.parent is not None:
            if node.identifier in chain:
                cycle = chain[chain.index(node.identifier) :]
                if not reported.intersection(cycle):
                    problems.append(
                        _("The parents form a cycle: %(ids)s.") % {"ids": " → ".join([*cycle, cycle[0]])}
                    )
                    reported.update(cycle)
                break
            chain.append(node.identifier)
            node = seen.get(node.parent)
    if not data.name.strip():
        problems.append(_("The framework has no name."))
    if len(data.name) > 200:
        problems.append(_("The framework name is longer than 200 characters."))


def check_levels(where: str, levels: list[dict[str, Any]], problems: list[str]) -> None:
    """The scale rules of the editor (`content.validate_levels`), as problems at `where`."""
    try:
        validate_levels(levels)
    except ValidationError as exc:
        problems.extend(f"{where}: {message}" for message in exc.messages)
