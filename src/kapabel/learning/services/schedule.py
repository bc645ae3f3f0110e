"""Saving a cohort's details and its sessions together (the cohort edit page): one transaction, so a
refused session change leaves the details unchanged too."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from kapabel.core.audit import Actor
from kapabel.learning.models import Cohort, Session
from kapabel.learning.services.cohorts import (
    SessionSpec,
    cohort_update,
    session_create,
    session_delete,
    session_update,
)


@dataclass(frozen=True)
class SessionChange:
    """An existing session to change (`spec`) or remove (`spec` None), or a new one (`session` None)."""

    session: Session | None
    spec: SessionSpec | None


def _same(session: Session, spec: SessionSpec) -> bool:
    return (
        session.starts_at == spec.starts_at
        and session.ends_at == spec.ends_at
        and session.place == spec.place
        and session.online == spec.online
        and session.online_url == spec.online_url
        and session.room_id == (spec.room.pk if spec.room is not None else None)
    )


@transaction.atomic
def cohort_save_schedule(
    *, cohort: Cohort, actor: Actor, details: dict[str, Any], sessions: Sequence[SessionChange] = ()
) -> Cohort:
    """Change the cohort's details (the named fields of `cohort_update`) and its sessions. Sessions
    that did not change are left alone, so their calendar SEQUENCE stays."""
    cohort_update(cohort=cohort, actor=actor, **details)
    for change in sessions:
        if change.session is None:
            if change.spec is not None:
                session_create(cohort=cohort, spec=change.spec, actor=actor)
        elif change.spec is None:
            session_delete(session=change.session, actor=actor)
        elif not _same(change.session, change.spec):
            session_update(session=change.session, spec=change.spec, actor=actor)
    cohort.refresh_from_db()
    return cohort
