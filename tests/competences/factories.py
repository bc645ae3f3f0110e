"""Small builders for competence tests."""

from __future__ import annotations

from typing import Any

from kapabel.competences import services
from kapabel.competences.models import Profile

SYSTEM = "tests"


def make_framework(municipality, name: str = "Testramme", competences: int = 3, publish: bool = False):
    framework = services.framework_create(municipality=municipality, name=name, actor=SYSTEM)
    version = framework.versions.get()
    area = services.competence_create(version=version, name_da=f"{name} område", code="A", actor=SYSTEM)
    items = [
        services.competence_create(
            version=version, parent=area, name_da=f"{name} kompetence {i}", code=f"A-{i}", actor=SYSTEM
        )
        for i in range(1, competences + 1)
    ]
    if publish:
        services.version_publish(version=version, actor=SYSTEM)
    return framework, version, area, items


def private_competence_objects(world, municipality) -> dict[str, list[Any]]:
    """A private draft framework with a competence, a profile, a consultation and a comment in
    `municipality` (built once per test), for the access walk."""
    cache = world.__dict__.setdefault("_competence_objects", {})
    if municipality.pk in cache:
        return cache[municipality.pk]
    tag = "Aby" if municipality == world.a else "Bby"
    framework, version, _area, items = make_framework(municipality, name=f"Hemmelig ramme {tag}")
    role = world.role_a if municipality == world.a else world.role_b
    profile = services.profile_create(
        municipality=municipality,
        framework_version=version,
        name=f"Hemmelig profil {tag}",
        kind=Profile.Kind.JOB_ROLE,
        job_role=role,
        actor=SYSTEM,
    )
    participant = world.colleague if municipality == world.a else world.b_employee
    consultation = services.consultation_open(actor=SYSTEM, profile=profile, participants=[participant])
    comment = services.comment_add(
        consultation=consultation,
        author=SYSTEM,
        body=f"Hemmelig kommentar {tag}",
        competence=items[0],
        proposed_target_level=3,
    )
    cache[municipality.pk] = {
        "framework": [framework],
        "framework_version": [version],
        "competence": [items[0]],
        "profile": [profile],
        "consultation": [consultation],
        "comment": [comment],
    }
    return cache[municipality.pk]
