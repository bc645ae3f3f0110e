"""The per-person summary behind the coverage figures (`Summary`), recomputed from the dialogues,
plans and follow-ups by `refresh` — the one writer, called at the end of every service that changes
one of them (inside its transaction)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Max, Min

from kapabel.dialogues.models import Dialogue, DialogueState, FollowUp, Plan, Summary

# An agreed plan without an end date is current until a newer one is agreed.
OPEN_END = datetime.date(9999, 12, 31)


def refresh(employee_ids: Iterable[int]) -> None:
    ids = sorted(set(employee_ids))
    for start in range(0, len(ids), 500):
        _refresh(ids[start : start + 500])


def _refresh(ids: list[int]) -> None:
    held = dict(
        Dialogue.objects.filter(employee_id__in=ids, state=DialogueState.HELD, held_at__isnull=False)
        .values("employee_id")
        .annotate(last=Max("held_at"))
        .values_list("employee_id", "last")
    )
    requests = dict(
        Dialogue.objects.filter(employee_id__in=ids, requested_at__isnull=False)
        .exclude(state__in=[DialogueState.HELD, DialogueState.CANCELLED])
        .values("employee_id")
        .annotate(since=Min("requested_at"))
        .values_list("employee_id", "since")
    )
    plans: dict[int, datetime.date] = {}
    for employee_id, ends_on in Plan.objects.filter(
        employee_id__in=ids, status=Plan.Status.ACTIVE, agreed_version__isnull=False
    ).values_list("employee_id", "ends_on"):
        plans[employee_id] = max(plans.get(employee_id, datetime.date.min), ends_on or OPEN_END)
    follow_ups = dict(
        FollowUp.objects.filter(
            plan__employee_id__in=ids,
            plan__status=Plan.Status.ACTIVE,
            plan__agreed_version__isnull=False,
            done_at__isnull=True,
        )
        .values("plan__employee_id")
        .annotate(first=Min("due_on"))
        .values_list("plan__employee_id", "first")
    )
    Summary.objects.filter(employee_id__in=ids).delete()
    Summary.objects.bulk_create(
        [
            Summary(
                employee_id=pk,
                last_held_at=held.get(pk),
                plan_agreed_until=plans.get(pk),
                follow_up_due_on=follow_ups.get(pk),
                open_request_since=requests.get(pk),
            )
            for pk in ids
            if pk in held or pk in requests or pk in plans or pk in follow_ups
        ]
    )
