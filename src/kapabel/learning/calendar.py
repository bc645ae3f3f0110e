"""iCalendar (RFC 5545) for learning: a person's feed, a cohort's feed, and the invitations and
cancellations attached to booking e-mails.

Every session is one event with a stable UID (`session-<pk>@kapabel`), the same in every feed and
e-mail, so a calendar that has it updates it in place. SEQUENCE only grows:

- in a cohort's feed it is `session.sequence + cohort.sequence` (the session services raise the
  first on every change of the session and the second on every change of the cohort's calendar);
- for a person it adds the number of status moves of their enrolments on that cohort (history rows
  are append-only), so their own booking, waiting-list place or cancellation is a new version too.

STATUS is CANCELLED when the cohort is cancelled or the person's enrolment has ended (cancelled or
declined), TENTATIVE while a request waits for approval or on the waiting list, else CONFIRMED.
Times are written in UTC (`...Z`), which every client reads without a VTIMEZONE."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from kapabel.learning.models import (
    ENDED_STATUSES,
    PENDING_STATUSES,
    CalendarFeed,
    Cohort,
    Enrolment,
    EnrolmentStatus,
    EnrolmentStatusChange,
    Facilitator,
    Session,
)
from kapabel.organisation.models import Employee

PRODID = "-//Kapabel//Learning//DA"
CONFIRMED, TENTATIVE, CANCELLED = "CONFIRMED", "TENTATIVE", "CANCELLED"
# A person's feed shows what ended up to this long ago (and everything ahead).
FEED_HISTORY = datetime.timedelta(days=400)


def session_uid(session_id: int) -> str:
    return f"session-{session_id}@kapabel"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    sequence: int
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    summary: str
    status: str
    location: str = ""
    description: str = ""
    last_modified: datetime.datetime | None = None


def enrolment_ical_status(status: str, cohort_status: str) -> str:
    if cohort_status == Cohort.Status.CANCELLED or status in ENDED_STATUSES:
        return CANCELLED
    if status in PENDING_STATUSES or status == EnrolmentStatus.WAITLISTED:
        return TENTATIVE
    return CONFIRMED


def _utc(value: datetime.datetime) -> datetime.datetime:
    return value.astimezone(datetime.UTC)


def to_ical(
    events: Iterable[CalendarEvent],
    *,
    method: str = "",
    name: str = "",
    attendee: tuple[str, str] | None = None,
) -> bytes:
    """The calendar as bytes. With a `method` (REQUEST or CANCEL, for e-mail) each event names the
    organiser (the sender address) and the `attendee` (e-mail, name), as iTIP asks."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    if method:
        cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    stamp = _utc(timezone.now())
    cancelled = False
    for item in events:
        event = Event()
        event.add("uid", item.uid)
        event.add("dtstamp", stamp)
        event.add("dtstart", _utc(item.starts_at))
        event.add("dtend", _utc(item.ends_at))
        event.add("sequence", item.sequence)
        event.add("status", item.status)
        event.add("summary", item.summary)
        if item.location:
            event.add("location", item.location)
        if item.description:
            event.add("description", item.description)
        if item.last_modified is not None:
            event.add("last-modified", _utc(item.last_modified))
        if method:
            organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
            organizer.params["cn"] = vText("Kapabel")
            event.add("organizer", organizer)
        cancelled = cancelled or item.status == CANCELLED
        cal.add_component(event)
    body = cal.to_ical()
    if attendee is not None:
        body = with_attendee(body, *attendee, cancelled=cancelled)
    return body


def with_attendee(body: bytes, email: str, name: str, *, cancelled: bool = False) -> bytes:
    """`body` with the attendee added to every event: one serialised calendar serves a whole group
    (a bulk booking of 112 people builds it once and adds each person's line)."""
    holder = Event()
    address = vCalAddress(f"mailto:{email}")
    address.params["cn"] = vText(name)
    address.params["role"] = vText("REQ-PARTICIPANT")
    address.params["partstat"] = vText("DECLINED" if cancelled else "ACCEPTED")
    holder.add("attendee", address, encode=False)
    raw = holder.to_ical()
    begin, end = b"BEGIN:VEVENT\r\n", b"END:VEVENT\r\n"
    line = raw[len(begin) : -len(end)]
    return body.replace(end, line + end)


# --- Events from the data ------------------------------------------------------------------------


def sessions_by_cohort(cohort_ids: Iterable[int]) -> dict[int, list[Session]]:
    """{cohort id: its sessions in order}, with cohort, offer, provider and room, in one query."""
    found: dict[int, list[Session]] = defaultdict(list)
    for session in (
        Session.objects.filter(cohort_id__in=list(cohort_ids))
        .select_related("cohort__offer__provider", "room")
        .order_by("cohort_id", "starts_at", "id")
    ):
        found[session.cohort_id].append(session)
    return found


