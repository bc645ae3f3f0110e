"""E-mails for enrolment status moves: the request received, approval needed (to the nearest managers
or to HR), approved by the manager, booked (with the invitation), on the waiting list, promoted from
it (with the invitation), declined or withdrawn, cancelled by the person or with the cohort (with the
cancellation when the person held a place). Set-based: a bulk booking of 112 people costs a fixed
number of queries, not 112 times as many."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kapabel.learning import calendar
from kapabel.learning.models import PENDING_STATUSES, EnrolmentStatus, EnrolmentStatusChange
from kapabel.learning.notifications import recipients
from kapabel.learning.notifications.compose import compose
from kapabel.learning.notifications.delivery import Outgoing, deliver

S = EnrolmentStatus


@dataclass(frozen=True)
class Notice:
    kind: str
    audience: str  # "person", "managers" or "hr"
    method: str = ""  # REQUEST / CANCEL: attach the sessions as an invitation or cancellation
    extra: tuple[tuple[str, Any], ...] = ()


def notices(change: EnrolmentStatusChange) -> list[Notice]:
    """What a move is worth telling, and to whom."""
    before, after = change.from_status, change.to_status
    enrolment = change.enrolment
    approved = before in PENDING_STATUSES and before != S.REQUESTED
    if after == S.AWAITING_MANAGER:
        return [
            Notice("approval_needed", "managers", extra=(("step", "manager"),)),
            Notice("request", "person", extra=(("step", "manager"),)),
        ]
    if after == S.AWAITING_HR:
        person = (
            Notice("approved", "person")
            if before == S.AWAITING_MANAGER
            else Notice("request", "person", extra=(("step", "hr"),))
        )
        return [Notice("approval_needed", "hr", extra=(("step", "hr"),)), person]
    if after == S.BOOKED:
        kind = "promoted" if before == S.WAITLISTED else "booked"
        return [Notice(kind, "person", "REQUEST", extra=(("approved", approved),))]
    if after == S.WAITLISTED:
        return [Notice("waitlisted", "person", extra=(("approved", approved),))]
    had_place = before == S.BOOKED
    method = "CANCEL" if had_place else ""
    if after == S.DECLINED:
        kind = "withdrawn" if before in (S.BOOKED, S.WAITLISTED) else "declined"
        return [Notice(kind, "person", method)]
    if after == S.CANCELLED_BY_PERSON:
        own = change.actor_id is not None and change.actor_id == enrolment.employee.user_id
        return [
            Notice("cancelled", "person", method, extra=(("by_other", not own), ("had_place", had_place)))
        ]
    if after == S.CANCELLED_BY_COHORT:
        return [Notice("cohort_cancelled", "person", method, extra=(("had_place", had_place),))]
    return []  # "" -> requested (the routing move follows), attendance and results


def notify_status_changes(change_ids: Iterable[int]) -> list[Outgoing]:
    """Send the e-mails for these status moves (after their transaction committed)."""
    changes = list(
        EnrolmentStatusChange.objects.filter(pk__in=list(change_ids))
        .select_related("enrolment__employee__unit", "enrolment__cohort__offer__provider")
        .order_by("at", "id")
    )
    planned = [(change, notice) for change in changes for notice in notices(change)]
    if not planned:
        return []
    enrolments = {change.enrolment_id: change.enrolment for change, _notice in planned}
    employees = {e.employee_id: e.employee for e in enrolments.values()}
    cohort_ids = {e.cohort_id for e in enrolments.values()}
    audience: dict[str, dict[int, Any]] = {"managers": {}, "hr": {}, "person": {}}
    for change, notice in planned:
        audience[notice.audience][change.enrolment.employee_id] = change.enrolment.employee
    managers = recipients.nearest_managers(audience["managers"].values()) if audience["managers"] else {}
    hr = recipients.hr_approvers(audience["hr"].values()) if audience["hr"] else {}
    chosen = recipients.languages(employees)
    sessions = calendar.sessions_by_cohort(cohort_ids)
    moves = calendar.personal_moves(employees, cohort_ids)

    outgoing: list[Outgoing] = []
    cache: dict[Any, Any] = {}
    for change, notice in planned:
        enrolment = change.enrolment
        employee = enrolment.employee
        cohort_sessions = sessions.get(enrolment.cohort_id, [])
        if cohort_sessions:
            enrolment.cohort = cohort_sessions[0].cohort
        if notice.audience == "person":
            found = recipients.person(employee, chosen)
            targets = [found] if found is not None else []
        elif notice.audience == "managers":
            targets = managers.get(employee.pk, [])
        else:
            targets = hr.get(employee.pk, [])
        for recipient in targets:
            outgoing.append(
                compose(
                    notice.kind,
                    recipient,
                    key=f"{notice.kind}:{change.pk}",
                    enrolment=enrolment,
                    sessions=cohort_sessions,
                    moves=moves.get((employee.pk, enrolment.cohort_id), 0),
                    change=change,
                    method=notice.method,
                    extra=dict(notice.extra),
                    cache=cache,
                )
            )
    return deliver(outgoing)
