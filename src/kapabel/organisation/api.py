"""API for units, job roles and employees. Same selectors, permission helpers and services as the
HTML views; nothing here decides on its own who may see or change what."""

from __future__ import annotations

import datetime
import decimal
from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import WithJsonSchema

from kapabel.core import audit
from kapabel.core.api_auth import require_write_scope
from kapabel.core.api_schema import BodySchema, Id, Pagination, choices_schema, id_query, patch_field
from kapabel.core.web import request_user
from kapabel.organisation import permissions, selectors, services
from kapabel.organisation.models import OrgUnit

router = Router(tags=["organisation"])
UnitKind = Annotated[OrgUnit.Kind, WithJsonSchema(choices_schema(OrgUnit.Kind, "UnitKind"))]


# --- Schemas ----------------------------------------------------------------------------------


class UnitOut(Schema):
    id: int
    municipality_id: int
    parent_id: int | None
    name: str
    kind: str
    external_id: str
    depth: int
    active: bool


class UnitIn(BodySchema):
    name: str = Field(min_length=1, max_length=200)
    kind: UnitKind = OrgUnit.Kind.DEPARTMENT
    parent_id: Id | None = None
    municipality_id: Id | None = Field(None, description="Required for a top unit (no parent).")
    external_id: str = ""


class UnitPatch(BodySchema):
    name: str = patch_field(min_length=1, max_length=200)
    kind: UnitKind = patch_field()
    parent_id: Id | None = Field(None, description="null makes the unit a top unit.")
    external_id: str = patch_field()
    active: bool = patch_field()


class JobRoleOut(Schema):
    id: int
    municipality_id: int
    title: str
    code: str
    job_family: str
    external_id: str
    active: bool


class JobRoleIn(BodySchema):
    municipality_id: Id
    title: str = Field(min_length=1, max_length=200)
    code: str = ""
    job_family: str = ""
    external_id: str = ""


class JobRolePatch(BodySchema):
    title: str = patch_field(min_length=1, max_length=200)
    code: str = patch_field()
    job_family: str = patch_field()
    external_id: str = patch_field()
    active: bool = patch_field()


class EmployeeOut(Schema):
    id: int
    municipality_id: int
    external_id: str
    employee_number: str
    name: str
    email: str
    unit_id: int
    job_role_id: int | None
    weekly_hours: decimal.Decimal | None
    employment_start: datetime.date | None
    employment_end: datetime.date | None
    active: bool


class EmployeeIn(BodySchema):
    external_id: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=200)
    unit_id: Id
    employee_number: str = ""
    email: str = ""
    job_role_id: Id | None = None
    weekly_hours: decimal.Decimal | None = None
    employment_start: datetime.date | None = None
    employment_end: datetime.date | None = None


class EmployeePatch(BodySchema):
    name: str = patch_field(min_length=1, max_length=200)
    email: str = patch_field()
    employee_number: str = patch_field()
    unit_id: Id = patch_field()
    job_role_id: Id | None = None
    weekly_hours: decimal.Decimal | None = None
    employment_start: datetime.date | None = None
    employment_end: datetime.date | None = None
    active: bool = patch_field()


# --- Units ------------------------------------------------------------------------------------


@router.get("/units", response=list[UnitOut], summary="List the units you may see")
@paginate(Pagination, page_size=50, max_page_size=500)
def list_units(
    request: HttpRequest,
    q: str = "",
    parent_id: int | None = id_query(),
    kind: str = "",
    active: bool | None = None,
) -> Any:
    units = selectors.units_for_user(request.user).order_by("path")
    if q:
        units = units.filter(name__icontains=q)
    if parent_id is not None:
        units = units.filter(parent_id=parent_id)
    if kind:
        units = units.filter(kind=kind)
    if active is not None:
        units = units.filter(active=active)
    return units


@router.get("/units/{unit_id}", response=UnitOut)
def get_unit(request: HttpRequest, unit_id: int) -> Any:
    return permissions.get_unit_for_user(request.user, unit_id)


@router.post("/units", response={201: UnitOut}, summary="Create a unit (municipality administrators)")
def create_unit(request: HttpRequest, payload: UnitIn) -> Any:
    require_write_scope(request)
    if payload.parent_id is not None:
        parent = permissions.get_unit_for_user(request.user, payload.parent_id)
        municipality = parent.municipality
    elif payload.municipality_id is not None:
        parent = None
        municipality = permissions.get_municipality_for_user(request.user, payload.municipality_id)
    else:
        raise ValidationError({"municipality_id": _("Give parent_id, or municipality_id for a top unit.")})
    permissions.require_manage_organisation(request.user, municipality.pk)
    unit = services.orgunit_create(
        municipality=municipality,
        parent=parent,
        name=payload.name,
        kind=payload.kind,
        external_id=payload.external_id,
        actor=request_user(request),
    )
    return Status(201, unit)


