"""The API's input and output shapes for learning."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema

from kapabel.core.api_schema import BodySchema
from kapabel.learning.models import Cohort, Level, OfferKind, Provider


class ProviderOut(Schema):
    id: int
    municipality_id: int
    name: str
    kind: str
    external_id: str


class ProviderIn(BodySchema):
    municipality_id: int
    name: str = Field(min_length=1, max_length=200)
    kind: Provider.Kind = Provider.Kind.EXTERNAL
    external_id: str = ""


class OfferOut(Schema):
    id: int
    municipality_id: int
    provider_id: int
    provider_name: str
    title: str
    kind: str
    category_id: int | None
    level: str
    qf_level: int | None
    ects: Decimal | None
    teaching_days: Decimal | None
    hours: Decimal | None
    weeks_full_time: Decimal | None
    price_per_participant: Decimal
    requires_hr_approval: bool
    eligible_schemes: list[str]
    external_id: str
    active: bool

    @staticmethod
    def resolve_provider_name(obj: Any) -> str:
        provider = obj["provider"] if isinstance(obj, dict) else obj.provider
        return str(provider.name)


class OfferCompetenceOut(Schema):
    competence_id: int
    expected_gain: int


class EducationModuleOut(Schema):
    module_id: int
    obligatory: bool
    position: int


class OfferDetailOut(OfferOut):
    description: str
    merit_limit_ects: Decimal
    completion_years: int
    prerequisite_ids: list[int]
    competences: list[OfferCompetenceOut]
    modules: list[EducationModuleOut]


class OfferIn(BodySchema):
    provider_id: int
    title: str = Field(min_length=1, max_length=300)
    kind: OfferKind = OfferKind.COURSE
    category_id: int | None = None
    level: Level = Level.NONE
    qf_level: int | None = None
    ects: Decimal | None = None
    teaching_days: Decimal | None = None
    hours: Decimal | None = None
    weeks_full_time: Decimal | None = None
    price_per_participant: Decimal = Decimal("0")
    description: str = ""
    external_id: str = ""
    eligible_schemes: list[str] = []
    requires_hr_approval: bool = False


class SessionOut(Schema):
    id: int
    cohort_id: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    place: str
    online: bool
    online_url: str
    room_id: int | None
    sequence: int


class SessionIn(BodySchema):
    # Checked by the view after the permission-checked fetch (a stranger gets 404, not a 422 that
    # would confirm the cohort exists).
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    place: str = ""
    online: bool = False
    online_url: str = ""
    room_id: int | None = None


class CohortOut(Schema):
    id: int
    offer_id: int
    title: str = Field(alias="display_title")
    code: str
    capacity: int
    min_size: int
    status: str
    registration_opens: datetime.datetime | None
    registration_closes: datetime.datetime | None
    cancellation_cutoff: datetime.datetime | None
    starts_at: datetime.datetime | None = Field(alias="first_starts_at")
    ends_at: datetime.datetime | None = Field(alias="last_ends_at")


class CohortDetailOut(CohortOut):
    booked: int
    waitlisted: int
    pending: int
    sessions: list[SessionOut]


class CohortIn(BodySchema):
    offer_id: int
    capacity: int = Field(ge=1)
    code: str = ""
    title: str = ""
    min_size: int = Field(0, ge=0)
    registration_opens: datetime.datetime | None = None
    registration_closes: datetime.datetime | None = None
    cancellation_cutoff: datetime.datetime | None = None
    status: Cohort.Status = Cohort.Status.PLANNED
    sessions: list[SessionIn] = []


class CohortPatch(BodySchema):
    status: Cohort.Status | None = None
    cancel_reason: str | None = None
    code: str | None = None
    title: str | None = None
    capacity: int | None = Field(None, ge=1)
    min_size: int | None = Field(None, ge=0)
    registration_opens: datetime.datetime | None = None
    registration_closes: datetime.datetime | None = None
    cancellation_cutoff: datetime.datetime | None = None


class EnrolIn(BodySchema):
    employee_id: int
    note: str = ""


class BulkEnrolIn(BodySchema):
    cohort_id: int
    employee_ids: list[int] = []


class BulkEnrolOut(Schema):
    booked: list[int]
    waitlisted: list[int]
    awaiting_hr: list[int]
    skipped: list[int]


class EnrolmentOut(Schema):
    id: int
    cohort_id: int
    employee_id: int
    status: str
    queued_at: datetime.datetime | None
    ects_earned: Decimal | None
    version: int
    created_at: datetime.datetime


class HistoryOut(Schema):
    from_status: str
    to_status: str
    actor_label: str
    at: datetime.datetime
    reason: str


class EnrolmentDetailOut(EnrolmentOut):
    history: list[HistoryOut]


class TransitionIn(BodySchema):
    action: Literal["approve", "decline", "cancel", "complete", "fail"]
    reason: str = ""
    version: int | None = Field(None, description="The version you saw; refused if someone changed it since.")
    ects_earned: Decimal | None = Field(None, description="For complete: default the offer's ECTS.")


class AttendanceIn(BodySchema):
    marks: dict[int, str] = Field(
        default_factory=dict, description="{enrolment id: present | partial | absent}"
    )


class AttendanceOut(Schema):
    session_id: int
    enrolment_id: int
    status: str


class InterestIn(BodySchema):
    employee_id: int
    note: str = ""


class InterestOut(Schema):
    id: int
    offer_id: int
    employee_id: int
    created_at: datetime.datetime


class EvidenceOut(Schema):
    id: int
    employee_id: int
    competence_id: int
    level: int
    enrolment_id: int | None
    activity_id: int | None
    created_at: datetime.datetime
    confirmed_at: datetime.datetime | None
    rating_id: int | None


class EvidenceConfirmIn(BodySchema):
    confirmed: bool = True
    level: int | None = Field(None, ge=1)
    comment: str = ""
