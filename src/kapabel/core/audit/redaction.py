"""Anonymising a person in the audit log, without breaking the chain.

Old events are not rewritten where the chain hashes them: only their personal part (who, object
text, changes) is blanked, with its salt, and the event is marked as blanked by the anonymisation
event, which is appended to the chain first and lists every event it blanks. `audit-verify` then
accepts a blanked event exactly when a valid anonymisation event lists it (chain.py).

Which events are blanked: those about the person (`person`), those the person did (`actor`), those
whose object is the person's login, and any other event of their municipality (or the platform) whose
text mentions their name, e-mail, username or HR identifiers.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from kapabel.core.audit import chain as audit_chain
from kapabel.core.models import AuditEvent
from kapabel.core.personal_data import REDACTED, Person

if TYPE_CHECKING:
    from kapabel.core.audit import Actor

PERSONAL = ("actor_label", "object_repr", "changes")


def _blank_strings(value: Any) -> Any:
    """Every string in a JSON value replaced: an event about the person may hold their old names."""
    if isinstance(value, str):
        return REDACTED if value else value
    if isinstance(value, list):
        return [_blank_strings(item) for item in value]
    if isinstance(value, dict):
        return {key: _blank_strings(item) for key, item in value.items()}
    return value


def _linked_q(person: Person) -> Q:
    q = Q(person=person.employee_id) | Q(
        object_type="organisation.employee", object_id=str(person.employee_id)
    )
    if person.user_id is not None:
        q |= Q(actor_id=person.user_id) | Q(object_type="core.user", object_id=str(person.user_id))
    return q


def _candidates(person: Person) -> Iterator[tuple[int, str, str, Any, int | None, int | None, str, str]]:
    chains = sorted({audit_chain.chain_of(person.municipality_id), 0})
    return (
        AuditEvent.objects.filter(chain__in=chains, redacted_at__isnull=True)
        .exclude(action=audit_chain.ANONYMISED_ACTION)
        .order_by("id")
        .values_list(
            "id", "actor_label", "object_repr", "changes", "person", "actor_id", "object_type", "object_id"
        )
        .iterator(2000)
    )


def _blanked(person: Person, row: tuple[Any, ...]) -> dict[str, Any] | None:
    """The personal part of one event with the person taken out, or None if it does not concern them."""
    _pk, label, text, changes, about, actor_id, object_type, object_id = row
    is_actor = person.user_id is not None and actor_id == person.user_id
    is_object = (object_type == "organisation.employee" and object_id == str(person.employee_id)) or (
        person.user_id is not None and object_type == "core.user" and object_id == str(person.user_id)
    )
    about_person = about == person.employee_id or is_object
    new = {
        "actor_label": (person.anonymised_username or REDACTED) if is_actor else person.scrub(label),
        "object_repr": (person.anonymised_name or REDACTED) if is_object else person.scrub(text),
        "changes": _blank_strings(changes) if about_person else person.scrub_json(changes),
    }
    if not (is_actor or about_person) and new == {
        "actor_label": label,
        "object_repr": text,
        "changes": changes,
    }:
        return None
    return new


@transaction.atomic
def redact_person(person: Person, *, actor: Actor, summary: dict[str, Any]) -> AuditEvent:
    """Append the anonymisation event for `person` (with `summary`, e.g. rows changed per app) and
    blank the personal part of every earlier event that concerns them."""
    from kapabel.core.audit import record

    linked = set(
        AuditEvent.objects.filter(_linked_q(person), redacted_at__isnull=True)
        .exclude(action=audit_chain.ANONYMISED_ACTION)
        .values_list("id", flat=True)
    )
    targets: dict[int, dict[str, Any]] = {}
    for row in _candidates(person):
        blanked = _blanked(person, row)
        if blanked is not None:
            targets[row[0]] = blanked
    # Linked events in other chains (rare: a person moved between municipalities' chains).
    for row in (
        AuditEvent.objects.filter(pk__in=linked - set(targets))
        .values_list(
            "id", "actor_label", "object_repr", "changes", "person", "actor_id", "object_type", "object_id"
        )
        .iterator(2000)
    ):
        blanked = _blanked(person, row)
        if blanked is not None:
            targets[row[0]] = blanked
    event = record(
        audit_chain.ANONYMISED_ACTION,
        actor=actor,
        municipality_id=person.municipality_id,
        object_type="organisation.employee",
        object_id=str(person.employee_id),
        object_repr=person.anonymised_name or REDACTED,
        person=person.employee_id,
        changes={**summary, audit_chain.REDACTED_EVENTS_KEY: sorted(targets)},
    )
    now = timezone.now()
    for pk, values in targets.items():
        # The one sanctioned change of an audit event (AuditEventQuerySet refuses all others; the
        # PostgreSQL trigger allows exactly this shape): the personal part and its salt, once.
        models.QuerySet.update(
            AuditEvent.objects.filter(pk=pk, redacted_at__isnull=True),
            **values,
            detail_salt="",
            redacted_at=now,
            redacted_by=event.pk,
        )
    return event
