"""Privacy helpers: the one rule for what of a preparation a reader sees.

Reads of a dialogue's or a plan's content by anyone other than the person are written to the audit
log by the views and the API with `kapabel.core.audit.audit_read` (actions "dialogues.dialogue.read"
and "dialogues.plan.read", with `{"via": "page" | "print" | "api"}`)."""

from __future__ import annotations

from typing import Any

from kapabel.core.models import User


def readable_preparations(user: User | Any, preparations: list[Any], *, content: bool) -> list[Any]:
    """The preparations `user` may read: their own, and — when they read the dialogue's content —
    the ones the other party shared."""
    uid = getattr(user, "pk", None)
    return [p for p in preparations if p.author_id == uid or (content and p.shared)]
