"""Framework content as clarification reads it, the settings, and the current level.

`current_level` is the reference definition of a person's current level for a competence (the
gap analysis and the maintained `CurrentLevel` table must agree with it); `current_levels` reads the
maintained table for many people at once."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from kapabel.assessments.models import (
    DEFAULT_LEVEL_ORDER,
    LEVEL_SOURCES,
    AssessmentSettings,
    Campaign,
    CurrentLevel,
    Rating,
)
from kapabel.competences.models import Competence, FrameworkVersion, Profile, ScaleLevel, Status
from kapabel.organisation.models import Employee

# --- Framework content (read-only use of the competences app) ---------------------------------


@dataclass
class CompetenceItem:
    """A competence to rate, with its scale's levels (lowest first) and its area's name."""

    competence: Competence
    levels: list[ScaleLevel]
    area: str = ""
    target: int | None = None
    level_values: set[int] = field(default_factory=set)


def version_competences(version: FrameworkVersion, profile: Profile | None = None) -> list[CompetenceItem]:
    """The ratable competences of a framework version in tree order: the leaves of the tree (areas
    only group), or with a profile the competences it targets. Two queries."""
    competences = list(Competence.objects.filter(version=version).order_by("depth", "position", "id"))
    levels_by_scale: dict[int, list[ScaleLevel]] = defaultdict(list)
    for level in ScaleLevel.objects.filter(scale__version=version).order_by("scale_id", "value"):
        levels_by_scale[level.scale_id].append(level)
    by_id = {c.pk: c for c in competences}
    parents = {c.parent_id for c in competences if c.parent_id}
    targets: dict[int, int] | None = None
    if profile is not None:
        targets = dict(profile.targets.values_list("competence_id", "target_level"))

    # Tree order: depth-first by position.
    children: dict[int | None, list[Competence]] = defaultdict(list)
    for competence in competences:
        children[competence.parent_id].append(competence)
    ordered: list[Competence] = []
    stack = list(reversed(children[None]))
    while stack:
        node = stack.pop()
        ordered.append(node)
        stack.extend(reversed(children.get(node.pk, [])))

    items = []
    for competence in ordered:
        if targets is not None:
            if competence.pk not in targets:
                continue
        elif competence.pk in parents:
            continue
        scale_id = competence.scale_id or version.scale_id
        levels = levels_by_scale.get(scale_id, []) if scale_id else []
        parent = by_id.get(competence.parent_id) if competence.parent_id else None
        items.append(
            CompetenceItem(
                competence=competence,
                levels=levels,
                area=parent.name if parent else "",
                target=targets.get(competence.pk) if targets else None,
                level_values={level.value for level in levels},
            )
        )
    return items


def campaign_competences(campaign: Campaign) -> list[CompetenceItem]:
    """The campaign's competences, computed once per campaign object."""
    cached = getattr(campaign, "_competence_items", None)
    if cached is None:
        cached = version_competences(campaign.framework_version, campaign.profile)
        campaign._competence_items = cached  # type: ignore[attr-defined]  # a per-object cache, not a field
    return cached


def framework_versions_for_municipality(municipality_id: int) -> QuerySet[FrameworkVersion]:
    """Published versions a municipality may run campaigns on: its own, national ones and shared ones."""
    return (
        FrameworkVersion.objects.filter(status=Status.PUBLISHED)
        .filter(
            Q(framework__municipality_id=municipality_id)
            | Q(framework__municipality__isnull=True)
            | Q(framework__shared_with__id=municipality_id)
        )
        .select_related("framework")
        .distinct()
        .order_by("framework__name", "-number")
    )


def profiles_for_municipality(municipality_id: int) -> QuerySet[Profile]:
    return Profile.objects.filter(municipality_id=municipality_id, status=Status.PUBLISHED).select_related(
        "framework_version__framework"
    )


# --- Settings and the current level -------------------------------------------------------------


def level_order_for(municipality_id: int) -> list[str]:
    value = (
        AssessmentSettings.objects.filter(municipality_id=municipality_id)
        .values_list("current_level_order", flat=True)
        .first()
    )
    return [part.strip() for part in (value or DEFAULT_LEVEL_ORDER).split(",") if part.strip()]


def settings_for(municipality_id: int) -> AssessmentSettings:
    """The municipality's settings, or unsaved defaults."""
    found = AssessmentSettings.objects.filter(municipality_id=municipality_id).first()
    return found or AssessmentSettings(municipality_id=municipality_id)


def pick_current(latest: dict[str, tuple[int | None, Any]], order: Iterable[str]) -> tuple[int | None, str]:
    """From {source: (level, …)} the current (level, source): the first source in `order` with a
    level. "Don't know" (None) falls through. (None, "") when no source has a level."""
    for source in order:
        entry = latest.get(source)
        if entry is not None and entry[0] is not None:
            return entry[0], source
    return None, ""


def latest_person_ratings(
    employee_ids: Iterable[int],
    competence_ids: Iterable[int] | None = None,
    *,
    as_of: datetime.datetime | None = None,
) -> dict[tuple[int, int], dict[str, Rating]]:
    """{(employee, competence): {source: latest rating}} from the raw history (not superseded;
    with `as_of`, rated at or before it and ignoring corrections recorded later)."""
    ratings = Rating.objects.filter(employee_id__in=list(employee_ids), source__in=LEVEL_SOURCES)
    if competence_ids is not None:
        ratings = ratings.filter(competence_id__in=list(competence_ids))
    if as_of is None:
        ratings = ratings.filter(superseded_by__isnull=True)
    else:
        # As it stood then: rows recorded by then and not yet replaced by a correction recorded by then.
        ratings = ratings.filter(rated_at__lte=as_of, created_at__lte=as_of).exclude(
            superseded_by__created_at__lte=as_of
        )
    result: dict[tuple[int, int], dict[str, Rating]] = defaultdict(dict)
    for rating in ratings.order_by("rated_at", "id"):
        if rating.employee_id is not None:  # always: person sources only
            result[(rating.employee_id, rating.competence_id)][rating.source] = rating
    return result


def current_level(
    employee: Employee | int,
    competence: Competence | int,
    *,
    order: list[str] | None = None,
    as_of: datetime.datetime | None = None,
) -> tuple[int | None, str]:
    """The reference definition: (level, source) of a person's current level for a competence, from
    the raw history; (None, "") is unknown. `as_of` gives the level as it stood at that time."""
    employee_id = employee if isinstance(employee, int) else employee.pk
    competence_id = competence if isinstance(competence, int) else competence.pk
    if order is None:
        municipality_id = Employee.objects.values_list("municipality_id", flat=True).get(pk=employee_id)
        order = level_order_for(municipality_id)
    latest = latest_person_ratings([employee_id], [competence_id], as_of=as_of).get(
        (employee_id, competence_id), {}
    )
    return pick_current({s: (r.level, r) for s, r in latest.items()}, order)


def current_levels(
    *, employee_ids: Iterable[int] | None = None, competence_ids: Iterable[int] | None = None
) -> QuerySet[CurrentLevel]:
    """The maintained current levels (one row per person × competence ever rated). Not scoped: callers
    pass employees they already scoped, e.g. `employees_for_user(...)`'s ids or a subquery."""
    rows = CurrentLevel.objects.all()
    if employee_ids is not None:
        rows = rows.filter(employee_id__in=employee_ids)
    if competence_ids is not None:
        rows = rows.filter(competence_id__in=competence_ids)
    return rows
