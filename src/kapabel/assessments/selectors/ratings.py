"""Ratings and their history."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet

from kapabel.assessments import permissions
from kapabel.assessments.models import (
    Assessment,
    Campaign,
    Rating,
    Source,
)
from kapabel.assessments.selectors.campaigns import open_for_participants_q
from kapabel.assessments.selectors.content import CompetenceItem
from kapabel.core.access import scope_for
from kapabel.core.models import User
from kapabel.organisation.models import Employee

# --- Ratings ------------------------------------------------------------------------------------


def ratings_for_user(user: User) -> QuerySet[Rating]:
    """Ratings the user may read: of people they may read; leader ratings of units they may see."""
    return Rating.objects.filter(permissions.ratings_q(user)).select_related("competence", "campaign")


def rating_history(employee: Employee, user: User) -> QuerySet[Rating]:
    """All of a person's ratings, newest first, corrections and superseded rows included."""
    return (
        ratings_for_user(user)
        .filter(employee=employee)
        .select_related("competence", "campaign", "framework_version__framework")
        .order_by("-rated_at", "-id")
    )


def side_by_side(assessment: Assessment, items: list[CompetenceItem]) -> list[dict[str, Any]]:
    """Per competence of the campaign: the self, manager and agreed ratings given in this assessment,
    and whether self and manager disagree. One query."""
    by_key: dict[tuple[int, str], Rating] = {}
    for rating in Rating.objects.filter(assessment=assessment, superseded_by__isnull=True).order_by(
        "rated_at", "id"
    ):
        by_key[(rating.competence_id, rating.source)] = rating
    rows = []
    for item in items:
        own = by_key.get((item.competence.pk, Source.SELF))
        manager = by_key.get((item.competence.pk, Source.MANAGER))
        agreed = by_key.get((item.competence.pk, Source.AGREED))
        rows.append(
            {
                "item": item,
                "self": own,
                "manager": manager,
                "agreed": agreed,
                "disagree": bool(own and manager and own.level != manager.level),
            }
        )
    return rows


def due_for_reminder(today: datetime.date) -> QuerySet[Campaign]:
    """Campaigns open for answers today; `reminders_send` checks each one's reminder window."""
    return Campaign.objects.filter(open_for_participants_q(today)).select_related("municipality")


def rating_history_own(user: User) -> QuerySet[Rating]:
    """The user's own ratings, newest first (all sources, superseded rows included)."""
    employee_id = scope_for(user).employee_id
    if not employee_id:
        return Rating.objects.none()
    return (
        Rating.objects.filter(employee_id=employee_id)
        .select_related("competence", "campaign")
        .order_by("-rated_at", "-id")
    )