@router.patch(
    "/units/{unit_id}", response=UnitOut, summary="Change or move a unit (municipality administrators)"
)
def update_unit(request: HttpRequest, unit_id: int, payload: UnitPatch) -> Any:
    require_write_scope(request)
    unit = permissions.get_unit_for_user(request.user, unit_id)
    permissions.require_manage_organisation(request.user, unit.municipality_id)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    if "parent_id" in changes:
        parent_id = changes.pop("parent_id")
        changes["parent"] = permissions.get_unit_for_user(request.user, parent_id) if parent_id else None
    return services.orgunit_update(unit=unit, actor=request_user(request), **changes)


# --- Job roles --------------------------------------------------------------------------------


@router.get("/job-roles", response=list[JobRoleOut])
@paginate(Pagination, page_size=50, max_page_size=500)
def list_job_roles(request: HttpRequest, q: str = "", active: bool | None = None) -> Any:
    roles = selectors.job_roles_for_user(request.user)
    if q:
        roles = roles.filter(title__icontains=q)
    if active is not None:
        roles = roles.filter(active=active)
    return roles


@router.get("/job-roles/{job_role_id}", response=JobRoleOut)
def get_job_role(request: HttpRequest, job_role_id: int) -> Any:
    return permissions.get_job_role_for_user(request.user, job_role_id)


@router.post("/job-roles", response={201: JobRoleOut})
def create_job_role(request: HttpRequest, payload: JobRoleIn) -> Any:
    require_write_scope(request)
    municipality = permissions.get_municipality_for_user(request.user, payload.municipality_id)
    permissions.require_manage_organisation(request.user, municipality.pk)
    data = payload.dict(exclude={"municipality_id"})
    return Status(
        201,
        services.jobrole_create(municipality=municipality, actor=request_user(request), **data),
    )


@router.patch("/job-roles/{job_role_id}", response=JobRoleOut)
def update_job_role(request: HttpRequest, job_role_id: int, payload: JobRolePatch) -> Any:
    require_write_scope(request)
    role = permissions.get_job_role_for_user(request.user, job_role_id)
    permissions.require_manage_organisation(request.user, role.municipality_id)
    return services.jobrole_update(
        job_role=role, actor=request_user(request), **payload.dict(exclude_unset=True)
    )


# --- Employees --------------------------------------------------------------------------------


@router.get("/employees", response=list[EmployeeOut], summary="List the employees you may see")
@paginate(Pagination, page_size=50, max_page_size=500)
def list_employees(
    request: HttpRequest,
    q: str = "",
    unit_id: int | None = id_query("Only this unit and the units below it"),
    job_role_id: int | None = id_query(),
    active: bool | None = True,
) -> Any:
    unit = permissions.get_unit_for_user(request.user, unit_id) if unit_id else None
    job_role = permissions.get_job_role_for_user(request.user, job_role_id) if job_role_id else None
    return selectors.employees_for_user(request.user, search=q, unit=unit, job_role=job_role, active=active)


@router.get("/employees/{employee_id}", response=EmployeeOut)
def get_employee(request: HttpRequest, employee_id: int) -> Any:
    employee = permissions.get_employee_for_user(request.user, employee_id)
    audit.audit_read(request_user(request), employee, action="organisation.employee.viewed")
    return employee


def _resolve_refs(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    """Replace unit_id / job_role_id with objects the user may see (404 otherwise)."""
    if "unit_id" in data:
        data["unit"] = permissions.get_unit_for_user(request.user, data.pop("unit_id"))
    if "job_role_id" in data:
        job_role_id = data.pop("job_role_id")
        data["job_role"] = (
            permissions.get_job_role_for_user(request.user, job_role_id) if job_role_id else None
        )
    return data


@router.post("/employees", response={201: EmployeeOut})
def create_employee(request: HttpRequest, payload: EmployeeIn) -> Any:
    require_write_scope(request)
    data = _resolve_refs(request, payload.dict())
    permissions.require_manage_organisation(request.user, data["unit"].municipality_id)
    return Status(
        201,
        services.employee_create(municipality=data["unit"].municipality, actor=request_user(request), **data),
    )


@router.patch("/employees/{employee_id}", response=EmployeeOut)
def update_employee(request: HttpRequest, employee_id: int, payload: EmployeePatch) -> Any:
    require_write_scope(request)
    employee = permissions.get_employee_for_user(request.user, employee_id)
    permissions.require_manage_organisation(request.user, employee.municipality_id)
    data = _resolve_refs(request, payload.dict(exclude_unset=True))
    return services.employee_update(employee=employee, actor=request_user(request), **data)
