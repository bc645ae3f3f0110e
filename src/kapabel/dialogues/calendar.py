"""iCalendar invitations for booked dialogues (RFC 5545, through `kapabel.learning.calendar`): one
event per dialogue or team dialogue with a stable UID; SEQUENCE grows with every rebooking, and a
cancelled booking is sent as METHOD:CANCEL. The invitation holds time, place and the names only —
never what is written in the dialogue."""

from __future__ import annotations

import logging
from email.mime.text import MIMEText

from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils.translation import gettext as _

from kapabel.dialogues.models import Dialogue, DialogueState, GroupDialogue
from kapabel.learning.calendar import CANCELLED, CONFIRMED, CalendarEvent, to_ical, with_attendee

logger = logging.getLogger("kapabel.dialogues")


def dialogue_event(dialogue: Dialogue) -> CalendarEvent:
    assert dialogue.starts_at is not None and dialogue.ends_at is not None
    summary = _("Development dialogue: %(name)s") % {"name": dialogue.employee.name}
    return CalendarEvent(
        uid=f"dialogue-{dialogue.pk}@kapabel",
        sequence=dialogue.sequence,
        starts_at=dialogue.starts_at,
        ends_at=dialogue.ends_at,
        summary=summary,
        status=CANCELLED if dialogue.state == DialogueState.CANCELLED else CONFIRMED,
        location=dialogue.place,
        description=_("Prepare in Kapabel under 'My dialogue'."),
    )


def group_event(group: GroupDialogue) -> CalendarEvent:
    assert group.starts_at is not None and group.ends_at is not None
    return CalendarEvent(
        uid=f"team-dialogue-{group.pk}@kapabel",
        sequence=group.sequence,
        starts_at=group.starts_at,
        ends_at=group.ends_at,
        summary=_("Team dialogue: %(title)s") % {"title": group.title},
        status=CONFIRMED,
        location=group.place,
    )


def dialogue_ics(dialogue: Dialogue, *, method: str = "") -> bytes:
    return to_ical([dialogue_event(dialogue)], method=method)


def _part(method: str, content: bytes) -> MIMEText:
    part = MIMEText(content.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename="invitation.ics")
    return part


def send_invitations(event: CalendarEvent, people: list[tuple[str, str]], *, cancel: bool = False) -> int:
    """E-mail the invitation (or cancellation) to each (e-mail, name); returns how many were sent.
    Called after commit: a failed delivery is logged and does not undo the booking."""
    method = "CANCEL" if cancel else "REQUEST"
    body = to_ical([event], method=method)
    sent = 0
    with get_connection() as connection:
        for email, name in people:
            if not email:
                continue
            subject = _("Cancelled: %(summary)s") % {"summary": event.summary} if cancel else event.summary
            text = _("You are invited to %(summary)s. The invitation is attached.") % {
                "summary": event.summary
            }
            mail = EmailMultiAlternatives(subject=subject, body=text, to=[email], connection=connection)
            mail.attach(_part(method, with_attendee(body, email, name, cancelled=cancel)))
            try:
                mail.send()
            except Exception:  # one bad address must not stop the others
                logger.exception("dialogue invitation failed")
                continue
            sent += 1
    return sent
