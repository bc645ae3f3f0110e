"""Writes of substitute cover: substitutes (hiring facts, outcome) and placements. Refused here (nothing
written): a placement outside the substitute's employment, negative or impossible hours, participants of
another programme. Everything a scheme merely warns about is left to the report."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kapabel.core import audit
from kapabel.core.audit import Actor
from kapabel.organisation.models import Employee, OrgUnit
from kapabel.programmes import permissions
from kapabel.programmes.models import FundingScheme, Participant, Placement, Programme, Substitute
from kapabel.programmes.services.common import HOURS_IN_A_WEEK, Refused, when

SUBSTITUTE_FIELDS = (
    "name",
    "email",
    "recruited_via",
    "unemployment_months",
    "benefit",
    "starts_on",
    "ends_on",
    "hours_per_week",
    "hourly_wage",
    "unit",
    "manager",
    "outcome",
)
PLACEMENT_FIELDS = ("substitute", "unit", "starts_on", "ends_on", "hours_per_week", "scheme")


def _check_hours(value: Decimal) -> None:
    if value < 0:
        raise Refused(_("Hours per week cannot be negative."), code="hours")
    if value > HOURS_IN_A_WEEK:
        raise Refused(
            _("%(hours)s hours a week is impossible: a week has %(max)s hours.")
            % {"hours": value, "max": HOURS_IN_A_WEEK},
            code="hours",
        )


def _check_substitute(obj: Substitute) -> None:
    _check_hours(obj.hours_per_week)
    if obj.ends_on < obj.starts_on:
        raise Refused(_("A substitute's employment cannot end before it starts."), code="period")
    if obj.unemployment_months < 0:
        raise Refused(_("Months of unemployment cannot be negative."), code="unemployment")
    if obj.unit.municipality_id != obj.programme.municipality_id:
        raise Refused(_("Everything in a programme belongs to the programme's municipality."), code="tenant")
    if obj.manager is not None and obj.manager.municipality_id != obj.programme.municipality_id:
        raise Refused(_("Everything in a programme belongs to the programme's municipality."), code="tenant")


@transaction.atomic
def substitute_create(
    *,
    programme: Programme,
    name: str,
    unit: OrgUnit,
    starts_on: datetime.date,
    ends_on: datetime.date,
    hours_per_week: Decimal,
    actor: Actor,
    email: str = "",
    recruited_via: str = Substitute.RecruitedVia.JOBCENTER,
    unemployment_months: Decimal = Decimal(0),
    benefit: str = Substitute.Benefit.DAGPENGE,
    hourly_wage: Decimal = Decimal(0),
    manager: Employee | None = None,
    outcome: str = Substitute.Outcome.UNKNOWN,
) -> Substitute:
    permissions.require_manage(actor, programme.municipality_id)
    substitute = Substitute(
        programme=programme,
        name=name,
        email=email,
        recruited_via=recruited_via,
        unemployment_months=unemployment_months,
        benefit=benefit,
        starts_on=starts_on,
        ends_on=ends_on,
        hours_per_week=hours_per_week,
        hourly_wage=hourly_wage,
        unit=unit,
        manager=manager,
        outcome=outcome,
    )
    _check_substitute(substitute)
    audit.create_audited(
        substitute,
        fields=SUBSTITUTE_FIELDS,
        action="programmes.substitute.created",
        actor=actor,
        municipality_id=programme.municipality_id,
    )
    return substitute


@transaction.atomic
def substitute_update(*, substitute: Substitute, actor: Actor, **values: Any) -> Substitute:
    """Change a substitute (their outcome at the end, among others). Their placements must stay inside
    the employment."""
    permissions.require_manage(actor, substitute.programme.municipality_id)

    def check(obj: Substitute) -> None:
        _check_substitute(obj)
        outside = Placement.objects.filter(substitute=obj).exclude(
            starts_on__gte=obj.starts_on, ends_on__lte=obj.ends_on
        )
        if outside.exists():
            raise Refused(
                _("The substitute has placements outside %(start)s–%(end)s; change those first.")
                % {"start": when(obj.starts_on), "end": when(obj.ends_on)},
                code="period",
            )

    audit.update_audited(
        substitute,
        fields=SUBSTITUTE_FIELDS,
        values=values,
        action="programmes.substitute.updated",
        actor=actor,
        check=check,
        municipality_id=substitute.programme.municipality_id,
    )
    return substitute


@transaction.atomic
def placement_create(
    *,
    substitute: Substitute,
    participants: Sequence[Participant],
    starts_on: datetime.date,
    ends_on: datetime.date,
    hours_per_week: Decimal,
    actor: Actor,
    unit: OrgUnit | None = None,
    scheme: FundingScheme | None = None,
) -> Placement:
    """Place a substitute to cover participants' absences."""
    programme = substitute.programme
    permissions.require_manage(actor, programme.municipality_id)
    _check_hours(hours_per_week)
    if ends_on < starts_on:
        raise Refused(_("A placement cannot end before it starts."), code="period")
    if starts_on < substitute.starts_on or ends_on > substitute.ends_on:
        raise Refused(
            _(
                "The placement %(start)s–%(end)s lies outside the substitute's employment "
                "%(employed_from)s–%(employed_until)s. Change the dates or the employment first."
            )
            % {
                "start": when(starts_on),
                "end": when(ends_on),
                "employed_from": when(substitute.starts_on),
                "employed_until": when(substitute.ends_on),
            },
            code="outside_employment",
        )
    if not participants:
        raise Refused(_("A placement covers at least one participant."), code="participants")
    if any(p.programme_id != programme.pk for p in participants):
        raise Refused(_("A placement covers participants of its own programme only."), code="participants")
    unit = unit or substitute.unit
    if unit.municipality_id != programme.municipality_id:
        raise Refused(_("Everything in a programme belongs to the programme's municipality."), code="tenant")
    placement = Placement(
        substitute=substitute,
        unit=unit,
        starts_on=starts_on,
        ends_on=ends_on,
        hours_per_week=hours_per_week,
        scheme=scheme,
    )
    audit.create_audited(
        placement,
        fields=PLACEMENT_FIELDS,
        action="programmes.placement.created",
        actor=actor,
        municipality_id=programme.municipality_id,
    )
    placement.participants.set(participants)
    return placement


@transaction.atomic
def placement_delete(*, placement: Placement, actor: Actor) -> None:
    programme = placement.substitute.programme
    permissions.require_manage(actor, programme.municipality_id)
    audit.record(
        "programmes.placement.deleted",
        actor=actor,
        obj=placement,
        municipality_id=programme.municipality_id,
    )
    placement.delete()
