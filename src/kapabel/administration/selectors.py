"""Reads for the administration pages, scoped through the access layer."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, Q, QuerySet

from kapabel.competences import starter
from kapabel.core.models import Municipality
from kapabel.organisation import selectors as org_selectors

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from kapabel.core.models import User


def municipalities_overview(user: User | AnonymousUser) -> QuerySet[Municipality]:
    """The municipalities the user may act in, each with its number of active employees (one query)."""
    return org_selectors.municipalities_for_user(user).annotate(
        employee_count=Count("employees", filter=Q(employees__active=True))
    )


def starters_for(municipality_id: int) -> list[dict[str, Any]]:
    """Every starter framework, marked with whether the municipality has it."""
    have = starter.installed(municipality_id)
    return [{"starter": item, "installed": item.key in have} for item in starter.catalogue()]


def starters_catalogue() -> list[starter.Starter]:
    return starter.catalogue()


def account(username: str) -> User | None:
    return org_selectors.account_by_username(username)
