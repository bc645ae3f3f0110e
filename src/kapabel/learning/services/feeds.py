"""Personal calendar feeds: the secret token in a person's feed URL, created on first use and
renewable (the old URL then stops working)."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kapabel.core import audit
from kapabel.core.audit import Actor
from kapabel.core.models import User
from kapabel.learning import permissions
from kapabel.learning.models import CalendarFeed
from kapabel.organisation.models import Employee


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def _check(actor: Actor, employee: Employee) -> None:
    if isinstance(actor, User) and permissions.booking_role(actor, employee) != "self":
        raise PermissionDenied(_("Only the person can manage their own calendar feed."))


@transaction.atomic
def calendar_feed_get_or_create(*, employee: Employee, actor: Actor) -> CalendarFeed:
    _check(actor, employee)
    feed, created = CalendarFeed.objects.get_or_create(employee=employee, defaults={"token": _new_token()})
    if created:
        audit.record(
            "learning.feed.created",
            actor=actor,
            obj=feed,
            municipality_id=employee.municipality_id,
            object_repr=employee.name,
        )
    return feed


@transaction.atomic
def calendar_feed_renew(*, employee: Employee, actor: Actor) -> CalendarFeed:
    """A new secret; the old feed URL stops working."""
    _check(actor, employee)
    feed = calendar_feed_get_or_create(employee=employee, actor=actor)
    feed.token = _new_token()
    feed.renewed_at = timezone.now()
    feed.save(update_fields=["token", "renewed_at"])
    audit.record(
        "learning.feed.renewed",
        actor=actor,
        obj=feed,
        municipality_id=employee.municipality_id,
        object_repr=employee.name,
    )
    return feed
