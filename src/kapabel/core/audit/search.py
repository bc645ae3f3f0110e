"""Searching the audit log: by person, object, action, kind and date.

"By person" finds what a person did (the actor's username or name) and what concerns them (events
whose `person` is one of the employees whose name matches). Core does not know employees; the app
that does (organisation) registers a finder: names → employee ids within given municipalities.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from kapabel.core.models import AuditEvent

PersonFinder = Callable[[str, Iterable[int] | None], list[int]]
PersonNamer = Callable[[Iterable[int]], dict[int, str]]
_finders: list[PersonFinder] = []
_namers: list[PersonNamer] = []


def register_person_finder(finder: PersonFinder) -> None:
    """`finder(text, municipality_ids)` returns ids of employees whose name, e-mail or employee
    number contains `text` (municipality_ids None: any)."""
    if finder not in _finders:
        _finders.append(finder)


def register_person_namer(namer: PersonNamer) -> None:
    """`namer(ids)` returns {employee id: name} (one query for a page of events)."""
    if namer not in _namers:
        _namers.append(namer)


def people_names(ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    names: dict[int, str] = {}
    if wanted:
        for namer in _namers:
            names.update(namer(wanted))
    return names


def find_people(text: str, municipality_ids: Iterable[int] | None) -> list[int]:
    ids = list(municipality_ids) if municipality_ids is not None else None
    return sorted({pk for finder in _finders for pk in finder(text, ids)})


@dataclass(frozen=True)
class AuditFilters:
    person: str = ""  # a name, e-mail or username: who did it, or whom it concerns
    person_id: int | None = None  # an employee id (links from a person's page)
    actor_id: int | None = None  # a user id (links from an event's "who")
    object_type: str = ""  # "organisation.employee"
    object: str = ""  # object text or id
    action: str = ""  # an action code or its start: "organisation.employee"
    kind: str = ""  # "change" or "read"
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None


def apply(
    events: QuerySet[AuditEvent], filters: AuditFilters, municipality_ids: Iterable[int] | None
) -> QuerySet[AuditEvent]:
    if filters.person:
        text = filters.person
        who = (
            Q(actor_label__icontains=text)
            | Q(actor__username__icontains=text)
            | Q(actor__first_name__icontains=text)
            | Q(actor__last_name__icontains=text)
        )
        about = find_people(text, municipality_ids)
        events = events.filter(who | Q(person__in=about) if about else who)
    if filters.person_id is not None:
        events = events.filter(person=filters.person_id)
    if filters.actor_id is not None:
        events = events.filter(actor_id=filters.actor_id)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.object:
        events = events.filter(Q(object_repr__icontains=filters.object) | Q(object_id=filters.object))
    if filters.action:
        events = events.filter(action__startswith=filters.action)
    if filters.kind:
        events = events.filter(kind=filters.kind)
    if filters.date_from is not None:
        events = events.filter(at__gte=day_bounds(filters.date_from)[0])
    if filters.date_to is not None:
        events = events.filter(at__lt=day_bounds(filters.date_to)[1])
    return events


def day_bounds(day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The start of `day` and of the next, in the local time zone."""
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
    return start, start + datetime.timedelta(days=1)
