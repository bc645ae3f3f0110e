"""The format-neutral shape of a framework, its validation, and reading a version back out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kapabel.competences.models import Competence, FrameworkVersion

FORMATS = ("moodle-csv", "case-json")
TEXT_FIELDS = (
    "code",
    "uri",
    "name_da",
    "name_en",
    "description_da",
    "description_en",
    "indicators_da",
    "indicators_en",
    "esco_uri",
    "item_type",
)


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
    from kapabel.competences.services import validate_levels

    try:
        validate_levels(levels)
    except ValidationError as exc:
        problems.extend(f"{where}: {message}" for message in exc.messages)


def version_to_data(version: FrameworkVersion) -> FrameworkData:
    """Everything Kapabel knows about a version, in the format-neutral shape."""
    from kapabel.competences.selectors import flat_tree

    framework = version.framework
    scales = []
    for scale in version.scales.prefetch_related("levels").order_by("id"):
        levels = [
            {
                "value": level.value,
                "name_da": level.name_da,
                "name_en": level.name_en,
                "descriptor_da": level.descriptor_da,
                "descriptor_en": level.descriptor_en,
                "proficient": level.proficient,
                "is_default": level.is_default,
            }
            for level in scale.levels.order_by("value")
        ]
        scales.append(
            ScaleData(key=str(scale.pk), name=scale.name, levels=levels, external_id=scale.external_id)
        )
    related: dict[int, list[str]] = {}
    through = Competence.related.through
    for a, b in through.objects.filter(from_competence__version=version).values_list(
        "from_competence_id", "to_competence__identifier"
    ):
        related.setdefault(a, []).append(b)
    items = []
    for _depth, competence in flat_tree(version):
        items.append(
            CompetenceData(
                identifier=competence.identifier,
                parent=competence.parent.identifier if competence.parent is not None else None,
                fields={name: getattr(competence, name) for name in TEXT_FIELDS},
                scale=str(competence.scale_id) if competence.scale_id else None,
                related=sorted(related.get(competence.pk, [])),
                extra=dict(competence.extra),
            )
        )
    return FrameworkData(
        name=framework.name,
        description=framework.description,
        language=framework.language,
        identifier=framework.identifier,
        uri=framework.uri,
        taxonomies=list(version.taxonomies),
        extra=dict(version.extra),
        scales=scales,
        default_scale=str(version.scale_id) if version.scale_id else None,
        competences=items,
    )


def parse(content: bytes | str, fmt: str, *, language: str = "da") -> FrameworkData:
    """Read a file in one of `FORMATS`. Raises ValidationError listing every problem found."""
    from kapabel.competences.exchange import case, moodle

    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationError(
                _("The file is not UTF-8 text (byte %(position)d). Save it as UTF-8 and try again.")
                % {"position": exc.start}
            ) from exc
    if fmt == "moodle-csv":
        return moodle.read(content, language=language)
    if fmt == "case-json":
        return case.read(content)
    raise ValidationError(_("Unknown format %(format)s.") % {"format": fmt})


def export_version(version: FrameworkVersion, fmt: str) -> tuple[str, str, str]:
    """(content, content type, file extension) of a version in one of `FORMATS`."""
    from kapabel.competences.exchange import case, moodle

    data = version_to_data(version)
    if fmt == "moodle-csv":
        return moodle.write(data), "text/csv; charset=utf-8", "csv"
    if fmt == "case-json":
        return case.write(data, version=version), "application/json", "json"
    raise ValidationError(_("Unknown format %(format)s.") % {"format": fmt})
