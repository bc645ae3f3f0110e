"""Frameworks, their versions and their scales. Published versions are frozen: every content change
checks `require_draft`."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kapabel.competences.content import COMPETENCE_CARRIED_FIELDS, default_levels, validate_levels
from kapabel.competences.models import (
    Competence,
    CompetenceMapping,
    Framework,
    FrameworkVersion,
    Scale,
    ScaleLevel,
    Status,
)
from kapabel.competences.services.common import FRAMEWORK_FIELDS, UNSET, given, require_draft
from kapabel.core import audit
from kapabel.core.audit import Actor
from kapabel.core.models import Municipality, User


@transaction.atomic
def framework_create(
    *,
    municipality: Municipality | None,
    name: str,
    actor: Actor,
    description: str = "",
    language: str = "da",
    identifier: str = "",
    uri: str = "",
    with_default_scale: bool = True,
) -> Framework:
    """A new framework with a first draft version (and, by default, a 4-level scale)."""
    framework = Framework(
        municipality=municipality,
        name=name,
        description=description,
        language=language,
        identifier=identifier or str(uuid.uuid4()),
        uri=uri,
    )
    audit.create_audited(
        framework, fields=FRAMEWORK_FIELDS, action="competences.framework.created", actor=actor
    )
    version = FrameworkVersion.objects.create(framework=framework, number=1)
    if with_default_scale:
        scale = scale_create(version=version, name=_("Four levels"), levels=default_levels(), actor=actor)
        version.scale = scale
        version.save(update_fields=["scale"])
    return framework


@transaction.atomic
def framework_update(
    *,
    framework: Framework,
    actor: Actor,
    name: str = UNSET,
    description: str = UNSET,
    language: str = UNSET,
    identifier: str = UNSET,
    uri: str = UNSET,
) -> Framework:
    """Change the framework's own fields (its content lives in versions). Arguments not given stay."""
    values = given(name=name, description=description, language=language, identifier=identifier, uri=uri)
    audit.update_audited(
        framework, fields=FRAMEWORK_FIELDS, values=values, action="competences.framework.updated", actor=actor
    )
    return framework


@transaction.atomic
def framework_set_sharing(
    *, framework: Framework, municipalities: Sequence[Municipality], actor: Actor
) -> Framework:
    before = sorted(framework.shared_with.values_list("pk", flat=True))
    after = sorted(m.pk for m in municipalities if m.pk != framework.municipality_id)
    if before != after:
        framework.shared_with.set(after)
        audit.record(
            "competences.framework.sharing_changed",
            actor=actor,
            obj=framework,
            changes={"shared_with": [before, after]},
        )
    return framework


@transaction.atomic
def version_publish(*, version: FrameworkVersion, actor: Actor) -> FrameworkVersion:
    """Freeze a draft. The previously published version is retired (kept, ratings still point to it)."""
    require_draft(version)
    if version.scale_id is None:
        raise ValidationError({"scale": _("Choose the framework's scale before publishing.")})
    if not version.competences.exists():
        raise ValidationError(_("Add at least one competence before publishing."))
    retired = list(
        FrameworkVersion.objects.filter(framework=version.framework_id, status=Status.PUBLISHED).exclude(
            pk=version.pk
        )
    )
    FrameworkVersion.objects.filter(pk__in=[v.pk for v in retired]).update(status=Status.RETIRED)
    version.status = Status.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor if isinstance(actor, User) else None
    version.save(update_fields=["status", "published_at", "published_by"])
    audit.record(
        "competences.version.published",
        actor=actor,
        obj=version,
        municipality_id=version.framework.municipality_id,
        changes={"status": [Status.DRAFT, Status.PUBLISHED], "retired": [None, [v.number for v in retired]]},
    )
    return version


