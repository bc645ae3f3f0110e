"""Writes of the rating history: `ratings_record`, corrections, and the current level with its
per-municipality source order.

`ratings_record` is the one path through which every `Rating` row is written (`rating_correct`
uses it too). It validates levels against the competence's scale, inserts the rows in bulk, keeps
`CurrentLevel` in step and then announces the changed pairs (`kapabel.core.announce`) in the same
transaction, so an aggregate kept by another app (the gap analysis) is never out of step with the
history."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kapabel.assessments import selectors
from kapabel.assessments.models import (
    LEVEL_SOURCES,
    PERSON_SOURCES,
    Assessment,
    AssessmentSettings,
    Campaign,
    CurrentLevel,
    Rating,
    Source,
)
from kapabel.competences.models import Competence, ScaleLevel
from kapabel.core import announce, audit
from kapabel.core.audit import Actor
from kapabel.core.models import Municipality, User
from kapabel.organisation.models import Employee, OrgUnit


@dataclass(frozen=True)
class RatingEntry:
    """One rating to record: a person (or, for the leader source, a unit), a competence and a level
    (None = "don't know")."""

    competence_id: int
    level: int | None
    employee_id: int | None = None
    unit_id: int | None = None
    comment: str = ""


def competence_level_values(competence_ids: Iterable[int]) -> dict[int, tuple[int, set[int]]]:
    """{competence id: (framework version id, allowed level values)} in two queries."""
    rows = list(
        Competence.objects.filter(pk__in=set(competence_ids)).values_list(
            "pk", "version_id", "scale_id", "version__scale_id"
        )
    )
    scale_ids = {scale or default for _pk, _v, scale, default in rows if scale or default}
    values: dict[int, set[int]] = defaultdict(set)
    for scale_id, value in ScaleLevel.objects.filter(scale_id__in=scale_ids).values_list("scale_id", "value"):
        values[scale_id].add(value)
    return {pk: (version, values.get(scale or default, set())) for pk, version, scale, default in rows}


@transaction.atomic
def ratings_record(
    *,
    municipality_id: int,
    source: str,
    entries: Sequence[RatingEntry],
    actor: Actor,
    campaign: Campaign | None = None,
    assessment: Assessment | None = None,
    rated_at: datetime.datetime | None = None,
    supersedes: Rating | None = None,
    audit_event: bool = True,
) -> list[Rating]:
    """Append ratings. Every rating is written here. Raises ValidationError for a level not on the
    competence's scale, a person or unit of another municipality, or a subject that does not fit the
    source."""
    if source not in Source.values:
        raise ValidationError({"source": _("Unknown source.")})
    if not entries:
        return []
    allowed = competence_level_values(e.competence_id for e in entries)
    errors: list[str] = []
    for entry in entries:
        if entry.competence_id not in allowed:
            errors.append(_("Unknown competence %(id)s.") % {"id": entry.competence_id})
        elif entry.level is not None and entry.level not in allowed[entry.competence_id][1]:
            errors.append(
                _("%(level)s is not a level on the scale of competence %(id)s.")
                % {"level": entry.level, "id": entry.competence_id}
            )
        if (source == Source.LEADER) != (entry.unit_id is not None and entry.employee_id is None):
            errors.append(_("A leader rating is about a unit; the other ratings are about a person."))
    if campaign is not None:
        foreign = {
            e.competence_id
            for e in entries
            if allowed.get(e.competence_id, (None,))[0] != campaign.framework_version_id
        }
        if foreign:
            errors.append(_("A competence is not part of the campaign's framework version."))
    employee_ids = {e.employee_id for e in entries if e.employee_id}
    unit_ids = {e.unit_id for e in entries if e.unit_id}
    if (
        employee_ids
        and Employee.objects.filter(pk__in=employee_ids).exclude(municipality_id=municipality_id).exists()
    ):
        errors.append(_("A person belongs to another municipality."))
    if unit_ids and OrgUnit.objects.filter(pk__in=unit_ids).exclude(municipality_id=municipality_id).exists():
        errors.append(_("A unit belongs to another municipality."))
    if errors:
        raise ValidationError(sorted(set(errors)))

    now = timezone.now()
    label = audit.actor_label(actor)
    author = actor if isinstance(actor, User) else None
    rows = [
        Rating(
            municipality_id=municipality_id,
            employee_id=entry.employee_id,
            unit_id=entry.unit_id,
            competence_id=entry.competence_id,
            framework_version_id=allowed[entry.competence_id][0],
            source=source,
            level=entry.level,
            comment=entry.comment,
            campaign=campaign,
            assessment=assessment,
            author=author,
            author_label=label,
            rated_at=rated_at or now,
            created_at=now,
            supersedes=supersedes,
        )
        for entry in entries
    ]
    Rating.objects.bulk_create(rows, batch_size=1000)
    pairs = {
        (entry.employee_id, entry.competence_id)
        for entry in entries
        if entry.employee_id is not None and source in LEVEL_SOURCES
    }
    if supersedes is not None:
        Rating.objects.filter(pk=supersedes.pk, superseded_by__isnull=True).update(superseded_by=rows[0])
        supersedes.superseded_by = rows[0]
    refresh_current_levels(pairs)
    announce.current_levels_changed(pairs)  # the gap aggregates follow in the same transaction
    if audit_event:
        audit.record(
            "assessments.ratings.recorded",
            actor=actor,
            municipality_id=municipality_id,
            object_type="assessments.rating",
            object_id=str(rows[0].pk) if len(rows) == 1 else "",
            object_repr=_("%(count)d ratings (%(source)s)") % {"count": len(rows), "source": source},
            changes={
                "count": [0, len(rows)],
                "campaign": [None, campaign.pk if campaign else None],
                "assessment": [None, assessment.pk if assessment else None],
            },
        )
    return rows


@transaction.atomic
def rating_correct(*, rating: Rating, level: int | None, comment: str = "", actor: Actor) -> Rating:
    """Correct a rating: a new row that supersedes it and keeps its `rated_at`; the old row stays."""
    locked = Rating.objects.select_for_update().get(pk=rating.pk)
    if locked.superseded_by_id is not None:
        raise ValidationError(
            _("This rating has already been corrected; correct the newest version instead.")
        )
    if locked.campaign is not None and locked.campaign.is_closed:
        raise ValidationError(_("The campaign is closed; its ratings can no longer be corrected."))
    [correction] = ratings_record(
        municipality_id=locked.municipality_id,
        source=locked.source,
        entries=[
            RatingEntry(
                competence_id=locked.competence_id,
                level=level,
                employee_id=locked.employee_id,
                unit_id=locked.unit_id,
                comment=comment,
            )
        ],
        actor=actor,
        campaign=locked.campaign,
        assessment=locked.assessment,
        rated_at=locked.rated_at,
        supersedes=locked,
        audit_event=False,
    )
    audit.record(
        "assessments.rating.corrected",
        actor=actor,
        obj=correction,
        municipality_id=locked.municipality_id,
        changes={"level": [locked.level, level], "supersedes": [None, locked.pk]},
    )
    rating.superseded_by = correction
    return correction


def refresh_current_levels(pairs: set[tuple[int, int]], *, chunk: int = 400) -> int:
    """Recompute `CurrentLevel` for the given (employee, competence) pairs from the history. Returns
    the number of rows written."""
    if not pairs:
        return 0
    written = 0
    by_employee: dict[int, set[int]] = defaultdict(set)
    for employee_id, competence_id in pairs:
        by_employee[employee_id].add(competence_id)
    employee_ids = sorted(by_employee)
    orders: dict[int, list[str]] = {}
    for start in range(0, len(employee_ids), chunk):
        batch = employee_ids[start : start + chunk]
        competence_ids = set().union(*(by_employee[e] for e in batch))
        latest = selectors.latest_person_ratings(batch, competence_ids)
        municipality_of = dict(Employee.objects.filter(pk__in=batch).values_list("pk", "municipality_id"))
        existing = {
            (row.employee_id, row.competence_id): row
            for row in CurrentLevel.objects.filter(employee_id__in=batch, competence_id__in=competence_ids)
        }
        to_create, to_update = [], []
        for employee_id in batch:
            municipality_id = municipality_of[employee_id]
            if municipality_id not in orders:
                orders[municipality_id] = selectors.level_order_for(municipality_id)
            for competence_id in by_employee[employee_id]:
                by_source = latest.get((employee_id, competence_id), {})
                row = existing.get((employee_id, competence_id))
                if row is None:
                    if not by_source:
                        continue
                    row = CurrentLevel(
                        municipality_id=municipality_id, employee_id=employee_id, competence_id=competence_id
                    )
                    to_create.append(row)
                else:
                    to_update.append(row)
                _fill_current(row, by_source, orders[municipality_id])
        CurrentLevel.objects.bulk_create(to_create, batch_size=1000)
        CurrentLevel.objects.bulk_update(
            to_update,
            [
                "framework_version",
                "self_level",
                "self_rating",
                "manager_level",
                "manager_rating",
                "agreed_level",
                "agreed_rating",
                "level",
                "source",
                "rated_at",
                "updated_at",
            ],
            batch_size=500,
        )
        written += len(to_create) + len(to_update)
    return written


def _fill_current(row: CurrentLevel, by_source: dict[str, Rating], order: list[str]) -> None:
    any_rating = next(iter(by_source.values()), None)
    if any_rating is not None:
        row.framework_version_id = any_rating.framework_version_id
    for source in PERSON_SOURCES:
        rating = by_source.get(source)
        setattr(row, f"{source}_level", rating.level if rating else None)
        setattr(row, f"{source}_rating_id", rating.pk if rating else None)
    level, picked = selectors.pick_current({s: (r.level, r) for s, r in by_source.items()}, order)
    row.level, row.source = level, picked
    row.rated_at = by_source[picked].rated_at if picked else None
    row.updated_at = timezone.now()


SETTINGS_FIELDS = ("current_level_order", "reminder_days_before_close", "reminders_enabled")


@transaction.atomic
def assessment_settings_update(
    *,
    municipality: Municipality,
    actor: Actor,
    current_level_order: str | None = None,
    reminder_days_before_close: int | None = None,
    reminders_enabled: bool | None = None,
) -> AssessmentSettings:
    """Change a municipality's settings (None: leave as is); a new source order recomputes its
    current levels."""
    current, _created = AssessmentSettings.objects.get_or_create(municipality=municipality)
    values: dict[str, Any] = {}
    if current_level_order is not None:
        values["current_level_order"] = ",".join(
            part.strip() for part in current_level_order.split(",") if part.strip()
        )
    if reminder_days_before_close is not None:
        values["reminder_days_before_close"] = reminder_days_before_close
    if reminders_enabled is not None:
        values["reminders_enabled"] = reminders_enabled
    changes = audit.update_audited(
        current, fields=SETTINGS_FIELDS, values=values, action="assessments.settings.updated", actor=actor
    )
    if "current_level_order" in changes:
        pairs = set(
            CurrentLevel.objects.filter(municipality=municipality).values_list("employee_id", "competence_id")
        )
        refresh_current_levels(pairs)
        announce.municipality_changed(municipality)
    return current
