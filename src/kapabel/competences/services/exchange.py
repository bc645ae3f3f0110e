"""Writing a parsed file (`exchange.FrameworkData`) to the database as a new framework."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from kapabel.competences.content import default_levels, validate_levels
from kapabel.competences.exchange import FrameworkData
from kapabel.competences.exchange.common import duplicate_codes
from kapabel.competences.models import Competence, Framework, FrameworkVersion, Scale
from kapabel.competences.services.frameworks import write_levels
from kapabel.core import audit, jobs
from kapabel.core.audit import Actor
from kapabel.core.models import Municipality


def framework_import(
    *, data: FrameworkData, municipality: Municipality | None, actor: Actor, source: str = ""
) -> Framework:
    """Write a parsed file (`exchange.FrameworkData`) as a new framework with one draft version.
    The readers already checked the tree; everything is written in one transaction or not at all,
    with a record of how the run ended (`kapabel.core.jobs`: a killed import is marked failed)."""
    with jobs.long_write(
        "competences.framework_import", actor=actor, municipality=municipality, description=source
    ) as run:
        return _framework_write(data=data, municipality=municipality, actor=actor, source=source, run=run)


def _framework_write(
    *, data: FrameworkData, municipality: Municipality | None, actor: Actor, source: str, run: jobs.Run
) -> Framework:
    duplicates = duplicate_codes(
        data
    )  # also for data not read from a file (a clear error, not an IntegrityError)
    if duplicates:
        raise ValidationError(duplicates)
    framework = Framework(
        municipality=municipality,
        name=data.name,
        description=data.description,
        language=data.language if data.language in ("da", "en") else "da",
        identifier=data.identifier or str(uuid.uuid4()),
        uri=data.uri,
    )
    framework.full_clean()
    framework.save()
    version = FrameworkVersion.objects.create(
        framework=framework, number=1, taxonomies=data.taxonomies, extra=data.extra
    )
    scales: dict[str, Scale] = {}
    for scale_data in data.scales:
        validate_levels(scale_data.levels)
        scale = Scale.objects.create(
            version=version, name=scale_data.name or data.name[:200], external_id=scale_data.external_id
        )
        write_levels(scale, scale_data.levels)
        scales[scale_data.key] = scale
    if data.default_scale:
        version.scale = scales[data.default_scale]
        version.save(update_fields=["scale"])
    elif not scales:  # e.g. CASE files from other tools carry no scale: start with the default one
        version.scale = Scale.objects.create(version=version, name=_("Four levels"))
        write_levels(version.scale, default_levels())
        version.save(update_fields=["scale"])
    elif len(scales) == 1:
        version.scale = next(iter(scales.values()))
        version.save(update_fields=["scale"])
    created: dict[str, Competence] = {}
    positions: dict[str | None, int] = {}
    pending = list(data.competences)
    depth = 0
    while pending:  # level by level, so each row's parent already has a primary key
        ready = [item for item in pending if item.parent is None or item.parent in created]
        if not ready:
            raise ValidationError(_("The parents form a cycle."))
        rows = []
        for item in ready:
            position = positions[item.parent] = positions.get(item.parent, -1) + 1
            competence = Competence(
                version=version,
                parent=created[item.parent] if item.parent else None,
                identifier=item.identifier,
                position=position,
                depth=depth,
                scale=scales[item.scale] if item.scale else None,
                extra=item.extra,
                **{key: value for key, value in item.fields.items() if value},
            )
            try:
                competence.full_clean(
                    exclude=["version", "parent", "scale"], validate_unique=False, validate_constraints=False
                )
            except ValidationError as exc:
                raise ValidationError(
                    [
                        f"{item.where or item.identifier}: {field}: {'; '.join(msgs)}"
                        for field, msgs in exc.message_dict.items()
                    ]
                ) from exc
            rows.append(competence)
        Competence.objects.bulk_create(rows)
        for competence in rows:
            created[competence.identifier] = competence
        run.progress("competences", len(created), len(data.competences))
        ready_ids = {id(item) for item in ready}
        pending = [item for item in pending if id(item) not in ready_ids]
        depth += 1
    through = Competence.related.through
    links = {
        (created[item.identifier].pk, created[ref].pk)
        for item in data.competences
        for ref in item.related
        if ref in created and ref != item.identifier
    }
    links |= {(b, a) for a, b in links}  # the relation is symmetric
    through.objects.bulk_create([through(from_competence_id=a, to_competence_id=b) for a, b in sorted(links)])
    audit.record(
        "competences.framework.imported",
        actor=actor,
        obj=framework,
        changes={"source": [None, source], "competences": [0, len(created)], "scales": [0, len(scales)]},
    )
    return framework