@transaction.atomic
def version_create_draft(*, framework: Framework, actor: Actor, change_note: str = "") -> FrameworkVersion:
    """A new draft copied from the newest version: scales, levels, the competence tree, cross
    references. Each copied competence gets a mapping ("same") from the one it was copied from."""
    source = framework.versions.order_by("-number").first()
    if source is None:
        raise ValidationError(_("The framework has no version to copy."))
    if framework.versions.filter(status=Status.DRAFT).exists():
        raise ValidationError(_("There is already a draft version. Edit that one."))
    version = FrameworkVersion.objects.create(
        framework=framework,
        number=source.number + 1,
        based_on=source,
        change_note=change_note,
        taxonomies=source.taxonomies,
        extra=source.extra,
    )
    scale_map: dict[int, Scale] = {}
    for scale in source.scales.prefetch_related("levels"):
        copy = Scale.objects.create(version=version, name=scale.name, external_id=scale.external_id)
        ScaleLevel.objects.bulk_create(
            [
                ScaleLevel(
                    scale=copy,
                    value=level.value,
                    name_da=level.name_da,
                    name_en=level.name_en,
                    descriptor_da=level.descriptor_da,
                    descriptor_en=level.descriptor_en,
                    proficient=level.proficient,
                    is_default=level.is_default,
                )
                for level in scale.levels.all()
            ]
        )
        scale_map[scale.pk] = copy
    if source.scale_id:
        version.scale = scale_map[source.scale_id]
        version.save(update_fields=["scale"])
    old = list(source.competences.order_by("depth", "position", "id"))
    copies: dict[int, Competence] = {}
    for competence in old:  # depth order: a parent is always copied before its children
        copy_of_competence = Competence.objects.create(
            version=version,
            parent=copies[competence.parent_id] if competence.parent_id else None,
            position=competence.position,
            depth=competence.depth,
            **{
                name: getattr(competence, name)
                for name in ("identifier", *COMPETENCE_CARRIED_FIELDS, "extra")
            },
            scale=scale_map.get(competence.scale_id) if competence.scale_id else None,
        )
        copies[competence.pk] = copy_of_competence
    through = Competence.related.through
    links = through.objects.filter(from_competence__version=source).values_list(
        "from_competence_id", "to_competence_id"
    )
    through.objects.bulk_create(
        [through(from_competence=copies[a], to_competence=copies[b]) for a, b in links], ignore_conflicts=True
    )
    CompetenceMapping.objects.bulk_create(
        [CompetenceMapping(source_id=pk, target=copy) for pk, copy in copies.items()]
    )
    audit.record(
        "competences.version.created",
        actor=actor,
        obj=version,
        municipality_id=framework.municipality_id,
        changes={"number": [None, version.number], "based_on": [None, source.number]},
    )
    return version


@transaction.atomic
def version_retire(*, version: FrameworkVersion, actor: Actor) -> FrameworkVersion:
    if version.status != Status.PUBLISHED:
        raise ValidationError(_("Only a published version can be retired."))
    version.status = Status.RETIRED
    version.save(update_fields=["status"])
    audit.record(
        "competences.version.retired",
        actor=actor,
        obj=version,
        municipality_id=version.framework.municipality_id,
        changes={"status": [Status.PUBLISHED, Status.RETIRED]},
    )
    return version


@transaction.atomic
def version_set_scale(*, version: FrameworkVersion, scale: Scale, actor: Actor) -> FrameworkVersion:
    require_draft(version)
    if scale.version_id != version.pk:
        raise ValidationError({"scale": _("The scale belongs to another version.")})
    before = version.scale_id
    version.scale = scale
    version.save(update_fields=["scale"])
    audit.record(
        "competences.version.scale_changed",
        actor=actor,
        obj=version,
        municipality_id=version.framework.municipality_id,
        changes={"scale": [before, scale.pk]},
    )
    return version


# --- Scales --------------------------------------------------------------------------------------


@transaction.atomic
def scale_create(
    *,
    version: FrameworkVersion,
    name: str,
    levels: Sequence[dict[str, Any]],
    actor: Actor,
    external_id: str = "",
) -> Scale:
    require_draft(version)
    validate_levels(levels)
    scale = Scale(version=version, name=name, external_id=external_id)
    scale.full_clean()
    scale.save()
    write_levels(scale, levels)
    audit.record(
        "competences.scale.created",
        actor=actor,
        obj=scale,
        municipality_id=version.framework.municipality_id,
        changes={"name": [None, name], "levels": [None, len(levels)]},
    )
    return scale


def write_levels(scale: Scale, levels: Sequence[dict[str, Any]]) -> None:
    """Add already validated levels (`validate_levels`) to a new or emptied scale."""
    rows = []
    for level in levels:
        row = ScaleLevel(
            scale=scale,
            value=level["value"],
            name_da=level.get("name_da", ""),
            name_en=level.get("name_en", ""),
            descriptor_da=level.get("descriptor_da", ""),
            descriptor_en=level.get("descriptor_en", ""),
            proficient=bool(level.get("proficient")),
            is_default=bool(level.get("is_default")),
        )
        row.full_clean(exclude=["scale"], validate_unique=False, validate_constraints=False)
        rows.append(row)
    ScaleLevel.objects.bulk_create(rows)


@transaction.atomic
def scale_update(
    *, scale: Scale, actor: Actor, name: str = UNSET, levels: Sequence[dict[str, Any]] = UNSET
) -> Scale:
    """Rename a scale or replace its levels (in a draft version only)."""
    require_draft(scale.version)
    changes: dict[str, Any] = {}
    if name is not UNSET and name != scale.name:
        changes["name"] = [scale.name, name]
        scale.name = name
        scale.full_clean()
        scale.save(update_fields=["name"])
    if levels is not UNSET:
        validate_levels(levels)
        before = list(scale.levels.values("value", "name_da", "name_en", "proficient"))
        scale.levels.all().delete()
        write_levels(scale, levels)
        changes["levels"] = [
            before,
            [{k: lv.get(k) for k in ("value", "name_da", "name_en", "proficient")} for lv in levels],
        ]
    if changes:
        audit.record(
            "competences.scale.updated",
            actor=actor,
            obj=scale,
            municipality_id=scale.version.framework.municipality_id,
            changes=changes,
        )
    return scale
