"""Exporting and anonymising a person, and applying the retention rules.

Both walk the registry of `kapabel.core.personal_data`, where every app has registered what it holds
about a person, so they cover every app without knowing any but organisation (whose `Employee` is
the person)."""

from __future__ import annotations

import datetime
import json
import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kapabel.core import audit, exports, personal_data
from kapabel.core.audit import Actor
from kapabel.core.audit.redaction import redact_person
from kapabel.core.models import AuditEvent, Municipality, User
from kapabel.core.personal_data import Person, Section
from kapabel.organisation.models import Employee
from kapabel.privacy import selectors
from kapabel.privacy.models import RetentionRule, RetentionRun

logger = logging.getLogger("kapabel.privacy")
EXPORT_FORMAT = "kapabel.person-export"
EXPORT_VERSION = 1


def anonymised_name(employee_id: int) -> str:
    """What an anonymised person is called, in the installation's language (it is stored)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _("Anonymised person %(number)s") % {"number": employee_id}


def person_of(employee: Employee) -> Person:
    user: User | None = employee.user
    return Person(
        municipality_id=employee.municipality_id,
        employee_id=employee.pk,
        user_id=user.pk if user else None,
        name=employee.name,
        email=employee.email or (user.email if user else ""),
        username=user.get_username() if user else "",
        external_id=employee.external_id,
        employee_number=employee.employee_number,
        anonymised_name=anonymised_name(employee.pk),
        anonymised_username=f"anonymised-{user.pk}" if user else "",
    )


# --- Export -----------------------------------------------------------------------------------------


@dataclass
class Part:
    key: str
    title: str
    sections: list[Section]


def person_data(employee: Employee) -> list[Part]:
    """Everything Kapabel holds about the person, app by app (in the registry's order)."""
    person = person_of(employee)
    return [Part(holder.key, str(holder.title), holder.export(person)) for holder in personal_data.holders()]


def _record_export(employee: Employee, actor: User, fmt: str) -> None:
    audit.audit_read(actor, employee, action="privacy.person.exported", changes={"format": fmt})


def export_document(employee: Employee, *, actor: User) -> dict[str, Any]:
    """The export as one JSON-ready document (and the export recorded in the audit log)."""
    parts = person_data(employee)
    document = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "generated_at": timezone.now(),
        "person": {
            "employee_id": employee.pk,
            "name": employee.name,
            "municipality": employee.municipality.name,
        },
        "parts": [
            {
                "key": part.key,
                "title": part.title,
                "sections": [
                    {"key": s.key, "title": str(s.title), "records": s.records()} for s in part.sections
                ],
            }
            for part in parts
        ],
    }
    _record_export(employee, actor, "json")
    return json.loads(json.dumps(document, cls=DjangoJSONEncoder))


def export_json(employee: Employee, *, actor: User) -> bytes:
    return json.dumps(export_document(employee, actor=actor), ensure_ascii=False, indent=2).encode("utf-8")


def export_xlsx(employee: Employee, *, actor: User) -> bytes:
    """The export as a workbook: a cover sheet, then one sheet per section (kapabel.core.exports)."""
    parts = person_data(employee)
    cover = exports.Sheet(
        _("Export"),
        [exports.Column(_("What")), exports.Column(_("Value"))],
        [
            [_("Person"), employee.name],
            [_("Municipality"), employee.municipality.name],
            [_("Created"), timezone.localtime().replace(microsecond=0)],
            *[[str(part.title), ", ".join(str(s.title) for s in part.sections)] for part in parts],
        ],
    )
    sheets = [cover] + [
        exports.Sheet(
            str(section.title),
            [exports.Column(str(f.label), f.kind) for f in section.fields],
            [list(row) for row in section.rows],
        )
        for part in parts
        for section in part.sections
    ]
    _record_export(employee, actor, "xlsx")
    return exports.xlsx_bytes(sheets)


