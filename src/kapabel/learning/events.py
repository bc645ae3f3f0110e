"""Listeners for what happens in learning (notifications, calendar feeds). Services call `emit` inside
their transaction; listeners run after the commit, so nothing is sent for a change that rolled back.

A listener is a function `listener(event, payload)`. Events:
- "enrolment_status": payload `{"changes": [EnrolmentStatusChange ids]}` (every move, in order).
- "cohort_changed": payload `{"cohort": id}` (dates, place, capacity or status changed; `sequence` raised).
- "cohort_cancelled": payload `{"cohort": id}` (its enrolments' moves come as "enrolment_status" too).
- "evidence_created" / "evidence_confirmed": payload `{"evidence": [ids]}`.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
from collections.abc import Callable, Iterator
from typing import Any

from django.db import transaction

logger = logging.getLogger("kapabel.learning")

Listener = Callable[[str, dict[str, Any]], None]
_listeners: list[Listener] = []
_muted: contextvars.ContextVar[bool] = contextvars.ContextVar("learning_events_muted", default=False)


@contextlib.contextmanager
def muted() -> Iterator[None]:
    """Nothing is emitted inside: for building history that nobody should be told about (the demo
    writes past and future enrolments in bulk; nobody gets an e-mail for them)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def register(listener: Listener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def unregister(listener: Listener) -> None:
    if listener in _listeners:
        _listeners.remove(listener)


def _dispatch(event: str, payload: dict[str, Any]) -> None:
    for listener in list(_listeners):
        try:
            listener(event, payload)
        except Exception:  # a failing e-mail must not undo or hide the committed change
            logger.exception("learning listener failed", extra={"event": event})


def emit(event: str, payload: dict[str, Any]) -> None:
    if _listeners and not _muted.get():
        transaction.on_commit(lambda: _dispatch(event, payload))
