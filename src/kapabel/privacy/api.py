"""API for a person's data as a whole: the GDPR export (JSON or XLSX) and anonymisation, and a dry
run of a municipality's retention rule. Same permission helpers and services as the pages."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router, Schema

from kapabel.core import exports
from kapabel.core.api_auth import require_write_scope
from kapabel.core.web import request_user
from kapabel.privacy import permissions, services

router = Router(tags=["data protection"])


class ExportRecordSection(Schema):
    key: str
    title: str
    records: list[dict[str, Any]]


class ExportPart(Schema):
    key: str
    title: str
    sections: list[ExportRecordSection]


class ExportPerson(Schema):
    employee_id: int
    name: str
    municipality: str


class PersonExportOut(Schema):
    format: str
    version: int
    generated_at: datetime.datetime
    person: ExportPerson
    parts: list[ExportPart]


class AnonymisedOut(Schema):
    employee_id: int
    anonymised_at: datetime.datetime
    audit_event_id: int


class AnonymisationOut(Schema):
    employee_id: int
    active: bool
    anonymised_at: datetime.datetime | None
    may_anonymise: bool


class DuePersonOut(Schema):
    employee_id: int
    name: str
    employment_end: datetime.date


class RetentionPlanOut(Schema):
    municipality_id: int
    rule_years: int | None
    rule_valid_from: datetime.date | None
    rule_source: str
    left_on_or_before: datetime.date | None
    due: list[DuePersonOut]
    without_end_date: int


@router.get(
    "/employees/{employee_id}/personal-data",
    response=PersonExportOut,
    summary="Everything Kapabel holds about a person (GDPR export; administrators and municipality-wide HR)",
)
def person_export(request: HttpRequest, employee_id: int) -> Any:
    user = request_user(request)
    employee = permissions.get_person_for_user(user, employee_id)
    return services.export_document(employee, actor=user)


@router.get(
    "/employees/{employee_id}/personal-data.xlsx",
    summary="The GDPR export as a spreadsheet",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {
                "description": "The workbook",
                "content": {exports.XLSX_CONTENT_TYPE: {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def person_export_xlsx(request: HttpRequest, employee_id: int) -> HttpResponse:
    user = request_user(request)
    employee = permissions.get_person_for_user(user, employee_id)
    return exports.file_response(
        services.export_xlsx(employee, actor=user),
        content_type=exports.XLSX_CONTENT_TYPE,
        filename=f"{services.export_filename(employee)}.xlsx",
    )


@router.get(
    "/employees/{employee_id}/anonymise",
    response=AnonymisationOut,
    summary="Whether the person is anonymised, and whether you may anonymise them",
)
def person_anonymisation(request: HttpRequest, employee_id: int) -> Any:
    user = request_user(request)
    employee = permissions.get_person_for_user(user, employee_id)
    return {
        "employee_id": employee.pk,
        "active": employee.active,
        "anonymised_at": employee.anonymised_at,
        "may_anonymise": employee.anonymised_at is None
        and permissions.can_anonymise(user, employee.municipality_id),
    }


@router.post(
    "/employees/{employee_id}/anonymise",
    response=AnonymisedOut,
    summary="Anonymise a person, irreversibly (municipality administrators)",
)
def person_anonymise(request: HttpRequest, employee_id: int) -> Any:
    user = request_user(request)
    employee = permissions.get_person_for_user(user, employee_id)
    permissions.require_anonymise(user, employee.municipality_id)
    require_write_scope(request)
    event = services.person_anonymise(employee=employee, actor=user)
    employee.refresh_from_db()
    return {"employee_id": employee.pk, "anonymised_at": employee.anonymised_at, "audit_event_id": event.pk}


@router.get(
    "/municipalities/{municipality_id}/retention",
    response=RetentionPlanOut,
    summary="The retention rule in force and who it reaches today (a dry run; municipality administrators)",
)
def retention_plan(request: HttpRequest, municipality_id: int) -> Any:
    user = request_user(request)
    municipality = permissions.get_municipality_for_retention(user, municipality_id)
    plan = services.retention_plan(municipality, timezone.localdate())
    return {
        "municipality_id": municipality.pk,
        "rule_years": plan.rule.years if plan.rule else None,
        "rule_valid_from": plan.rule.valid_from if plan.rule else None,
        "rule_source": plan.rule.source if plan.rule else "",
        "left_on_or_before": plan.cutoff,
        "due": [{"employee_id": e.pk, "name": e.name, "employment_end": e.employment_end} for e in plan.due],
        "without_end_date": plan.without_end_date,
    }
