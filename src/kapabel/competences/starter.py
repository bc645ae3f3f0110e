"""The starter frameworks shipped as data files in `data/`, installed through the services.

A new municipality picks the ones it wants (the administration pages, the API and `kapabel
municipality create --starter`); the demo installs them all. Each data file names its framework's
stable `identifier`, so a municipality that already has a starter is told so instead of getting it
twice."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

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


@dataclass(frozen=True)
class Starter:
    """A starter framework as a picker shows it."""

    key: str
    identifier: str
    name: str
    description: str
    competences: int
    job_roles: tuple[str, ...]


def _count(nodes: list[dict[str, Any]]) -> int:
    return sum(1 + _count(node.get("children", [])) for node in nodes)


def _description(text: str) -> str:
    """The data files describe each framework as "Danish / English": the half in the user's language."""
    danish, _sep, english = text.partition(" / ")
    return english.strip() if english and (get_language() or "da").startswith("en") else danish.strip()


def catalogue() -> list[Starter]:
    """Every starter framework, in the order they are offered."""
    starters = []
    for key in STARTERS:
        spec = load(key)
        starters.append(
            Starter(
                key=key,
                identifier=spec["identifier"],
                name=spec["name"],
                description=_description(spec.get("description", "")),
                competences=_count(spec["competences"]),
                job_roles=tuple(profile["job_role"] for profile in spec.get("profiles", [])),
            )
        )
    return starters


def installed(municipality_id: int) -> set[str]:
    """The keys of the starter frameworks the municipality already has."""
    by_identifier = {starter.identifier: starter.key for starter in catalogue()}
    found = Framework.objects.filter(
        municipality_id=municipality_id, identifier__in=sorted(by_identifier)
    ).values_list("identifier", flat=True)
    return {by_identifier[identifier] for identifier in found}


def check_choice(names: Collection[str], municipality_id: int | None) -> None:
    """Refuse unknown starter names and starters the municipality already has, with a message
    naming them (field `starters`)."""
    unknown = sorted(set(names) - set(STARTERS))
    if unknown:
        raise ValidationError(
            {
                "starters": _("Unknown starter framework: %(names)s. Choose from: %(choices)s.")
                % {"names": ", ".join(unknown), "choices": ", ".join(STARTERS)}
            }
        )
    present = sorted(set(names) & installed(municipality_id)) if municipality_id is not None else []
    if present:
        names_by_key = {starter.key: starter.name for starter in catalogue()}
        raise ValidationError(
            {
                "starters": _("The municipality already has %(names)s.")
                % {"names": ", ".join(names_by_key[key] for key in present)}
            }
        )


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
    *,
    municipality: Municipality,
    actor: Actor,
    job_roles: dict[str, JobRole] | None = None,
    names: Collection[str] | None = None,
) -> list[Framework]:
    """The chosen starter frameworks (all when `names` is None) for a municipality, published, with
    published profiles for the job roles they name that the municipality has (looked up by title
    when `job_roles` is not given). An unknown name or one the municipality has is refused."""
    chosen = list(STARTERS) if names is None else [name for name in STARTERS if name in set(names)]
    check_choice(set(names) if names is not None else chosen, municipality.pk)
    if job_roles is None:
        job_roles = {role.title: role for role in JobRole.objects.filter(municipality=municipality)}
    frameworks = []
    for name in chosen:
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
