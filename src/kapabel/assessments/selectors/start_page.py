"""What the start page shows of clarification."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from kapabel.assessments import permissions
from kapabel.assessments.models import (
    Campaign,
    CurrentLevel,
    Part,
    Source,
)
from kapabel.assessments.selectors.campaigns import assessments_for_user, pending_manager_assessments
from kapabel.competences.models import Competence, ScaleLevel
from kapabel.core.access import scope_for
from kapabel.core.models import User

# --- Start page -----------------------------------------------------------------------------------


def campaigns_in_progress(user: User, *, limit: int = 5) -> list[dict[str, Any]]:
    """For HR and administrators: the open campaigns of their municipalities (soonest to close first)
    with how far the participants they may see have got: answered, agreed, and answered in the last
    seven days. Two queries."""
    scope = scope_for(user)
    if not scope.reads_people:
        return []
    today = timezone.localdate()
    campaigns = list(
        Campaign.objects.filter(
            permissions.campaigns_q(user), status=Campaign.Status.OPEN, closes_on__gte=today
        ).order_by("closes_on", "id")[:limit]
    )
    if not campaigns:
        return []
    week_ago = timezone.now() - datetime.timedelta(days=7)
    counts = {
        row["campaign_id"]: row
        for row in assessments_for_user(user)
        .filter(campaign__in=campaigns)
        .order_by()
        .values("campaign_id")
        .annotate(
            total=Count("id"),
            answered=Count("id", filter=Q(self_submitted_at__isnull=False)),
            agreed=Count("id", filter=Q(agreed_at__isnull=False)),
            recent=Count("id", filter=Q(self_submitted_at__gte=week_ago)),
        )
    }
    rows = []
    for campaign in campaigns:
        row = counts.get(campaign.pk, {"total": 0, "answered": 0, "agreed": 0, "recent": 0})
        if not row["total"]:
            continue
        rows.append(
            {
                "campaign": campaign,
                "total": row["total"],
                "answered": row["answered"],
                "agreed": row["agreed"],
                "recent": row["recent"],
                "answered_pct": round(100 * row["answered"] / row["total"]),
                "agreed_pct": round(100 * row["agreed"] / row["total"]),
                "individual": campaign.has_part(Part.MANAGER),
                "opened": campaign.opens_on <= today,
            }
        )
    return rows


def awaiting_manager(user: User, *, limit: int = 10) -> dict[str, Any]:
    """For a manager: their people in open individual clarifications waiting for them, the next step
    of each (their assessment, or the agreed level after the conversation), and how many wait in all.
    Two queries."""
    pending = pending_manager_assessments(user)
    people = list(pending[:limit])
    return {
        "people": [
            {"assessment": a, "step": a.next_manager_step, "answered": a.self_submitted_at is not None}
            for a in people
        ],
        "total": pending.count() if len(people) == limit else len(people),
    }


@dataclass
class LevelRow:
    """One competence on "My competences": the current level, its name on the scale, and where it
    came from."""

    competence: Competence
    area: str
    level: int | None
    level_name: str
    source: str
    rated_at: datetime.datetime | None


def my_current_levels(user: User) -> list[dict[str, Any]]:
    """The user's own competences with their current level, grouped by framework version (newest
    first), in tree order within each. Two queries."""
    employee_id = scope_for(user).employee_id
    if not employee_id:
        return []
    rows = list(
        CurrentLevel.objects.filter(employee_id=employee_id)
        .select_related("competence__version__framework", "competence__parent")
        .order_by(
            "competence__version__framework__name",
            "-competence__version__number",
            "competence__parent__position",
            "competence__position",
            "competence_id",
        )
    )
    scales = {scale_id for r in rows if (scale_id := r.competence.scale_id or r.competence.version.scale_id)}
    names = {
        (level.scale_id, level.value): level.name for level in ScaleLevel.objects.filter(scale_id__in=scales)
    }
    sources = dict(Source.choices)
    groups: dict[int, dict[str, Any]] = {}
    for row in rows:
        version = row.competence.version
        scale_id = row.competence.scale_id or version.scale_id
        group = groups.setdefault(version.pk, {"version": version, "rows": []})
        group["rows"].append(
            LevelRow(
                competence=row.competence,
                area=row.competence.parent.name if row.competence.parent else "",
                level=row.level,
                level_name=names.get((scale_id, row.level), "") if scale_id and row.level is not None else "",
                source=str(sources.get(row.source, "")),
                rated_at=row.rated_at,
            )
        )
    return list(groups.values())
