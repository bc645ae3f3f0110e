"""The API's input and output shapes for dialogues and plans. Required dates and times are optional
in the shapes and checked by the operation, so that a request for something the caller may not see
answers 404 before its body is judged."""

from __future__ import annotations

import datetime
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import WithJsonSchema

from kapabel.core.api_schema import BodySchema, Id, choices_schema
from kapabel.dialogues.models import Cycle, PlanActivity, PlanGoal

TEXT_MAX = 20000

CycleKind = Annotated[Cycle.Kind, WithJsonSchema(choices_schema(Cycle.Kind, "CycleKind"))]
CycleSchedule = Annotated[Cycle.Schedule, WithJsonSchema(choices_schema(Cycle.Schedule, "CycleSchedule"))]
ActivityKind = Annotated[PlanActivity.Kind, WithJsonSchema(choices_schema(PlanActivity.Kind, "ActivityKind"))]
Responsible = Annotated[
    PlanActivity.Responsible, WithJsonSchema(choices_schema(PlanActivity.Responsible, "ActivityResponsible"))
]
GoalStatus = Annotated[PlanGoal.Status, WithJsonSchema(choices_schema(PlanGoal.Status, "GoalStatus"))]


class CycleQuestionIn(BodySchema):
    da: str = Field("", max_length=500)
    en: str = Field("", max_length=500)


class CycleQuestionOut(Schema):
    key: str
    da: str
    en: str


class CycleIn(BodySchema):
    unit_id: Id
    name: str = Field(min_length=1, max_length=200)
    kind: CycleKind = Cycle.Kind.INDIVIDUAL
    schedule: CycleSchedule = Cycle.Schedule.FIXED
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None
    include_subtree: bool = True
    window_days: int = Field(30, ge=0, le=365)
    follow_up_months: int = Field(6, ge=1, le=36)
    questions: list[CycleQuestionIn] = Field(default_factory=list, max_length=30)


class CycleOut(Schema):
    id: int
    municipality_id: int
    unit_id: int
    unit_name: str
    include_subtree: bool
    name: str
    kind: str
    schedule: str
    starts_on: datetime.date
    ends_on: datetime.date
    window_days: int
    follow_up_months: int
    status: str
    dialogue_count: int
    questions: list[CycleQuestionOut]

    @staticmethod
    def resolve_unit_name(obj: Any) -> str:
        return str(obj.unit.name)


class CycleDetailOut(CycleOut):
    status_counts: dict[str, int] = Field(description="People you may see, by status.")


class DialogueOut(Schema):
    id: int
    employee_id: int
    employee_name: str
    cycle_id: int | None
    kind: str
    group_id: int | None
    state: str
    status: str = Field(
        description="not_booked, booked, held, plan_agreed, follow_up_due, overdue or cancelled"
    )
    window_opens: datetime.date
    due_on: datetime.date
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime | None
    place: str
    manager_id: int | None
    requested_at: datetime.datetime | None
    held_at: datetime.datetime | None
    version: int

    @staticmethod
    def resolve_employee_name(obj: Any) -> str:
        return str(obj["employee_name"] if isinstance(obj, dict) else obj.employee.name)

    @staticmethod
    def resolve_status(obj: Any) -> str:
        if isinstance(obj, dict):
            return str(obj["status"])
        from kapabel.dialogues.selectors import status_of

        return status_of(obj)


class DialoguePreparationOut(Schema):
    side: str
    mine: bool
    notes: str
    answers: dict[str, str]
    shared: bool
    updated_at: datetime.datetime | None


class AgreedLevelOut(Schema):
    competence_id: int
    level: int
    rating_id: int


class DialogueDetailOut(DialogueOut):
    content_visible: bool = Field(
        description="False for readers who see that the dialogue exists but not what was said (HR)."
    )
    notes: str | None
    agreements: str | None
    agreed_levels: list[AgreedLevelOut] | None
    preparations: list[DialoguePreparationOut] = Field(
        description="Your own, and those the other party shared."
    )
    questions: list[CycleQuestionOut]
    plan_ids: list[int] | None


