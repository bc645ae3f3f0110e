"""Writes of funding: the schemes' dated parameters (platform administrators) and applications with
their moves draft → submitted → granted / rejected → paid."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kapabel.core import audit
from kapabel.core.audit import Actor
from kapabel.programmes import permissions, rules
from kapabel.programmes.models import (
    Application,
    FundingScheme,
    ParameterKey,
    Participant,
    Phase,
    Programme,
    SchemeKind,
    SchemeParameter,
)
from kapabel.programmes.selectors.schemes import params_of
from kapabel.programmes.services.common import Refused, when

PARAMETER_FIELDS = ("scheme", "key", "value", "valid_from", "valid_to", "source")
APPLICATION_FIELDS = (
    "scheme",
    "phase",
    "participant",
    "people",
    "title",
    "master",
    "education_starts_on",
    "education_ends_on",
    "eligible_costs",
    "granted_amount",
    "paid_amount",
    "status",
    "case_number",
    "documents",
    "signatures_needed",
    "submitted_on",
    "decided_on",
    "paid_on",
)
S = Application.Status
MOVES: dict[str, tuple[str, ...]] = {
    S.DRAFT: (S.SUBMITTED,),
    S.SUBMITTED: (S.GRANTED, S.REJECTED),
    S.GRANTED: (S.PAID,),
    S.REJECTED: (),
    S.PAID: (),
}


# --- scheme parameters ---------------------------------------------------------------------------------


def _check_parameter(row: SchemeParameter) -> None:
    if row.valid_to is not None and row.valid_to < row.valid_from:
        raise Refused(_("A parameter cannot end before it starts."), code="period")
    if row.value < 0:
        raise Refused(_("A parameter's value cannot be negative."), code="value")
    if not row.source.strip():
        raise Refused(
            _("Say where the figure comes from (a law, an agreement, an agency's page)."), code="source"
        )
    overlapping = SchemeParameter.objects.filter(scheme_id=row.scheme_id, key=row.key).exclude(pk=row.pk)
    overlapping = overlapping.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=row.valid_from))
    if row.valid_to is not None:
        overlapping = overlapping.filter(valid_from__lte=row.valid_to)
    clash = overlapping.first()
    if clash is not None:
        raise Refused(
            _("The period overlaps the row from %(start)s of the same parameter; end that row first.")
            % {"start": when(clash.valid_from)},
            code="overlap",
        )


@transaction.atomic
def scheme_parameter_create(
    *,
    scheme: FundingScheme,
    key: str,
    value: Decimal,
    valid_from: datetime.date,
    source: str,
    actor: Actor,
    valid_to: datetime.date | None = None,
) -> SchemeParameter:
    permissions.require_edit_schemes(actor)
    if key not in ParameterKey.values:
        raise Refused(_("Unknown parameter."), code="key")
    row = SchemeParameter(
        scheme=scheme, key=key, value=value, valid_from=valid_from, valid_to=valid_to, source=source
    )
    _check_parameter(row)
    audit.create_audited(
        row, fields=PARAMETER_FIELDS, action="programmes.scheme_parameter.created", actor=actor
    )
    return row


@transaction.atomic
def scheme_parameter_update(*, row: SchemeParameter, actor: Actor, **values: Any) -> SchemeParameter:
    permissions.require_edit_schemes(actor)
    audit.update_audited(
        row,
        fields=("value", "valid_from", "valid_to", "source"),
        values=values,
        action="programmes.scheme_parameter.updated",
        actor=actor,
        check=_check_parameter,
    )
    return row


# --- applications ------------------------------------------------------------------------------------


def _in_force(scheme: FundingScheme, day: datetime.date) -> list[rules.Param]:
    params = params_of(scheme)
    return [p for p in params if p.in_force(day)]


def check_scheme_open(scheme: FundingScheme, day: datetime.date) -> None:
    """Refuse to use a scheme outside its validity: closed to new forløb, or no rules in force that day
    (for schemes that have rules at all: own budget and other sources have none)."""
    params = params_of(scheme)
    if not params:
        return
    if not rules.open_for_new(rules.param_at(params, ParameterKey.CLOSED_TO_NEW, day)):
        raise Refused(
            _("%(scheme)s is closed to new forløb on %(day)s. Choose another source of funding.")
            % {"scheme": scheme.name, "day": when(day)},
            code="scheme_closed",
        )
    if not any(p.in_force(day) and p.key != ParameterKey.CLOSED_TO_NEW for p in params):
        raise Refused(
            _(
                "%(scheme)s has no rules in force on %(day)s: it is not open then, or a platform "
                "administrator has yet to enter that period's figures."
            )
            % {"scheme": scheme.name, "day": when(day)},
            code="scheme_not_open",
        )


def window_of(scheme: FundingScheme, start: datetime.date) -> tuple[datetime.date, datetime.date] | None:
    params = params_of(scheme)
    months = rules.param_at(params, ParameterKey.WINDOW_MONTHS_BEFORE, start)
    days = rules.param_at(params, ParameterKey.WINDOW_DAYS_BEFORE, start)
    if months is None or days is None:
        return None
    return rules.application_window(start, int(months), int(days))


def _check_deadline(application: Application, day: datetime.date) -> None:
    window = window_of(application.scheme, application.education_starts_on)
    if window is None:
        return
    first, last = window
    if day > last:
        raise Refused(
            _(
                "The deadline for this application was %(last)s (the day before the start); it cannot be "
                "submitted on %(day)s."
            )
            % {"last": when(last), "day": when(day)},
            code="after_deadline",
        )
    if day < first:
        raise Refused(
            _("Applications for this start open on %(first)s; it cannot be submitted on %(day)s.")
            % {"first": when(first), "day": when(day)},
            code="before_window",
        )


@transaction.atomic
def application_create(
    *,
    programme: Programme,
    scheme: FundingScheme,
    title: str,
    education_starts_on: datetime.date,
    eligible_costs: Decimal,
    actor: Actor,
    participant: Participant | None = None,
    phase: Phase | None = None,
    people: int = 1,
    master: bool = False,
    education_ends_on: datetime.date | None = None,
    case_number: str = "",
    documents: str = "",
    signatures_needed: str = "",
) -> Application:
    permissions.require_manage(actor, programme.municipality_id)
    if eligible_costs < 0:
        raise Refused(_("Eligible costs cannot be negative."), code="costs")
    if people < 1:
        raise Refused(_("An application is for at least one person."), code="people")
    if participant is not None and participant.programme_id != programme.pk:
        raise Refused(_("The participant belongs to another programme."), code="participant")
    if phase is not None and phase.programme_id != programme.pk:
        raise Refused(_("The phase belongs to another programme."), code="phase")
    if education_ends_on is not None and education_ends_on < education_starts_on:
        raise Refused(_("The education cannot end before it starts."), code="period")
    check_scheme_open(scheme, education_starts_on)
    if not signatures_needed and scheme.kind == SchemeKind.KOMPETENCEFOND:
        signatures_needed = _(
            "Employee, manager and union representative, within 40 days of the case number "
            "and before the start."
        )
    application = Application(
        programme=programme,
        scheme=scheme,
        title=title,
        education_starts_on=education_starts_on,
        education_ends_on=education_ends_on,
        eligible_costs=eligible_costs,
        participant=participant,
        phase=phase,
        people=1 if participant is not None else people,
        master=master,
        case_number=case_number,
        documents=documents,
        signatures_needed=signatures_needed,
    )
    audit.create_audited(
        application,
        fields=APPLICATION_FIELDS,
        action="programmes.application.created",
        actor=actor,
        municipality_id=programme.municipality_id,
    )
    return application


@transaction.atomic
def application_move(
    *,
    application: Application,
    status: str,
    actor: Actor,
    on: datetime.date | None = None,
    amount: Decimal | None = None,
    case_number: str | None = None,
) -> Application:
    """Move an application on: submit (checks the deadline), grant or reject, record the payment."""
    permissions.require_manage(actor, application.programme.municipality_id)
    locked = Application.objects.select_for_update().select_related("scheme").get(pk=application.pk)
    if status not in MOVES.get(locked.status, ()):
        raise Refused(
            _("An application that is %(current)s cannot become %(target)s.")
            % {
                "current": locked.get_status_display(),
                "target": S(status).label if status in S.values else status,
            },
            code="move",
        )
    day = on or timezone.localdate()
    values: dict[str, Any] = {"status": status}
    if case_number is not None:
        values["case_number"] = case_number
    if amount is not None and amount < 0:
        raise Refused(_("An amount cannot be negative."), code="amount")
    if status == S.SUBMITTED:
        _check_deadline(locked, day)
        values["submitted_on"] = day
    elif status in (S.GRANTED, S.REJECTED):
        values["decided_on"] = day
        if status == S.GRANTED:
            if amount is None:
                raise Refused(_("Enter the amount granted."), code="amount")
            values["granted_amount"] = amount
    elif status == S.PAID:
        values["paid_on"] = day
        values["paid_amount"] = amount if amount is not None else locked.granted_amount
    audit.update_audited(
        locked,
        fields=APPLICATION_FIELDS,
        values=values,
        action="programmes.application.moved",
        actor=actor,
        municipality_id=locked.programme.municipality_id,
    )
    for key, value in values.items():
        setattr(application, key, value)
    return application
