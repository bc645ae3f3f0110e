"""Reads for the pages and the API: lists scoped by `permissions`, with related rows fetched up front."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from kapabel.core.models import Municipality, User
from kapabel.learning.models import Cohort
from kapabel.organisation.models import Employee, OrgUnit
from kapabel.programmes import permissions
from kapabel.programmes.models import (
    Application,
    FundingScheme,
    Participant,
    Phase,
    Placement,
    Programme,
    SchemeParameter,
    Substitute,
)


def programme_list(user: User | Any) -> QuerySet[Programme]:
    return (
        permissions.programmes_for(user)
        .select_related("municipality")
        .annotate(participant_count=Count("participants", distinct=True))
        .order_by("-starts_on", "id")
    )


def phases_of(programme: Programme) -> QuerySet[Phase]:
    return (
        Phase.objects.filter(programme=programme)
        .select_related("funding_scheme", "campaign")
        .prefetch_related("cohorts")
    )


def participants_of(programme: Programme) -> QuerySet[Participant]:
    return (
        Participant.objects.filter(programme=programme)
        .select_related("employee__unit")
        .order_by("employee__name")
    )


def substitutes_of(programme: Programme) -> QuerySet[Substitute]:
    return (
        Substitute.objects.filter(programme=programme)
        .select_related("unit", "manager")
        .prefetch_related(
            Prefetch(
                "placements",
                queryset=Placement.objects.select_related("unit", "scheme").prefetch_related(
                    "participants__employee"
                ),
            )
        )
        .order_by("starts_on", "id")
    )


def substitute_of(programme: Programme, pk: int) -> Substitute | None:
    return Substitute.objects.filter(programme=programme, pk=pk).select_related("programme").first()


def placement_of(programme: Programme, pk: int) -> Placement | None:
    return (
        Placement.objects.filter(substitute__programme=programme, pk=pk)
        .select_related("substitute__programme")
        .first()
    )


def applications_of(programme: Programme) -> QuerySet[Application]:
    return (
        Application.objects.filter(programme=programme)
        .select_related("scheme", "participant__employee", "programme")
        .order_by("education_starts_on", "id")
    )


def application_of(programme: Programme, pk: int) -> Application | None:
    return applications_of(programme).filter(pk=pk).first()


def phase_of(programme: Programme, pk: int) -> Phase | None:
    return Phase.objects.filter(programme=programme, pk=pk).first()


def participant_of(programme: Programme, pk: int) -> Participant | None:
    return Participant.objects.filter(programme=programme, pk=pk).select_related("programme").first()


def units_of(programme: Programme) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(municipality_id=programme.municipality_id, active=True).order_by("path")


def employees_of(programme: Programme) -> QuerySet[Employee]:
    return Employee.objects.filter(municipality_id=programme.municipality_id, active=True).order_by("name")


def schemes() -> QuerySet[FundingScheme]:
    return FundingScheme.objects.prefetch_related(
        Prefetch("parameters", queryset=SchemeParameter.objects.order_by("key", "valid_from"))
    ).order_by("id")


def scheme_by_id(pk: int) -> FundingScheme | None:
    return FundingScheme.objects.filter(pk=pk).first()


def parameter_by_id(pk: int) -> SchemeParameter | None:
    return SchemeParameter.objects.filter(pk=pk).select_related("scheme").first()


def cohorts_of(programme: Programme, ids: list[int]) -> list[Cohort]:
    return list(
        Cohort.objects.filter(pk__in=ids, offer__municipality_id=programme.municipality_id).select_related(
            "offer"
        )
    )


def phases_by_ids(programme: Programme, ids: list[int]) -> list[Phase]:
    return list(Phase.objects.filter(programme=programme, pk__in=ids))


def participants_by_ids(programme: Programme, ids: list[int]) -> list[Participant]:
    return list(Participant.objects.filter(programme=programme, pk__in=ids))


def placements_of(programme: Programme) -> QuerySet[Placement]:
    return (
        Placement.objects.filter(substitute__programme=programme)
        .prefetch_related("participants")
        .order_by("starts_on", "id")
    )


def municipality_for(user: User | Any, municipality_id: int) -> Municipality | None:
    """A municipality the user runs programmes in."""
    if not permissions.can_manage_in(user, municipality_id):
        return None
    return Municipality.objects.filter(pk=municipality_id).first()
