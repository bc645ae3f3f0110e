"""The API's input and output shapes for programmes. Dates are bounded (1900–2199) and amounts fit the
database columns, so what the services receive is always something they can judge. Required dates,
hours, amounts and lists are optional in the shapes and checked by the operation, so that a request
for something the caller may not see answers 404 before its body is judged."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import WithJsonSchema

from kapabel.core.api_schema import BodySchema, Id, choices_schema
from kapabel.programmes.models import Application, ParameterKey, Phase, Programme, SchemeKind, Substitute

Day = Annotated[datetime.date, Field(ge=datetime.date(1900, 1, 1), le=datetime.date(2199, 12, 31))]
Money = Annotated[Decimal, Field(ge=0, le=Decimal("9999999999.99"), max_digits=12, decimal_places=2)]
Hours = Annotated[Decimal, Field(ge=-1000, le=1000, max_digits=5, decimal_places=1)]
ProgrammeStatus = Annotated[
    Programme.Status, WithJsonSchema(choices_schema(Programme.Status, "ProgrammeStatus"))
]
PhaseKind = Annotated[Phase.Kind, WithJsonSchema(choices_schema(Phase.Kind, "PhaseKind"))]
RecruitedVia = Annotated[
    Substitute.RecruitedVia, WithJsonSchema(choices_schema(Substitute.RecruitedVia, "SubstituteRecruitedVia"))
]
Benefit = Annotated[
    Substitute.Benefit, WithJsonSchema(choices_schema(Substitute.Benefit, "SubstituteBenefit"))
]
Outcome = Annotated[
    Substitute.Outcome, WithJsonSchema(choices_schema(Substitute.Outcome, "SubstituteOutcome"))
]
AppStatus = Annotated[
    Application.Status, WithJsonSchema(choices_schema(Application.Status, "ApplicationStatus"))
]
Key = Annotated[ParameterKey, WithJsonSchema(choices_schema(ParameterKey, "SchemeParameterKey"))]
Kind = Annotated[SchemeKind, WithJsonSchema(choices_schema(SchemeKind, "SchemeKind"))]


class ProgrammeIn(BodySchema):
    municipality_id: Id
    name: str = Field(min_length=1, max_length=200)
    purpose: str = Field("", max_length=5000)
    starts_on: Day | None = None
    ends_on: Day | None = None
    budget: Money = Decimal(0)
    status: ProgrammeStatus = Programme.Status.PLANNED


class PhaseOut(Schema):
    id: int
    name: str
    kind: str
    position: int
    starts_on: datetime.date
    ends_on: datetime.date
    campaign_id: int | None
    cohort_ids: list[int]
    funding_scheme_id: int | None


class ProgrammeOut(Schema):
    id: int
    municipality_id: int
    name: str
    purpose: str
    status: str
    starts_on: datetime.date
    ends_on: datetime.date
    budget: Decimal
    participants: int


class ProgrammeDetailOut(ProgrammeOut):
    phases: list[PhaseOut]
    manages: bool


class PhaseIn(BodySchema):
    name: str = Field(min_length=1, max_length=200)
    kind: PhaseKind = Phase.Kind.COURSE
    starts_on: Day | None = None
    ends_on: Day | None = None
    cohort_ids: list[Id] = Field(default_factory=list, max_length=200)
    funding_scheme_id: Id | None = None


class ParticipantsIn(BodySchema):
    employee_ids: list[Id] = Field(default_factory=list, max_length=5000)
    phase_ids: list[Id] = Field(default_factory=list, max_length=50)


class ParticipantOut(Schema):
    id: int
    employee_id: int
    employee_name: str | None


class SubstituteIn(BodySchema):
    name: str = Field(min_length=1, max_length=200)
    email: str = Field("", max_length=254)
    unit_id: Id
    manager_id: Id | None = None
    recruited_via: RecruitedVia = Substitute.RecruitedVia.JOBCENTER
    unemployment_months: Hours = Decimal(0)
    benefit: Benefit = Substitute.Benefit.DAGPENGE
    starts_on: Day | None = None
    ends_on: Day | None = None
    hours_per_week: Hours | None = None
    hourly_wage: Money = Decimal(0)
    outcome: Outcome = Substitute.Outcome.UNKNOWN


class SubstituteOut(Schema):
    id: int
    name: str
    email: str
    recruited_via: str
    unemployment_months: Decimal
    benefit: str
    starts_on: datetime.date
    ends_on: datetime.date
    hours_per_week: Decimal
    unit_id: int
    manager_id: int | None
    outcome: str


class OutcomeIn(BodySchema):
    outcome: Outcome


class PlacementIn(BodySchema):
    substitute_id: Id
    participant_ids: list[Id] = Field(default_factory=list, max_length=200)
    starts_on: Day | None = None
    ends_on: Day | None = None
    hours_per_week: Hours | None = None
    unit_id: Id | None = None
    scheme_id: Id | None = None


class PlacementOut(Schema):
    id: int
    substitute_id: int
    unit_id: int
    participant_ids: list[int]
    starts_on: datetime.date
    ends_on: datetime.date
    hours_per_week: Decimal
    scheme_id: int | None


class ApplicationIn(BodySchema):
    scheme_id: Id
    title: str = Field(min_length=1, max_length=200)
    participant_id: Id | None = None
    phase_id: Id | None = None
    people: int = Field(1, ge=1, le=100000)
    master: bool = False
    education_starts_on: Day | None = None
    education_ends_on: Day | None = None
    eligible_costs: Money | None = None
    case_number: str = Field("", max_length=50)
    documents: str = Field("", max_length=5000)


class ApplicationMoveIn(BodySchema):
    status: AppStatus
    on: Day | None = None
    amount: Money | None = None


class ApplicationOut(Schema):
    id: int
    scheme_id: int
    title: str
    status: str
    participant_id: int | None
    people: int
    education_starts_on: datetime.date
    eligible_costs: Decimal
    granted_amount: Decimal | None
    paid_amount: Decimal | None
    submitted_on: datetime.date | None


class ParameterOut(Schema):
    id: int
    key: str
    value: Decimal
    valid_from: datetime.date
    valid_to: datetime.date | None
    source: str


class SchemeOut(Schema):
    id: int
    kind: str
    name: str
    description: str
    eligibility: str
    source: str
    parameters: list[ParameterOut]


class ParameterIn(BodySchema):
    key: Key
    value: Money | None = None
    valid_from: Day | None = None
    valid_to: Day | None = None
    source: str = Field(min_length=1, max_length=500)


class ReportOut(Schema):
    programme: str
    placements: list[dict[str, Any]]
    ydelse_total: float | None
    applications: list[dict[str, Any]]
    warnings: list[str]
    phases: list[dict[str, Any]]
    money: dict[str, Any]
    unit_weeks: list[dict[str, Any]]
    outcomes: dict[str, Any]
    participants: int
    substitutes: int
    names_shown: bool


__all__ = ["Kind"]
