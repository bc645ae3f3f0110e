"""What the competence services share: the audited field lists, the "not given" marker of update
services, and the checks that guard published content and target levels."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kapabel.competences.content import COMPETENCE_TEXT_FIELDS
from kapabel.competences.models import Competence, FrameworkVersion, Profile, Scale, Status

FRAMEWORK_FIELDS = ("name", "description", "language", "identifier", "uri")
COMPETENCE_FIELDS = ("parent", "identifier", *COMPETENCE_TEXT_FIELDS, "scale")
PROFILE_FIELDS = ("name", "description", "kind", "job_role", "unit")

# The default of an update service's keyword arguments: "leave this field as it is".
UNSET: Any = object()


def given(**values: Any) -> dict[str, Any]:
    """The keyword arguments an update service was actually given."""
    return {key: value for key, value in values.items() if value is not UNSET}


def require_draft(version: FrameworkVersion) -> None:
    if version.status != Status.DRAFT:
        raise ValidationError(
            _("Version %(number)d is published and cannot change. Create a new version to edit it.")
            % {"number": version.number}
        )


def require_draft_profile(profile: Profile) -> None:
    if profile.status != Status.DRAFT:
        raise ValidationError(
            _("This profile version is published and cannot change. Create a new version to edit it.")
        )


def check_level(competence: Competence, level: int, *, known: dict[int, set[int]] | None = None) -> None:
    """`level` is a value of the competence's scale (its own, else the framework's). `known` caches
    each scale's values when many targets are checked at once."""
    scale: Scale | None = competence.scale or competence.version.scale
    if scale is None:
        raise ValidationError({"target_level": _("The framework has no scale yet.")})
    cache = {} if known is None else known
    if scale.pk not in cache:
        cache[scale.pk] = set(scale.levels.values_list("value", flat=True))
    if level not in cache[scale.pk]:
        raise ValidationError(
            {
                "target_level": _("%(level)s is not a level of the scale %(scale)s.")
                % {"level": level, "scale": scale.name}
            }
        )
