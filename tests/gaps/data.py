"""Gap-analysis data on top of the `world` fixture: a published framework (two versions, mapped),
a job-role profile, a unit profile and ratings. Used by the gap tests and the browser crawl."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kapabel.assessments.models import Campaign
from kapabel.competences.models import (
    Competence,
    CompetenceMapping,
    Framework,
    FrameworkVersion,
    Profile,
    ProfileTarget,
    Scale,
    ScaleLevel,
    Status,
)
from tests.gaps import writers

NAMES = ["Kommunikation med borgere", "Digitale systemer", "Regler og lovgivning", "Samarbejde"]


@dataclass
class GapData:
    version: FrameworkVersion
    competences: list[Competence]
    role_profile: Profile
    unit_profile: Profile
    campaigns: list[Campaign]
    b_competence: Competence
    extra: dict[str, Any]


def make_framework(municipality, name: str, names: list[str]) -> tuple[FrameworkVersion, list[Competence]]:
    framework = Framework.objects.create(municipality=municipality, name=name)
    version = FrameworkVersion.objects.create(framework=framework, number=1, status=Status.PUBLISHED)
    scale = Scale.objects.create(version=version, name="1–4")
    for value in range(1, 5):
        ScaleLevel.objects.create(scale=scale, value=value, name_da=f"Niveau {value}", proficient=value >= 3)
    version.scale = scale
    version.save(update_fields=["scale"])
    competences = [
        Competence.objects.create(
            version=version, position=i, identifier=f"K{i}", code=f"K{i}", name_da=n, name_en=n
        )
        for i, n in enumerate(names)
    ]
    return version, competences


def make_campaign(municipality, version, name: str, day: int) -> Campaign:
    import datetime

    return Campaign.objects.create(
        municipality=municipality,
        name=name,
        framework_version=version,
        opens_on=datetime.date(2026, 1, day),
        closes_on=datetime.date(2026, 1, day + 10),
    )


def build_gap_data(world) -> GapData:
    version, competences = make_framework(world.a, "Fremtidens administrative medarbejder", NAMES)
    role_profile = Profile.objects.create(
        municipality=world.a,
        framework_version=version,
        kind=Profile.Kind.JOB_ROLE,
        job_role=world.role_a,
        name="Sagsbehandler",
        status=Status.DRAFT,
    )
    for competence, level, importance in zip(
        competences, [3, 3, 4, 2], ["essential", "important", "essential", "nice_to_have"], strict=True
    ):
        ProfileTarget.objects.create(
            profile=role_profile, competence=competence, target_level=level, importance=importance
        )
    writers.publish_profile(profile=role_profile)
    unit_profile = Profile.objects.create(
        municipality=world.a,
        framework_version=version,
        kind=Profile.Kind.UNIT,
        unit=world.forvaltning2,
        name="Forvaltning To",
        status=Status.DRAFT,
    )
    ProfileTarget.objects.create(
        profile=unit_profile, competence=competences[3], target_level=4, importance="essential"
    )
    writers.publish_profile(profile=unit_profile)
    first = make_campaign(world.a, version, "Afklaring forår", 1)
    second = make_campaign(world.a, version, "Afklaring efterår", 15)
    people = [world.employee, world.colleague, world.manager_employee, world.outsider]
    for i, person in enumerate(people):
        for j, competence in enumerate(competences[:3]):
            writers.record_rating(
                employee=person, competence=competence, source="self", level=1 + (i + j) % 3, campaign=first
            )
            if (i + j) % 2 == 0:
                writers.record_rating(
                    employee=person,
                    competence=competence,
                    source="agreed",
                    level=2 + (i + j) % 3,
                    campaign=second,
                )
    b_version, b_competences = make_framework(world.b, "Jobcenter", ["Samtaleteknik"])
    b_profile = Profile.objects.create(
        municipality=world.b,
        framework_version=b_version,
        kind=Profile.Kind.JOB_ROLE,
        job_role=world.role_b,
        name="Jobkonsulent",
        status=Status.DRAFT,
    )
    ProfileTarget.objects.create(
        profile=b_profile, competence=b_competences[0], target_level=4, importance="essential"
    )
    writers.publish_profile(profile=b_profile)
    writers.record_rating(employee=world.b_employee, competence=b_competences[0], source="self", level=1)
    return GapData(version, competences, role_profile, unit_profile, [first, second], b_competences[0], {})


def add_second_version(data: GapData) -> tuple[FrameworkVersion, list[Competence]]:
    """Version 2 of the framework with each competence mapped (same) from version 1."""
    v1 = data.version
    v2 = FrameworkVersion.objects.create(
        framework=v1.framework, number=2, status=Status.PUBLISHED, based_on=v1, scale=v1.scale
    )
    copies = []
    for competence in data.competences:
        copy = Competence.objects.create(
            version=v2,
            position=competence.position,
            identifier=competence.identifier,
            code=competence.code,
            name_da=competence.name_da,
            name_en=competence.name_en,
        )
        CompetenceMapping.objects.create(source=competence, target=copy)
        copies.append(copy)
    return v2, copies
