"""Rules about framework content that need no database: which fields make up a competence's text,
and what makes a valid proficiency scale. The services and the exchange readers both use these, so a
scale an import accepts is exactly a scale the editor accepts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The text of a competence that people edit, in both languages (the form, the API, the audit log).
COMPETENCE_TEXT_FIELDS = (
    "code",
    "name_da",
    "name_en",
    "description_da",
    "description_en",
    "indicators_da",
    "indicators_en",
    "esco_uri",
)
# Everything a file or a new version carries along: the text plus what imports bring (URI, item type).
COMPETENCE_CARRIED_FIELDS = ("uri", *COMPETENCE_TEXT_FIELDS, "item_type")


def default_levels() -> list[dict[str, Any]]:
    """The four-level scale a new framework starts with."""
    return [
        {"value": 1, "name_da": "Begynder", "name_en": "Beginner"},
        {"value": 2, "name_da": "Øvet", "name_en": "Practised"},
        {"value": 3, "name_da": "Erfaren", "name_en": "Experienced", "proficient": True, "is_default": True},
        {"value": 4, "name_da": "Ekspert", "name_en": "Expert", "proficient": True},
    ]


def validate_levels(levels: Sequence[dict[str, Any]]) -> None:
    """Levels are numbered 1..n without gaps, have a name, and at least one counts as proficient."""
    errors: list[str] = []
    if len(levels) < 2:
        errors.append(_("A scale needs at least two levels."))
    values = [level.get("value") for level in levels]
    if sorted(v for v in values if isinstance(v, int)) != list(range(1, len(levels) + 1)):
        errors.append(_("The levels must be numbered 1, 2, 3 … without gaps or repeats."))
    for index, level in enumerate(levels, start=1):
        if not (level.get("name_da") or level.get("name_en")):
            errors.append(_("Level %(number)d has no name.") % {"number": index})
    if levels and not any(level.get("proficient") for level in levels):
        errors.append(_("Mark at least one level as proficient."))
    if sum(1 for level in levels if level.get("is_default")) > 1:
        errors.append(_("Only one level can be the default."))
    if errors:
        raise ValidationError(errors)
