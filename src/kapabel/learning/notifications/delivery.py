"""Rendering and sending learning e-mails, once each.

An `Outgoing` carries a unique key. `deliver` writes the log rows of a whole batch in one statement
(skipping keys already there), reads back which rows this batch wrote, and sends only those: two
senders racing over the same reminder send it once. A message that fails to send has its row removed
again, so the next run retries it."""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.mime.text import MIMEText
from typing import Any

from django.core.mail import EmailMultiAlternatives, get_connection
from django.template.loader import render_to_string

from kapabel.learning.models import NotificationLog
from kapabel.learning.notifications.recipients import Recipient

logger = logging.getLogger("kapabel.learning")

CALENDAR_FILES = {"REQUEST": "invitation.ics", "CANCEL": "cancellation.ics"}


@dataclass
class Outgoing:
    key: str
    kind: str
    recipient: Recipient
    subject: str
    text: str
    html: str
    calendars: list[tuple[str, bytes]] = field(default_factory=list)  # (METHOD, iCalendar bytes)
    enrolment_id: int | None = None
    data: dict[str, Any] = field(default_factory=dict)


def address_key(email: str) -> str:
    """A short stable stand-in for an address inside a log key."""
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:12]


def render(kind: str, recipient: Recipient, context: dict[str, Any], subject: str) -> tuple[str, str]:
    """(text, html) of an e-mail in the active language (the caller overrides it to the recipient's)."""
    context = {**context, "recipient": recipient, "subject": subject}
    text = render_to_string(f"learning/email/{kind}.txt", context).strip() + "\n"
    html = render_to_string("learning/email/message.html", {**context, "text": text})
    return text, html


def calendar_part(method: str, content: bytes) -> MIMEText:
    part = MIMEText(content.decode("utf-8"), "calendar", "utf-8")
    part.set_param("method", method)
    part.add_header("Content-Disposition", "attachment", filename=CALENDAR_FILES.get(method, "event.ics"))
    return part


def message(item: Outgoing, connection: Any) -> EmailMultiAlternatives:
    mail = EmailMultiAlternatives(
        subject=item.subject, body=item.text, to=[item.recipient.email], connection=connection
    )
    mail.attach_alternative(item.html, "text/html")
    for method, content in item.calendars:
        mail.attach(calendar_part(method, content))
    mail.extra_headers["Content-Language"] = item.recipient.language
    return mail


def deliver(items: Sequence[Outgoing]) -> list[Outgoing]:
    """Send the items whose key has not been sent before; returns those sent."""
    unique: dict[str, Outgoing] = {}
    for item in items:
        unique.setdefault(item.key, item)
    if not unique:
        return []
    batch = uuid.uuid4().hex
    NotificationLog.objects.bulk_create(
        [
            NotificationLog(
                key=item.key,
                kind=item.kind,
                enrolment_id=item.enrolment_id,
                recipient=item.recipient.email,
                language=item.recipient.language,
                subject=item.subject[:300],
                data=item.data,
                batch=batch,
            )
            for item in unique.values()
        ],
        ignore_conflicts=True,
    )
    mine = set(NotificationLog.objects.filter(batch=batch).values_list("key", flat=True))
    sent: list[Outgoing] = []
    failed: list[str] = []
    with get_connection() as connection:
        for item in unique.values():
            if item.key not in mine:
                continue
            try:
                message(item, connection).send()
            except Exception:  # one bad address or a mail server hiccup must not stop the others
                logger.exception("learning e-mail failed", extra={"kind": item.kind})
                failed.append(item.key)
                continue
            sent.append(item)
    if failed:
        NotificationLog.objects.filter(batch=batch, key__in=failed).delete()
    return sent
