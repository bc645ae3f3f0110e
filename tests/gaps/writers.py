"""Stand-ins for the services of issues 4 and 5, which are not on this branch yet.

Each helper writes rows via the ORM exactly as the coming service will (a `Rating` row, the
`superseded_by` pointer of a correction, the `CurrentLevel` row; a `ProfileTarget`; a published
profile) and then makes the one gap-upkeep call that service must make. At merge, replace these
with the real services:

    record_rating / correct_rating  -> kapabel.assessments.services.ratings_record
    set_profile_target / publish_profile / new_profile_version -> the competences profile services
    set_individual_target           -> the competences individual-target service
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from kapabel.assessments.models import DEFAULT_LEVEL_ORDER, AssessmentSettings, CurrentLevel, Rating
from kapabel.competences.models import Competence, IndividualTarget, Profile, ProfileTarget, Status
from kapabel.gaps import upkeep
from kapabel.organisation.models import Employee

_clock = [datetime.datetime(2026, 1, 1, 8, 0, tzinfo=datetime.UTC)]


def _tick() -> datetime.datetime:
    """A strictly increasing, deterministic rating time."""
    _clock[0] += datetime.timedelta(minutes=1)
    return _clock[0]


def _refresh_current_level(employee: Employee, competence: Competence) -> None:
    """What ratings_record does to CurrentLevel: latest non-superseded rating per source, then the
    first source (in the municipality's order) whose latest rating has a level."""
    order = (
        AssessmentSettings.objects.filter(municipality_id=employee.municipality_id)
        .values_list("current_level_order", flat=True)
        .first()
        or DEFAULT_LEVEL_ORDER
    ).split(",")
    latest: dict[str, Rating] = {}
    for rating in Rating.objects.filter(
        employee=employee, competence=competence, superseded_by__isnull=True
    ).order_by("rated_at", "id"):
        latest[rating.source] = rating
    values: dict[str, Any] = {
        "framework_version_id": competence.version_id,
        "municipality_id": employee.municipality_id,
    }
    for source in ("self", "manager", "agreed"):
        rating = latest.get(source)
        values[f"{source}_level"] = rating.level if rating else None
        values[f"{source}_rating"] = rating
    values.update(level=None, source="", rated_at=None)
    for source in order:
        rating = latest.get(source.strip())
        if rating is not None and rating.level is not None:
            values.update(level=rating.level, source=rating.source, rated_at=rating.rated_at)
            break
    CurrentLevel.objects.update_or_create(employee=employee, competence=competence, defaults=values)


@transaction.atomic
def record_rating(
    *,
    employee: Employee,
    competence: Competence,
    source: str,
    level: int | None,
    campaign: Any = None,
    rated_at: datetime.datetime | None = None,
) -> Rating:
    now = rated_at or _tick()
    rating = Rating.objects.create(
        municipality_id=employee.municipality_id,
        employee=employee,
        competence=competence,
        framework_version_id=competence.version_id,
        source=source,
        level=level,
        campaign=campaign,
        rated_at=now,
        created_at=timezone.now(),
    )
    _refresh_current_level(employee, competence)
    upkeep.current_levels_changed([(employee.pk, competence.pk)])
    return rating


@transaction.atomic
def correct_rating(*, rating: Rating, level: int | None) -> Rating:
    correction = Rating.objects.create(
        municipality_id=rating.municipality_id,
        employee_id=rating.employee_id,
        competence_id=rating.competence_id,
        framework_version_id=rating.framework_version_id,
        source=rating.source,
        level=level,
        campaign_id=rating.campaign_id,
        rated_at=rating.rated_at,
        supersedes=rating,
    )
    Rating.objects.filter(pk=rating.pk).update(superseded_by=correction)
    _refresh_current_level(rating.employee, rating.competence)
    upkeep.current_levels_changed([(rating.employee_id, rating.competence_id)])
    return correction


@transaction.atomic
def set_profile_target(*, profile: Profile, competence: Competence, level: int, importance: str) -> None:
    ProfileTarget.objects.update_or_create(
        profile=profile, competence=competence, defaults={"target_level": level, "importance": importance}
    )
    upkeep.profile_targets_changed([profile.pk])


@transaction.atomic
def publish_profile(*, profile: Profile) -> Profile:
    profile.status = Status.PUBLISHED
    profile.published_at = _tick()
    profile.save(update_fields=["status", "published_at"])
    upkeep.profile_targets_changed([profile.pk])
    return profile


@transaction.atomic
def new_profile_version(*, profile: Profile) -> Profile:
    """A draft copy of a published profile (targets copied); nothing counts until published."""
    targets = list(profile.targets.all())
    draft = Profile.objects.create(
        municipality_id=profile.municipality_id,
        framework_version_id=profile.framework_version_id,
        kind=profile.kind,
        job_role_id=profile.job_role_id,
        unit_id=profile.unit_id,
        name=profile.name,
        lineage=profile.lineage,
        number=profile.number + 1,
        based_on=profile,
    )
    ProfileTarget.objects.bulk_create(
        ProfileTarget(
            profile=draft, competence_id=t.competence_id, target_level=t.target_level, importance=t.importance
        )
        for t in targets
    )
    return draft


@transaction.atomic
def set_individual_target(
    *, employee: Employee, competence: Competence, level: int | None, importance: str = "important"
) -> None:
    if level is None:
        IndividualTarget.objects.filter(employee=employee, competence=competence).delete()
    else:
        IndividualTarget.objects.update_or_create(
            employee=employee,
            competence=competence,
            defaults={
                "framework_version_id": competence.version_id,
                "target_level": level,
                "importance": importance,
            },
        )
    upkeep.individual_targets_changed([employee.pk])