def personal_moves(employee_ids: Iterable[int], cohort_ids: Iterable[int]) -> dict[tuple[int, int], int]:
    """{(employee id, cohort id): status moves of that person's enrolments on that cohort}."""
    rows = (
        EnrolmentStatusChange.objects.filter(
            enrolment__employee_id__in=list(employee_ids), enrolment__cohort_id__in=list(cohort_ids)
        )
        .values_list("enrolment__employee_id", "enrolment__cohort_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return {(employee_id, cohort_id): n for employee_id, cohort_id, n in rows}


def location(session: Session) -> str:
    parts = []
    if session.room is not None:
        parts.append(", ".join(p for p in (session.room.name, session.room.address) if p))
    elif session.place:
        parts.append(session.place)
    if session.online:
        parts.append(session.online_url or _("Online"))
    return " / ".join(parts)


def session_event(
    session: Session,
    *,
    number: int,
    count: int,
    sequence: int,
    status: str,
    teaching: bool = False,
    note: str = "",
) -> CalendarEvent:
    """One session as an event, its text in the active language."""
    cohort = session.cohort
    title = cohort.display_title
    if teaching:
        summary = _("Teaching: %(title)s") % {"title": title}
    elif count > 1:
        summary = _("%(title)s (session %(number)d of %(count)d)") % {
            "title": title,
            "number": number,
            "count": count,
        }
    else:
        summary = title
    lines = [cohort.offer.title]
    if cohort.offer.provider_id:
        lines.append(_("Provider: %(name)s") % {"name": cohort.offer.provider.name})
    if cohort.code:
        lines.append(_("Cohort: %(code)s") % {"code": cohort.code})
    if session.online and session.online_url:
        lines.append(_("Online: %(url)s") % {"url": session.online_url})
    if cohort.status == Cohort.Status.CANCELLED:
        lines.append(_("The cohort has been cancelled."))
    if note:
        lines.append(note)
    return CalendarEvent(
        uid=session_uid(session.pk),
        sequence=sequence,
        starts_at=session.starts_at,
        ends_at=session.ends_at,
        summary=summary,
        status=status,
        location=location(session),
        description="\n".join(lines),
        last_modified=max(session.updated_at, cohort.updated_at),
    )


def _numbered(sessions: Sequence[Session]) -> list[tuple[int, int, Session]]:
    return [(i, len(sessions), s) for i, s in enumerate(sessions, start=1)]


def cohort_events(cohort: Cohort) -> list[CalendarEvent]:
    """Every session of a cohort (CANCELLED when the cohort is)."""
    status = CANCELLED if cohort.status == Cohort.Status.CANCELLED else CONFIRMED
    sessions = sessions_by_cohort([cohort.pk]).get(cohort.pk, [])
    return [
        session_event(s, number=n, count=c, sequence=s.sequence + s.cohort.sequence, status=status)
        for n, c, s in _numbered(sessions)
    ]


def enrolment_events(
    enrolment: Enrolment,
    sessions: Sequence[Session],
    moves: int,
    *,
    status: str | None = None,
    since: datetime.datetime | None = None,
) -> list[CalendarEvent]:
    """The sessions of one person's enrolment (those ending after `since`); `status` overrides the
    one the enrolment implies (a booking e-mail is CONFIRMED, a cancellation CANCELLED, whatever
    happened since)."""
    cohort = sessions[0].cohort if sessions else enrolment.cohort
    ical_status = status or enrolment_ical_status(enrolment.status, cohort.status)
    note = _("Your status: %(status)s") % {"status": EnrolmentStatus(enrolment.status).label}
    return [
        session_event(
            s,
            number=n,
            count=c,
            sequence=s.sequence + s.cohort.sequence + moves,
            status=ical_status,
            note=note,
        )
        for n, c, s in _numbered(sessions)
        if since is None or s.ends_at >= since
    ]


def person_events(employee: Employee, *, now: datetime.datetime | None = None) -> list[CalendarEvent]:
    """A person's calendar: the sessions of the cohorts they are (or were) enrolled on, by their latest
    enrolment there, and the sessions they teach. Four queries whatever the number of rows."""
    since = (now or timezone.now()) - FEED_HISTORY
    latest: dict[int, Enrolment] = {}
    for enrolment in Enrolment.objects.filter(employee=employee, cohort__last_ends_at__gte=since).order_by(
        "cohort_id", "-id"
    ):
        latest.setdefault(enrolment.cohort_id, enrolment)
    whole: set[int] = set()  # cohorts they teach in full
    single: set[int] = set()  # single sessions they teach
    cohort_ids = set(latest)
    for cohort_id, session_id, session_cohort_id in Facilitator.objects.filter(employee=employee).values_list(
        "cohort_id", "session_id", "session__cohort_id"
    ):
        if cohort_id:
            whole.add(cohort_id)
            cohort_ids.add(cohort_id)
        else:
            single.add(session_id)
            cohort_ids.add(session_cohort_id)
    sessions = sessions_by_cohort(cohort_ids)
    moves = personal_moves([employee.pk], list(latest))
    events: list[CalendarEvent] = []
    for cohort_id, cohort_sessions in sessions.items():
        mine = latest.get(cohort_id)
        if mine is not None:
            mine.cohort = cohort_sessions[0].cohort
            moved = moves.get((employee.pk, cohort_id), 0)
            events += enrolment_events(mine, cohort_sessions, moved, since=since)
            continue
        for number, count, session in _numbered(cohort_sessions):
            if session.ends_at < since or (cohort_id not in whole and session.pk not in single):
                continue
            status = CANCELLED if session.cohort.status == Cohort.Status.CANCELLED else CONFIRMED
            events.append(
                session_event(
                    session,
                    number=number,
                    count=count,
                    sequence=session.sequence + session.cohort.sequence,
                    status=status,
                    teaching=True,
                )
            )
    events.sort(key=lambda e: (e.starts_at, e.uid))
    return events


def feed_for_token(token: str) -> CalendarFeed | None:
    """The feed whose secret is `token`, of a person still active (else None: the URL is dead)."""
    if not token or len(token) > 64:
        return None
    return CalendarFeed.objects.filter(token=token, employee__active=True).select_related("employee").first()


def feed_of(employee: Employee) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(employee=employee).first()


def feed_language(employee: Employee) -> str:
    """The person's chosen language for their feed's text (Danish by default)."""
    from kapabel.learning.notifications.recipients import default_language, languages

    return languages([employee.pk]).get(employee.pk, default_language())