def export_filename(employee: Employee) -> str:
    return f"kapabel-person-{employee.pk}-{timezone.localdate():%Y-%m-%d}"


# --- Anonymisation ------------------------------------------------------------------------------------


@transaction.atomic
def person_anonymise(*, employee: Employee, actor: Actor) -> AuditEvent:
    """Blank what identifies the person in every app, keep the rows the statistics are built on, and
    blank their personal part in the audit log (recorded as one event in the chain). Irreversible."""
    employee = Employee.objects.select_for_update(of=("self",)).select_related("user").get(pk=employee.pk)
    if employee.anonymised_at is not None:
        raise ValidationError(_("This person has already been anonymised."))
    person = person_of(employee)
    counts = {
        holder.key: holder.anonymise(person, actor=actor) for holder in reversed(personal_data.holders())
    }
    event = redact_person(person, actor=actor, summary={"anonymised": counts})
    logger.info("person anonymised", extra={"employee_id": employee.pk, "audit_event_id": event.pk})
    return event


# --- Retention ------------------------------------------------------------------------------------------


@transaction.atomic
def retention_rule_create(
    *,
    municipality: Municipality,
    years: int,
    valid_from: datetime.date,
    source: str,
    actor: Actor,
    kind: str = RetentionRule.Kind.FORMER_EMPLOYEES,
) -> RetentionRule:
    rule = RetentionRule(
        municipality=municipality,
        kind=kind,
        years=years,
        valid_from=valid_from,
        source=source.strip(),
        created_by=actor if isinstance(actor, User) else None,
    )
    audit.create_audited(
        rule,
        fields=("kind", "years", "valid_from", "source"),
        action="privacy.retention_rule.created",
        actor=actor,
        exclude=["created_by"],
    )
    return rule


@dataclass
class RetentionReport:
    """What a municipality's rule reaches on a day: whom, and (unless a dry run) whom it anonymised."""

    municipality: Municipality
    rule: RetentionRule | None
    cutoff: datetime.date | None
    due: list[Employee]
    anonymised: int = 0
    without_end_date: int = 0


def retention_plan(municipality: Municipality, day: datetime.date) -> RetentionReport:
    """Who the rule in force reaches on `day`. Reads only."""
    rule = selectors.rule_in_force(municipality.pk, day)
    without_end = selectors.left_without_end_date(municipality.pk)
    if rule is None:
        return RetentionReport(municipality, None, None, [], without_end_date=without_end)
    cutoff, due = selectors.due(rule, day)
    return RetentionReport(municipality, rule, cutoff, list(due), without_end_date=without_end)


def retention_run(
    *,
    municipalities: list[Municipality],
    dry_run: bool,
    actor: Actor,
    day: datetime.date | None = None,
) -> list[RetentionReport]:
    """Apply each municipality's retention rule: anonymise the people it reaches, each in their own
    transaction (so one failure leaves the others done and is reported). A dry run writes nothing."""
    day = day or timezone.localdate()
    reports = []
    for municipality in municipalities:
        report = retention_plan(municipality, day)
        reports.append(report)
        if dry_run or report.rule is None:
            continue
        run = RetentionRun.objects.create(
            municipality=municipality,
            rule=report.rule,
            cutoff=report.cutoff,
            found=len(report.due),
            actor_label=audit.actor_label(actor),
        )
        for employee in report.due:
            try:
                person_anonymise(employee=employee, actor=actor)
            except ValidationError:
                continue  # anonymised meanwhile by someone else
            report.anonymised += 1
        RetentionRun.objects.filter(pk=run.pk).update(
            anonymised=report.anonymised, finished_at=timezone.now()
        )
        audit.record(
            "privacy.retention.run",
            actor=actor,
            obj=run,
            object_repr=str(report.rule),
            changes={"people": [0, report.anonymised], "cutoff": [None, report.cutoff]},
        )
    return reports
