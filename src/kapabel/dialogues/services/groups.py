"""Team dialogues (GRUS/TUS): a team's shared goals and each member's own agreements. A member who
asks for an individual dialogue gets one in the same cycle (`dialogue_request`)."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kapabel.core import audit
from kapabel.core.access import subtree_q
from kapabel.core.audit import Actor
from kapabel.core.models import User
from kapabel.dialogues import calendar, permissions, summary
from kapabel.dialogues.models import Cycle, Dialogue, DialogueState, GroupDialogue
from kapabel.dialogues.services.common import Refused, check_version, is_user, require, text
from kapabel.dialogues.services.cycles import _check_time, nearest_manager
from kapabel.organisation.models import Employee, OrgUnit


def _may_lead(actor: Actor, unit: OrgUnit) -> bool:
    return not isinstance(actor, User) or permissions.can_lead_group(actor, unit)


@transaction.atomic
def group_create(*, cycle: Cycle, unit: OrgUnit, actor: Actor, title: str = "") -> GroupDialogue:
    """A team dialogue for the people of `unit` (and below) in a team-dialogue cycle."""
    if cycle.kind != Cycle.Kind.GROUP:
        raise Refused(_("Team dialogues belong to a cycle of team dialogues."), code="kind")
    if unit.municipality_id != cycle.municipality_id or not unit.path.startswith(cycle.unit.path):
        raise Refused(_("The team must be within the cycle's unit."), code="unit")
    if is_user(actor):
        require(_may_lead(actor, unit), _("Only the team's manager or HR can set up its team dialogue."))
    members = Dialogue.objects.filter(cycle=cycle, kind=Dialogue.Kind.GROUP, group__isnull=True).filter(
        subtree_q(unit.path, "employee__unit__path")
    )
    manager = None
    if isinstance(actor, User) and getattr(actor, "employee", None) is not None:
        manager = actor.employee  # type: ignore[attr-defined]
    group = GroupDialogue.objects.create(
        municipality_id=cycle.municipality_id,
        cycle=cycle,
        unit=unit,
        manager=manager,
        title=text(title, 200) or _("Team dialogue: %(unit)s") % {"unit": unit.name},
    )
    count = members.update(group=group)
    audit.record("dialogues.group.created", actor=actor, obj=group, changes={"members": [0, count]})
    return group


@transaction.atomic
def group_book(
    *,
    group: GroupDialogue,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    actor: Actor,
    place: str = "",
    version: int | None = None,
) -> GroupDialogue:
    locked = (
        GroupDialogue.objects.select_for_update(of=("self",))
        .select_related("cycle", "unit", "manager")
        .get(pk=group.pk)
    )
    if is_user(actor):
        require(_may_lead(actor, locked.unit), _("Only the team's manager or HR can book its team dialogue."))
    check_version(locked.version, version)
    if locked.held_at is not None:
        raise Refused(_("This team dialogue has been held."), code="state")
    manager = locked.manager
    if manager is None:
        first = Employee.objects.filter(unit=locked.unit).select_related("unit").first()
        manager = nearest_manager(first) if first else None
    _check_time(
        starts_at=starts_at,
        ends_at=ends_at,
        window_opens=locked.cycle.starts_on,
        due_on=locked.cycle.ends_on,
        manager=manager,
        exclude_group=locked.pk,
    )
    rebooking = locked.starts_at is not None
    locked.starts_at, locked.ends_at, locked.place, locked.manager = (
        starts_at,
        ends_at,
        text(place, 200),
        manager,
    )
    locked.sequence += 1 if rebooking else 0
    locked.version += 1
    locked.save()
    locked.members.filter(state=DialogueState.OPEN).update(
        state=DialogueState.BOOKED, starts_at=starts_at, ends_at=ends_at
    )
    audit.record("dialogues.group.booked", actor=actor, obj=locked, changes={"starts_at": [None, starts_at]})
    event = calendar.group_event(locked)
    people = [(e.email, e.name) for e in Employee.objects.filter(dialogues__group=locked)]
    if manager is not None:
        people.append((manager.email, manager.name))
    transaction.on_commit(lambda: calendar.send_invitations(event, people))
    return locked


@transaction.atomic
def group_record(
    *,
    group: GroupDialogue,
    actor: Actor,
    shared_goals: str,
    agreements: Mapping[int, str] | None = None,
    held_at: datetime.datetime | None = None,
    version: int | None = None,
) -> GroupDialogue:
    """Record the team dialogue as held: the shared goals, and per member (dialogue id) their own
    agreements. Every member's dialogue counts as held."""
    locked = GroupDialogue.objects.select_for_update(of=("self",)).select_related("unit").get(pk=group.pk)
    if is_user(actor):
        require(
            permissions.leads_unit(actor, locked.unit),
            _("Only the team's manager records the team dialogue."),
        )
    check_version(locked.version, version)
    held = held_at or timezone.now()
    locked.shared_goals, locked.held_at = text(shared_goals), held
    locked.version += 1
    locked.save()
    members = list(locked.members.exclude(state=DialogueState.CANCELLED))
    for member in members:
        member.agreements = text((agreements or {}).get(member.pk, member.agreements))
        member.state, member.held_at, member.held_year = (
            DialogueState.HELD,
            held,
            timezone.localtime(held).year,
        )
        member.version += 1
    Dialogue.objects.bulk_update(members, ["agreements", "state", "held_at", "held_year", "version"])
    audit.record("dialogues.group.recorded", actor=actor, obj=locked, changes={"members": [0, len(members)]})
    summary.refresh([m.employee_id for m in members])
    return locked
