"""One learning e-mail: subject, text and HTML in the recipient's language, and for a booking its
iCalendar invitation or cancellation (the same UIDs and SEQUENCE as the person's calendar feed)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kapabel.learning import calendar
from kapabel.learning.models import Enrolment, EnrolmentStatusChange, Session
from kapabel.learning.notifications.delivery import Outgoing, address_key, render
from kapabel.learning.notifications.recipients import Recipient

SUBJECTS = {
    "request": gettext_lazy("Request received: %(title)s"),
    "approval_needed": gettext_lazy("Approval needed: %(person)s on %(title)s"),
    "approved": gettext_lazy("Approved by the manager: %(title)s"),
    "booked": gettext_lazy("Booked: %(title)s"),
    "waitlisted": gettext_lazy("On the waiting list: %(title)s"),
    "promoted": gettext_lazy("You have a place: %(title)s"),
    "declined": gettext_lazy("Not approved: %(title)s"),
    "withdrawn": gettext_lazy("Your place has been withdrawn: %(title)s"),
    "cancelled": gettext_lazy("Cancelled: %(title)s"),
    "cohort_cancelled": gettext_lazy("The cohort has been cancelled: %(title)s"),
    "reminder": gettext_lazy("Reminder: %(title)s starts %(date)s"),
    "changed": gettext_lazy("Changed dates or place: %(title)s"),
}
# E-mails whose calendar (sessions, times) the recipient now holds; a later change compares with it.
CALENDAR_KINDS = ("booked", "promoted", "reminder", "changed")


def when(value: Any) -> str:
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else ""


def session_lines(sessions: Sequence[Session]) -> list[str]:
    lines = []
    for session in sessions:
        start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
        until = (
            formats.time_format(end)
            if start.date() == end.date()
            else formats.date_format(end, "DATETIME_FORMAT")
        )
        span = _("%(start)s to %(end)s") % {
            "start": formats.date_format(start, "DATETIME_FORMAT"),
            "end": until,
        }
        place = calendar.location(session)
        lines.append(_("%(when)s, %(place)s") % {"when": span, "place": place} if place else span)
    return lines


def fingerprint(sessions: Sequence[Session]) -> str:
    """What a calendar shows of the sessions (title, times, place); equal fingerprints need no e-mail."""
    parts = [
        "|".join(
            (
                str(s.pk),
                s.cohort.display_title,
                s.starts_at.isoformat(),
                s.ends_at.isoformat(),
                calendar.location(s),
                s.online_url,
            )
        )
        for s in sessions
    ]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def calendar_data(sessions: Sequence[Session], moves: int) -> dict[str, Any]:
    return {
        "fingerprint": fingerprint(sessions),
        "sessions": [
            [s.pk, s.starts_at.isoformat(), s.ends_at.isoformat(), s.sequence + s.cohort.sequence + moves]
            for s in sessions
        ],
    }


def compose(
    kind: str,
    recipient: Recipient,
    *,
    key: str,
    enrolment: Enrolment,
    sessions: Sequence[Session],
    moves: int,
    change: EnrolmentStatusChange | None = None,
    method: str = "",
    extra: dict[str, Any] | None = None,
    removed: Sequence[calendar.CalendarEvent] = (),
    cache: dict[Any, Any] | None = None,
) -> Outgoing:
    """The e-mail of `kind` about `enrolment` to `recipient`; `method` REQUEST or CANCEL attaches the
    enrolment's sessions as an invitation or cancellation (`removed`: sessions deleted since the
    recipient's last invitation, sent as a cancellation). `cache`, shared by the e-mails of one
    batch, keeps what is the same for everyone on a cohort (date lines, the serialised calendar)."""
    cache = {} if cache is None else cache
    cohort = enrolment.cohort
    offer = cohort.offer
    employee = enrolment.employee
    with translation.override(recipient.language):
        first = when(sessions[0].starts_at) if sessions else when(cohort.first_starts_at)
        lines_key = ("lines", cohort.pk, recipient.language)
        if lines_key not in cache:
            cache[lines_key] = session_lines(sessions)
        lines = cache[lines_key]
        subject = str(
            SUBJECTS[kind] % {"title": cohort.display_title, "person": employee.name, "date": first}
        )
        context = {
            "name": recipient.name,
            "person": employee.name,
            "title": cohort.display_title,
            "offer": offer.title,
            "provider": offer.provider.name if offer.provider_id else "",
            "first_start": first,
            "sessions": lines,
            "reason": change.reason if change is not None else "",
            "cutoff": when(cohort.cancellation_cutoff),
            "cohort_reason": cohort.cancel_reason,
            **(extra or {}),
        }
        text, html = render(kind, recipient, context, subject)
        calendars: list[tuple[str, bytes]] = []
        attendee = (employee.email or recipient.email, employee.name)
        if method and sessions:
            status = calendar.CANCELLED if method == "CANCEL" else calendar.CONFIRMED
            shared = ("ics", cohort.pk, recipient.language, method, moves, enrolment.status)
            if shared not in cache:
                events = calendar.enrolment_events(enrolment, sessions, moves, status=status)
                cache[shared] = calendar.to_ical(events, method=method)
            body = calendar.with_attendee(cache[shared], *attendee, cancelled=status == calendar.CANCELLED)
            calendars.append((method, body))
        if removed:
            calendars.append(("CANCEL", calendar.to_ical(removed, method="CANCEL", attendee=attendee)))
    data: dict[str, Any] = {}
    if kind in CALENDAR_KINDS:
        data_key = ("data", cohort.pk, moves)
        if data_key not in cache:
            cache[data_key] = calendar_data(sessions, moves)
        data = cache[data_key]
    return Outgoing(
        key=f"{key}:{address_key(recipient.email)}",
        kind=kind,
        recipient=recipient,
        subject=subject,
        text=text,
        html=html,
        calendars=calendars,
        enrolment_id=enrolment.pk,
        data=data,
    )
