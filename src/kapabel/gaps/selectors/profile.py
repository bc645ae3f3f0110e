"""A person's competence profile: target vs self vs manager vs agreed level per competence."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from kapabel.assessments.models import CurrentLevel
from kapabel.competences.models import Competence, ScaleLevel
from kapabel.gaps.definition import equivalents
from kapabel.gaps.models import GapFact
from kapabel.organisation.models import Employee


@dataclass
class ProfileRow:
    competence: Competence
    target: int
    importance: str
    target_source: str
    self_level: int | None
    manager_level: int | None
    agreed_level: int | None
    level: int | None
    gap: int | None
    weighted_gap: int | None


def person_profile(employee: Employee) -> dict[str, Any]:
    """Target vs self vs manager vs agreed per competence (the caller has checked access)."""
    facts = list(
        GapFact.objects.filter(employee=employee)
        .select_related("competence")
        .order_by("competence__version_id", "competence__depth", "competence__position", "competence_id")
    )
    eq = equivalents([f.competence_id for f in facts])
    rated = {c for group in eq.values() for c in group}
    current: dict[int, CurrentLevel] = {
        cl.competence_id: cl for cl in CurrentLevel.objects.filter(employee=employee, competence_id__in=rated)
    }
    rows = []
    for fact in facts:
        candidates = [current[c] for c in eq.get(fact.competence_id, [fact.competence_id]) if c in current]
        best = max(
            candidates,
            key=lambda cl: (
                cl.rated_at is not None,
                cl.rated_at or datetime.datetime.min.replace(tzinfo=datetime.UTC),
                cl.pk,
            ),
            default=None,
        )
        rows.append(
            ProfileRow(
                competence=fact.competence,
                target=fact.target_level,
                importance=fact.get_importance_display(),
                target_source=fact.get_target_source_display(),
                self_level=best.self_level if best else None,
                manager_level=best.manager_level if best else None,
                agreed_level=best.agreed_level if best else None,
                level=fact.level,
                gap=fact.gap,
                weighted_gap=fact.weighted_gap,
            )
        )
    versions = {f.competence.version_id for f in facts}
    top = max(
        [4, *ScaleLevel.objects.filter(scale__version_id__in=versions).values_list("value", flat=True)],
    )
    return {
        "rows": rows,
        "scale_max": top,
        "total_weighted_gap": sum(r.weighted_gap or 0 for r in rows),
        "unknown": sum(1 for r in rows if r.level is None),
    }


def profile_summary(employee: Employee, *, top: int = 3) -> dict[str, Any]:
    """For the person's start page: how many of their targets they meet, are below or have no known
    level for, and their biggest gaps. One query."""
    facts = list(
        GapFact.objects.filter(employee=employee)
        .select_related("competence")
        .order_by("-weighted_gap", "-gap", "competence_id")
    )
    return {
        "targets": len(facts),
        "met": sum(1 for f in facts if f.gap == 0),
        "below": sum(1 for f in facts if f.gap),
        "unknown": sum(1 for f in facts if f.gap is None),
        "biggest": [f for f in facts if f.gap][:top],
    }