class DialoguePreparationIn(BodySchema):
    notes: str = Field("", max_length=TEXT_MAX)
    shared: bool = False
    answers: dict[str, str] = Field(default_factory=dict)


class DialogueBookingIn(BodySchema):
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    place: str = Field("", max_length=200)
    version: int | None = Field(None, ge=0, description="The version you saw (optimistic locking).")


class AgreedLevelIn(BodySchema):
    competence_id: Id
    level: int = Field(ge=1, le=100)


class DialogueRecordIn(BodySchema):
    notes: str = Field("", max_length=TEXT_MAX)
    agreements: str = Field("", max_length=TEXT_MAX)
    levels: list[AgreedLevelIn] = Field(default_factory=list, max_length=200)
    held_at: datetime.datetime | None = None
    version: int | None = Field(None, ge=0)


class DialogueRequestIn(BodySchema):
    employee_id: Id
    note: str = Field("", max_length=2000)


class DialogueConsentIn(BodySchema):
    employee_id: Id
    new_manager_may_read: bool


class DialogueConsentOut(Schema):
    employee_id: int | None
    new_manager_may_read: bool


class CoverageRowOut(Schema):
    unit_id: int
    unit_name: str
    employees: int | None
    held_last_12_months: int | None
    current_plans: int | None
    overdue_follow_ups: int | None
    open_requests: int | None
    held_share: float | None
    plan_share: float | None
    suppressed: bool


class CoverageTrendOut(Schema):
    year: int
    held: int | None


class CoverageOut(CoverageRowOut):
    minimum_group: int = Field(description="Groups smaller than this are suppressed for you (0: none are).")
    units: list[CoverageRowOut]
    trend: list[CoverageTrendOut]


class PlanIn(BodySchema):
    employee_id: Id
    dialogue_id: Id | None = None
    title: str = Field("", max_length=200)
    starts_on: datetime.date | None = None
    ends_on: datetime.date | None = None


class PlanOut(Schema):
    id: int
    employee_id: int
    dialogue_id: int | None
    title: str
    starts_on: datetime.date
    ends_on: datetime.date | None
    status: str
    version: int
    content_version: int
    agreed_version: int | None
    employee_confirmed_version: int | None
    manager_confirmed_version: int | None
    is_agreed: bool


class PlanGoalOut(Schema):
    id: int
    title: str
    competence_id: int | None
    target_level: int | None
    due_on: datetime.date | None
    status: str


class PlanActivityOut(Schema):
    id: int
    goal_id: int | None
    kind: str
    title: str
    enrolment_id: int | None
    internal_activity_id: int | None
    responsible: str
    due_on: datetime.date | None
    status: str = Field(description="A booking's status follows the booking.")


class PlanFollowUpOut(Schema):
    id: int
    due_on: datetime.date
    done_at: datetime.datetime | None
    note: str


class PlanVersionOut(Schema):
    number: int
    created_at: datetime.datetime
    agreed_at: datetime.datetime | None


class PlanDetailOut(PlanOut):
    goals: list[PlanGoalOut]
    activities: list[PlanActivityOut]
    follow_ups: list[PlanFollowUpOut]
    versions: list[PlanVersionOut]


class PlanGoalIn(BodySchema):
    title: str = Field("", max_length=300)
    competence_id: Id | None = None
    target_level: int | None = Field(None, ge=1, le=100)
    due_on: datetime.date | None = None
    version: int | None = Field(None, ge=0)


class PlanGoalPatch(BodySchema):
    status: GoalStatus | None = None
    version: int | None = Field(None, ge=0)


class PlanActivityIn(BodySchema):
    title: str = Field("", max_length=300)
    kind: ActivityKind = PlanActivity.Kind.ON_THE_JOB
    goal_id: Id | None = None
    enrolment_id: Id | None = None
    internal_activity_id: Id | None = None
    responsible: Responsible = PlanActivity.Responsible.EMPLOYEE
    due_on: datetime.date | None = None
    version: int | None = Field(None, ge=0)


class PlanConfirmIn(BodySchema):
    version: int | None = Field(None, ge=0, description="The plan version you confirm (required).")
