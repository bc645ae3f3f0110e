"""The two starter frameworks shipped as data files in `data/`, installed through the services."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from kapabel.competences import services
from kapabel.competences.exchange import CompetenceData, FrameworkData, ScaleData
from kapabel.competences.models import Framework, Profile
from kapabel.core.audit import Actor
from kapabel.core.models import Municipality
from kapabel.organisation.models import JobRole

DATA_DIR = Path(__file__).parent / "data"
STARTERS = ["fremtidens_administrative_medarbejder", "jobcenter"]


def load(name: str) -> dict[str, Any]:
    return json.loads((DATA_DIR / f"{name}.json").read_text(encoding="utf-8"))


def to_data(spec: dict[str, Any]) -> FrameworkData:
    items: list[CompetenceData] = []

    def walk(nodes: list[dict[str, Any]], parent: str | None) -> None:
        for node in nodes:
            fields = {
                key: node.get(key, "")
                for key in ("code", "name_da", "name_en", "description_da", "description_en")
            }
            fields["indicators_da"] = "\n".join(node.get("indicators_da", []))
            fields["indicators_en"] = "\n".join(node.get("indicators_en", []))
            items.append(
                CompetenceData(identifier=node["code"], parent=parent, fields=fields, where=node["code"])
            )
            walk(node.get("children", []), node["code"])

    walk(spec["competences"], None)
    return FrameworkData(
        name=spec["name"],
        description=spec.get("description", ""),
        language=spec.get("language", "da"),
        identifier=spec["identifier"],
        scales=[ScaleData(key="default", name=spec["scale"]["name"], levels=spec["scale"]["levels"])],
        default_scale="default",
        competences=items,
    )


@transaction.atomic
def install(
    *, municipality: Municipality, actor: Actor, job_roles: dict[str, JobRole] | None = None
) -> list[Framework]:
    """Both starter frameworks for a municipality, published, with published profiles for the
    job roles they name (looked up by title when `job_roles` is not given)."""
    if job_roles is None:
        job_roles = {role.title: role for role in JobRole.objects.filter(municipality=municipality)}
    frameworks = []
    for name in STARTERS:
        spec = load(name)
        framework = services.framework_import(
            data=to_data(spec), municipality=municipality, actor=actor, source=f"starter:{name}"
        )
        version = framework.versions.get()
        services.version_publish(version=version, actor=actor)
        by_code = {c.code: c for c in version.competences.all()}
        for profile_spec in spec.get("profiles", []):
            role = job_roles.get(profile_spec["job_role"])
            if role is None:
                continue
            profile = services.profile_create(
                municipality=municipality,
                framework_version=version,
                name=f"{role.title} – {framework.name}",
                kind=Profile.Kind.JOB_ROLE,
                job_role=role,
                actor=actor,
            )
            services.profile_set_targets(
                profile=profile,
                targets=[
                    (by_code[code], level, importance)
                    for code, (level, importance) in profile_spec["targets"].items()
                ],
                actor=actor,
            )
            services.profile_publish(profile=profile, actor=actor)
        frameworks.append(framework)
    return frameworks
