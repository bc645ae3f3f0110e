"""E-mail to people, sent in the background after the transaction that decided to send it commits.

A service composes its messages (in the installation's language: people have no language of their
own yet) and calls `send_after_commit`; the messages go to `kapabel db_worker` as tasks of at most
`BATCH` messages, so a campaign for thousands of people never holds a web request open while an SMTP
server answers. If the transaction rolls back, nothing is sent. Django's mail backends do the
sending (`EMAIL_BACKEND`: SMTP in production, the console in development, locmem in tests).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction

BATCH = 200
_SUPPRESSED: contextvars.ContextVar[bool] = contextvars.ContextVar("kapabel_mail_suppressed", default=False)


@contextlib.contextmanager
def suppressed() -> Iterator[None]:
    """Within this block `send_after_commit` queues nothing: the demo writes history through the
    services, and nobody is to be e-mailed about it."""
    token = _SUPPRESSED.set(True)
    try:
        yield
    finally:
        _SUPPRESSED.reset(token)


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    body: str


def link(path: str, base_url: str = "") -> str:
    """An absolute address for `path` in a message: from `KAPABEL_BASE_URL` when it is set, else from
    `base_url` (the address the request that sends came to); "" when neither is known (the message
    then says where to look)."""
    base = (getattr(settings, "KAPABEL_BASE_URL", "") or base_url).rstrip("/")
    return f"{base}{path}" if base else ""


def send_after_commit(mails: Sequence[Mail]) -> None:
    """Queue `mails` for the background worker once the current transaction commits."""
    from kapabel.core.tasks import send_mails

    if _SUPPRESSED.get():
        return
    payload = [{"to": m.to, "subject": m.subject, "body": m.body} for m in mails if m.to]
    for start in range(0, len(payload), BATCH):
        transaction.on_commit(partial(send_mails.enqueue, payload[start : start + BATCH]))


def deliver(messages: Sequence[dict[str, str]]) -> int:
    """Send messages (dicts with to, subject, body) over one connection; the number sent."""
    connection = get_connection()
    return (
        connection.send_messages(
            [
                EmailMessage(subject=m["subject"], body=m["body"], to=[m["to"]], connection=connection)
                for m in messages
            ]
        )
        or 0
    )
