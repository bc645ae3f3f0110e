"""The one audit log. Services call `record` inside their transaction, so an audit event exists
exactly when the change it describes was committed; views of sensitive pages call `audit_read`.

Every event is a link of a hash chain (`chain.py`): `kapabel audit-verify` finds the first link that
was altered, removed or inserted. Events are never changed or deleted through the ORM (and, on
PostgreSQL, a trigger refuses UPDATE and DELETE), except that anonymising a person blanks the personal
part of their events (`redaction.py`), which the chain is built to survive."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Iterable
from typing import Any, TypeAlias

from django.db import models

from kapabel.core.access import scope_for
from kapabel.core.audit import chain
from kapabel.core.models import AuditEvent, User

SYSTEM_ACTOR = "system"

# Who does something: a logged-in user, or a system actor named by a label ("cli", "demo", an
# import's label); None means the system itself. Every service's `actor` parameter has this type.
Actor: TypeAlias = User | str | None


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.date | datetime.datetime | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The audited fields of `obj`, foreign keys as ids."""
    result = {}
    for name in fields:
        field = obj._meta.get_field(name)
        attname = getattr(field, "attname", name)
        result[name] = _plain(getattr(obj, attname))
    return result


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [before, after]} for the fields that changed."""
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }


def create_audited(
    obj: models.Model,
    *,
    fields: Iterable[str],
    action: str,
    actor: Actor,
    exclude: Iterable[str] | None = None,
    **record_kwargs: Any,
) -> models.Model:
    """The shape of every simple create service: validate, save, record the new values of `fields`.
    Call inside the service's transaction."""
    obj.full_clean(exclude=list(exclude) if exclude else None)
    obj.save()
    record(action, actor=actor, obj=obj, changes=diff({}, snapshot(obj, fields)), **record_kwargs)
    return obj


def actor_label(actor: Actor) -> str:
    """How an actor is named in the audit log and on records it started: a user's username, or the
    label of a system actor (an import, the demo, the command line)."""
    return (actor.get_username() if isinstance(actor, User) else str(actor or SYSTEM_ACTOR))[:200]


def update_audited(
    obj: models.Model,
    *,
    fields: Iterable[str],
    values: dict[str, Any],
    action: str,
    actor: Actor,
    check: Callable[[Any], None] | None = None,
    **record_kwargs: Any,
) -> dict[str, list[Any]]:
    """The shape of every simple update service: set `values` (only names in `fields`), run the
    service's own `check` and `full_clean`, save, and record before → after if anything changed.
    Returns the changes. Call inside the service's transaction."""
    fields = tuple(fields)
    unknown = set(values) - set(fields)
    if unknown:
        raise TypeError(f"{action}: unknown fields {sorted(unknown)}")
    before = snapshot(obj, fields)
    for key, value in values.items():
        setattr(obj, key, value)
    if check is not None:
        check(obj)
    obj.full_clean()
    obj.save()
    changes = diff(before, snapshot(obj, fields))
    if changes:
        record(action, actor=actor, obj=obj, changes=changes, **record_kwargs)
    return changes


def person_of(obj: models.Model | None) -> int | None:
    """The employee an object is about: the employee itself (models say so with an
    `audit_person_id` property), or the `employee_id` of a row that belongs to one."""
    if obj is None:
        return None
    person = getattr(obj, "audit_person_id", None)
    if person is None:
        person = getattr(obj, "employee_id", None)
    return person if isinstance(person, int) else None


def record(
    action: str,
    *,
    actor: Actor,
    obj: models.Model | None = None,
    changes: dict[str, Any] | None = None,
    municipality_id: int | None = None,
    object_type: str | None = None,
    object_id: str = "",
    object_repr: str = "",
    person: int | None = None,
    kind: str = AuditEvent.Kind.CHANGE,
) -> AuditEvent:
    """Append one audit event. `actor` is a User, or None / a label for the system (imports, demo).
    `person` is the employee the event is about; by default taken from `obj` (see `person_of`)."""
    user = actor if isinstance(actor, User) else None
    label = actor_label(actor)
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)
        if municipality_id is None:
            municipality_id = getattr(obj, "municipality_id", None)
        if person is None:
            person = person_of(obj)
    event = AuditEvent(
        actor=user,
        actor_label=label,
        kind=kind,
        action=action,
        object_type=object_type or "",
        object_id=object_id,
        object_repr=object_repr[:300],
        person=person,
        changes={
            key: [_plain(v) for v in value] if isinstance(value, list) else _plain(value)
            for key, value in (changes or {}).items()
        },
        municipality=None,
    )
    event.municipality_id = municipality_id
    return chain.append(event)


def audit_read(
    user: User,
    obj: models.Model,
    *,
    action: str,
    person: int | None = None,
    object_repr: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent | None:
    """Record that `user` opened a sensitive page (or API answer, or export) about `obj`: a named
    person's profile or ratings, and later dialogue notes, plans and substitutes' data. Call it in
    the view right after the permission-checked fetch, e.g.

        employee = permissions.get_employee_for_user(user, employee_pk)
        audit.audit_read(user, employee, action="gaps.person.viewed")

    A person reading their own data is not recorded (it is not a disclosure). Returns the event,
    or None when nothing was recorded."""
    person = person if person is not None else person_of(obj)
    if person is not None and person == scope_for(user).employee_id:
        return None
    return record(
        action,
        actor=user,
        obj=obj,
        person=person,
        object_repr=object_repr,
        changes=changes,
        kind=AuditEvent.Kind.READ,
    )
