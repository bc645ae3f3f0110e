"""Privacy helpers: the audit of reads, and the one rule for what of a preparation a reader sees.

`audit_read` writes a read of a dialogue's or a plan's content by anyone other than the person to
the audit log. It is the one call site: when `kapabel.core.audit` gains a shared `audit_read`, this
function becomes a call to it."""

from __future__ import annotations

from typing import Any

from django.db import models

from kapabel.core import audit
from kapabel.core.access import scope_for
from kapabel.core.models import User


def audit_read(
    user: User | Any, obj: models.Model, *, employee_id: int, municipality_id: int, what: str
) -> None:
    """Record that `user` read the content of `obj` (a dialogue or a plan) — unless it is the
    person's own. `what` says where: "page", "api", "print", "ics"."""
    if scope_for(user).employee_id == employee_id:
        return
    audit.record(
        f"dialogues.{obj._meta.model_name}.read",
        actor=user if isinstance(user, User) else None,
        obj=obj,
        municipality_id=municipality_id,
        changes={"via": what, "employee": employee_id},
    )


def readable_preparations(user: User | Any, preparations: list[Any], *, content: bool) -> list[Any]:
    """The preparations `user` may read: their own, and — when they read the dialogue's content —
    the ones the other party shared."""
    uid = getattr(user, "pk", None)
    return [p for p in preparations if p.author_id == uid or (content and p.shared)]
