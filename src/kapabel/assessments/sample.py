"""A small published framework built straight through the ORM, for the demo (when no framework step
ran before it), the benchmark and the tests. The competences app owns real framework editing."""

from __future__ import annotations

from django.utils import timezone

from kapabel.competences.models import (
    Competence,
    Framework,
    FrameworkVersion,
    Profile,
    ProfileTarget,
    Scale,
    ScaleLevel,
    Status,
)
from kapabel.core.models import Municipality
from kapabel.organisation.models import JobRole

LEVELS = [
    ("Begynder", "Beginner", "Kender til området og løser enkle opgaver med vejledning."),
    ("Øvet", "Practised", "Løser de almindelige opgaver selvstændigt."),
    ("Erfaren", "Experienced", "Løser komplekse opgaver og hjælper kolleger."),
    ("Ekspert", "Expert", "Udvikler praksis på området og underviser andre."),
]
AREAS = [
    "Borgerkontakt og kommunikation",
    "Lovgivning og sagsbehandling",
    "Digitalisering og IT-systemer",
    "Økonomi og ressourcestyring",
    "Samarbejde og tværfaglighed",
]
COMPETENCES = [
    "Skriftlig formidling til borgere",
    "Mundtlig vejledning",
    "Konflikthåndtering",
    "Forvaltningsloven",
    "Offentlighedsloven",
    "Persondataret",
    "Fagsystemer",
    "ERP-processer i KMD Opus",
    "Digital selvbetjening",
    "Budgetopfølgning",
    "Indkøb og udbud",
    "Tværfaglige møder",
    "Projektarbejde",
    "Overførsel af læring til praksis",
]


def build_framework(
    *,
    municipality: Municipality,
    name: str = "Den administrative medarbejder",
    competences: int = 14,
    published: bool = True,
    profile_job_role: JobRole | None = None,
) -> FrameworkVersion:
    """A framework with one version, a four-level scale and `competences` leaves under five areas."""
    framework = Framework.objects.create(municipality=municipality, name=name)
    version = FrameworkVersion.objects.create(
        framework=framework,
        number=1,
        status=Status.PUBLISHED if published else Status.DRAFT,
        published_at=timezone.now() if published else None,
    )
    scale = Scale.objects.create(version=version, name="Kapabel 1–4")
    ScaleLevel.objects.bulk_create(
        [
            ScaleLevel(
                scale=scale,
                value=i + 1,
                name_da=da,
                name_en=en,
                descriptor_da=text,
                proficient=i >= 2,
                is_default=i == 0,
            )
            for i, (da, en, text) in enumerate(LEVELS)
        ]
    )
    version.scale = scale
    version.save(update_fields=["scale"])
    areas = [
        Competence.objects.create(
            version=version, identifier=f"A{i + 1}", code=f"{i + 1}", name_da=area, position=i, depth=0
        )
        for i, area in enumerate(AREAS)
    ]
    leaves = []
    for i in range(competences):
        base = COMPETENCES[i % len(COMPETENCES)]
        label = base if i < len(COMPETENCES) else f"{base} {i // len(COMPETENCES) + 1}"
        area = areas[i % len(areas)]
        leaves.append(
            Competence(
                version=version,
                parent=area,
                identifier=f"K{i + 1}",
                code=f"{area.code}.{i + 1}",
                name_da=label,
                description_da=f"Kompetencen “{label}” i det daglige arbejde.",
                position=i,
                depth=1,
            )
        )
    Competence.objects.bulk_create(leaves)
    if profile_job_role is not None:
        profile = Profile.objects.create(
            municipality=municipality,
            framework_version=version,
            kind=Profile.Kind.JOB_ROLE,
            job_role=profile_job_role,
            name=f"{profile_job_role.title}",
            status=Status.PUBLISHED,
            published_at=timezone.now(),
        )
        ProfileTarget.objects.bulk_create(
            [ProfileTarget(profile=profile, competence=leaf, target_level=3) for leaf in leaves]
        )
    return version
