"""Derived statuses: a person's status in a cycle, and a plan activity's status (a booking follows
the enrolment, an internal learning activity its own state)."""

from __future__ import annotations

import datetime

from kapabel.dialogues.models import DialogueState, PersonStatus, PlanActivity
from kapabel.learning.models import ENDED_STATUSES, EnrolmentStatus, InternalActivity

A = PlanActivity.Status
S = EnrolmentStatus

ENROLMENT_TO_ACTIVITY: dict[str, str] = {
    S.REQUESTED: A.PLANNED,
    S.AWAITING_MANAGER: A.PLANNED,
    S.AWAITING_HR: A.PLANNED,
    S.BOOKED: A.PLANNED,
    S.WAITLISTED: A.PLANNED,
    S.ATTENDED_FULL: A.IN_PROGRESS,
    S.ATTENDED_PARTIAL: A.IN_PROGRESS,
    S.NO_SHOW: A.IN_PROGRESS,
    S.COMPLETED: A.DONE,
    S.FAILED: A.CANCELLED,
    **{status: A.CANCELLED for status in ENDED_STATUSES},
}
INTERNAL_TO_ACTIVITY: dict[str, str] = {
    InternalActivity.Status.PLANNED: A.PLANNED,
    InternalActivity.Status.ACTIVE: A.IN_PROGRESS,
    InternalActivity.Status.COMPLETED: A.DONE,
    InternalActivity.Status.CANCELLED: A.CANCELLED,
}


def activity_status(activity: PlanActivity) -> str:
    """The activity's status: the booking's or the internal activity's when it is one."""
    if activity.enrolment_id is not None and activity.enrolment is not None:
        return ENROLMENT_TO_ACTIVITY.get(activity.enrolment.status, A.PLANNED)
    if activity.internal_activity_id is not None and activity.internal_activity is not None:
        return INTERNAL_TO_ACTIVITY.get(activity.internal_activity.status, A.PLANNED)
    return activity.status


def person_status(
    *,
    state: str,
    due_on: datetime.date,
    today: datetime.date,
    plan_agreed: bool = False,
    follow_up_due: bool = False,
) -> str:
    """not booked, booked, held, plan agreed, follow-up due, overdue (or cancelled)."""
    if state == DialogueState.CANCELLED:
        return PersonStatus.CANCELLED
    if state == DialogueState.HELD:
        if follow_up_due:
            return PersonStatus.FOLLOW_UP_DUE
        return PersonStatus.PLAN_AGREED if plan_agreed else PersonStatus.HELD
    if due_on < today:
        return PersonStatus.OVERDUE
    return PersonStatus.BOOKED if state == DialogueState.BOOKED else PersonStatus.NOT_BOOKED
