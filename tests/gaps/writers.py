"""Short names for the real writing services, as the gap tests use them. Every change goes through
the product's services, so the tests exercise the same upkeep calls production makes."""

from __future__ import annotations

import datetime
from typing import Any

from kapabel.assessments import services as assessment_services
from kapabel.assessments.models import Rating
from kapabel.competences import services as competence_services
from kapabel.competences.models import Competence, IndividualTarget, Profile
from kapabel.organisation.models import Employee

ACTOR = "tests"
_clock = [datetime.datetime(2026, 1, 1, 8, 0, tzinfo=datetime.UTC)]


def _tick() -> datetime.datetime:
    """A strictly increasing, deterministic rating time."""
    _clock[0] += datetime.timedelta(minutes=1)
    return _clock[0]


def record_rating(
    *,
    employee: Employee,
    competence: Competence,
    source: str,
    level: int | None,
    campaign: Any = None,
    rated_at: datetime.datetime | None = None,
) -> Rating:
    entry = assessment_services.RatingEntry(competence_id=competence.pk, level=level, employee_id=employee.pk)
    return assessment_services.ratings_record(
        municipality_id=employee.municipality_id,
        source=source,
        entries=[entry],
        actor=ACTOR,
        campaign=campaign,
        rated_at=rated_at or _tick(),
    )[0]


def correct_rating(*, rating: Rating, level: int | None) -> Rating:
    return assessment_services.rating_correct(rating=rating, level=level, actor=ACTOR)


def set_profile_target(
    *, profile: Profile, competence: Competence, level: int | None, importance: str
) -> None:
    """On a draft profile (published ones are frozen); None removes the target."""
    competence_services.profile_set_targets(
        profile=profile, targets=[(competence, level, importance)], actor=ACTOR
    )


def publish_profile(*, profile: Profile) -> Profile:
    return competence_services.profile_publish(profile=profile, actor=ACTOR)


def retire_profile(*, profile: Profile) -> Profile:
    return competence_services.profile_retire(profile=profile, actor=ACTOR)


def new_profile_version(*, profile: Profile, framework_version: Any = None) -> Profile:
    """A draft copy of a profile (targets follow the mappings into `framework_version`)."""
    return competence_services.profile_create_version(
        profile=profile, framework_version=framework_version, actor=ACTOR
    )


def set_individual_target(
    *, employee: Employee, competence: Competence, level: int | None, importance: str = "important"
) -> None:
    if level is not None:
        competence_services.individual_target_set(
            employee=employee, competence=competence, target_level=level, importance=importance, actor=ACTOR
        )
        return
    for target in IndividualTarget.objects.filter(employee=employee, competence=competence):
        competence_services.individual_target_remove(target=target, actor=ACTOR)
