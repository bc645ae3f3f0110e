"""Reminders before a cohort starts, and the e-mail when a booked cohort's dates or place change."""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.utils import timezone

from kapabel.learning import calendar
from kapabel.learning.models import Cohort, Enrolment, EnrolmentStatus, LearningSettings, NotificationLog
from kapabel.learning.notifications import recipients
from kapabel.learning.notifications.compose import CALENDAR_KINDS, compose, fingerprint
from kapabel.learning.notifications.delivery import Outgoing, address_key, deliver

DEFAULT_REMINDER_DAYS = LearningSettings._meta.get_field("reminder_days_before").get_default()
LIVE_COHORT = (Cohort.Status.PLANNED, Cohort.Status.OPEN, Cohort.Status.FULL, Cohort.Status.RUNNING)


def reminders_send(*, now: datetime.datetime | None = None) -> list[Outgoing]:
    """Remind everyone booked on a cohort whose first session starts within the municipality's
    `reminder_days_before` days (counted in calendar days, today included). Idempotent: each booking
    is reminded once per first start date (a moved start is reminded again), however often this runs."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    days = dict(LearningSettings.objects.values_list("municipality_id", "reminder_days_before"))
    widest = max([DEFAULT_REMINDER_DAYS, *days.values()])
    horizon = timezone.make_aware(
        datetime.datetime.combine(today + datetime.timedelta(days=widest + 1), datetime.time.min)
    )
    candidates = []
    for enrolment in (
        Enrolment.objects.filter(
            status=EnrolmentStatus.BOOKED,
            cohort__status__in=LIVE_COHORT,
            cohort__first_starts_at__gt=now,
            cohort__first_starts_at__lt=horizon,
        )
        .select_related("employee__unit", "cohort__offer__provider")
        .order_by("cohort__first_starts_at", "id")
    ):
        first = timezone.localdate(enrolment.cohort.first_starts_at)
        allowed = days.get(enrolment.cohort.offer.municipality_id, DEFAULT_REMINDER_DAYS)
        if (first - today).days <= allowed:
            candidates.append((enrolment, f"reminder:{enrolment.pk}:{first.isoformat()}"))
    if not candidates:
        return []
    done = set(
        NotificationLog.objects.filter(
            kind="reminder", enrolment_id__in=[e.pk for e, _key in candidates]
        ).values_list("key", flat=True)
    )
    chosen = recipients.languages(e.employee_id for e, _key in candidates)
    cohort_ids = {e.cohort_id for e, _key in candidates}
    sessions = calendar.sessions_by_cohort(cohort_ids)
    moves = calendar.personal_moves({e.employee_id for e, _key in candidates}, cohort_ids)
    outgoing = []
    cache: dict[Any, Any] = {}
    for enrolment, key in candidates:
        recipient = recipients.person(enrolment.employee, chosen)
        if recipient is None:
            continue
        item_key = f"{key}:{address_key(recipient.email)}"
        if item_key in done:
            continue
        cohort_sessions = sessions.get(enrolment.cohort_id, [])
        if cohort_sessions:
            enrolment.cohort = cohort_sessions[0].cohort
        outgoing.append(
            compose(
                "reminder",
                recipient,
                key=key,
                enrolment=enrolment,
                sessions=cohort_sessions,
                moves=moves.get((enrolment.employee_id, enrolment.cohort_id), 0),
                method="REQUEST",
                cache=cache,
            )
        )
    return deliver(outgoing)


def notify_cohort_changed(cohort_id: int) -> list[Outgoing]:
    """Tell the booked whose calendar we filled (a booking, promotion, reminder or earlier change
    e-mail) that the sessions changed: an updated invitation, and a cancellation for sessions that
    were removed. Changes a calendar does not show (capacity, status) send nothing."""
    cohort = Cohort.objects.filter(pk=cohort_id).select_related("offer__provider").first()
    if cohort is None or cohort.status not in LIVE_COHORT:
        return []
    enrolments = list(
        Enrolment.objects.filter(cohort=cohort, status=EnrolmentStatus.BOOKED).select_related(
            "employee__unit"
        )
    )
    if not enrolments:
        return []
    last: dict[int, dict[str, Any]] = {}
    for enrolment_id, data in (
        NotificationLog.objects.filter(enrolment__in=enrolments, kind__in=CALENDAR_KINDS)
        .order_by("sent_at", "id")
        .values_list("enrolment_id", "data")
    ):
        last[enrolment_id] = data
    sessions = calendar.sessions_by_cohort([cohort.pk]).get(cohort.pk, [])
    current = fingerprint(sessions)
    changed = [e for e in enrolments if e.pk in last and last[e.pk].get("fingerprint") != current]
    if not changed:
        return []
    chosen = recipients.languages(e.employee_id for e in changed)
    moves = calendar.personal_moves({e.employee_id for e in changed}, [cohort.pk])
    present = {s.pk for s in sessions}
    outgoing = []
    cache: dict[Any, Any] = {}
    for enrolment in changed:
        recipient = recipients.person(enrolment.employee, chosen)
        if recipient is None:
            continue
        enrolment.cohort = cohort
        removed = _removed(last[enrolment.pk], present, cohort)
        outgoing.append(
            compose(
                "changed",
                recipient,
                key=f"changed:{enrolment.pk}:{cohort.sequence}:{current[:8]}",
                enrolment=enrolment,
                sessions=sessions,
                moves=moves.get((enrolment.employee_id, cohort.pk), 0),
                method="REQUEST" if sessions else "",
                removed=removed,
                cache=cache,
            )
        )
    return deliver(outgoing)


def _removed(data: dict[str, Any], present: set[int], cohort: Cohort) -> list[calendar.CalendarEvent]:
    """Cancellations for the sessions the recipient was sent that no longer exist."""
    gone = []
    by_id: dict[int, list[Any]] = defaultdict(list)
    for row in data.get("sessions", []):
        by_id[int(row[0])] = row
    for pk, (_pk, starts, ends, sequence) in sorted(by_id.items()):
        if pk in present:
            continue
        gone.append(
            calendar.CalendarEvent(
                uid=calendar.session_uid(pk),
                sequence=int(sequence) + 1,
                starts_at=datetime.datetime.fromisoformat(starts),
                ends_at=datetime.datetime.fromisoformat(ends),
                summary=cohort.display_title,
                status=calendar.CANCELLED,
            )
        )
    return gone
