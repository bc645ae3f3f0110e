"""Writes to the organisation: every change goes through here, validates, runs in a transaction
and leaves an audit event. Views, the API, the HR import and the demo all call these.

Municipalities, units, job roles and employees are here; logins and granted roles in `accounts`
(re-exported below, so `from kapabel.organisation import services` reaches them all)."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from kapabel.core import announce, audit
from kapabel.core.access import subtree_q
from kapabel.core.audit import Actor
from kapabel.core.models import Municipality
from kapabel.organisation.models import Employee, JobRole, OrgUnit

UNIT_FIELDS = ("name", "kind", "external_id", "parent", "active")
JOB_ROLE_FIELDS = ("title", "code", "job_family", "external_id", "active")
EMPLOYEE_FIELDS = (
    "external_id",
    "employee_number",
    "name",
    "email",
    "unit",
    "job_role",
    "weekly_hours",
    "employment_start",
    "employment_end",
    "active",
)

# "Not given" for the keyword arguments of update services (None is a value: "no job role").
_UNSET: Any = object()


def _given(**values: Any) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not _UNSET}


@transaction.atomic
def municipality_create(*, name: str, kommunekode: str, cvr: str = "", actor: Actor) -> Municipality:
    """A new tenant. A code that is not three digits, or one another municipality has, is refused with
    a message saying so (also when two requests race for the same code)."""
    name, kommunekode, cvr = name.strip(), kommunekode.strip(), cvr.strip()
    municipality = Municipality(name=name, kommunekode=kommunekode, cvr=cvr)
    municipality.full_clean(validate_unique=False)
    taken = _code_taken(kommunekode)
    if taken is not None:
        raise taken
    try:
        with transaction.atomic():  # a savepoint: a lost race ends as the same message, not a 500
            municipality.save()
    except IntegrityError:
        raise _code_taken(kommunekode) or ValidationError(
            {"kommunekode": _("The municipality could not be saved. Try again.")}
        ) from None
    # Not `audit.create_audited`: the event belongs to the new municipality itself, whose key exists
    # only once it is saved (a municipality has no `municipality_id` for the audit log to read).
    audit.record(
        "organisation.municipality.created",
        actor=actor,
        obj=municipality,
        municipality_id=municipality.pk,
        changes=audit.diff({}, audit.snapshot(municipality, ("name", "kommunekode"))),
    )
    return municipality


def _code_taken(kommunekode: str) -> ValidationError | None:
    existing = Municipality.objects.filter(kommunekode=kommunekode).first()
    if existing is None:
        return None
    return ValidationError(
        {
            "kommunekode": _("There is already a municipality with the code %(code)s: %(name)s.")
            % {"code": kommunekode, "name": existing.name}
        }
    )


# --- Units ------------------------------------------------------------------------------------


def _check_parent(municipality: Municipality, parent: OrgUnit | None) -> None:
    if parent is not None and parent.municipality_id != municipality.pk:
        raise ValidationError({"parent": _("The parent unit belongs to another municipality.")})


@transaction.atomic
def orgunit_create(
    *,
    municipality: Municipality,
    name: str,
    parent: OrgUnit | None = None,
    kind: str = OrgUnit.Kind.DEPARTMENT,
    external_id: str = "",
    actor: Actor,
) -> OrgUnit:
    _check_parent(municipality, parent)
    unit = OrgUnit(municipality=municipality, parent=parent, name=name, kind=kind, external_id=external_id)
    audit.create_audited(
        unit, fields=UNIT_FIELDS, action="organisation.unit.created", actor=actor, exclude=["path", "depth"]
    )
    # The path holds the unit's own primary key, so it is set once the row has one.
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.depth = parent.depth + 1 if parent else 0
    unit.save(update_fields=["path", "depth"])
    return unit


@transaction.atomic
def orgunits_bulk_create(
    *, municipality: Municipality, units: Sequence[dict[str, Any]], actor: Actor
) -> list[OrgUnit]:
    """Create many units at once (the demo, the HR import). Each dict has name, kind, external_id and
    `parent`: an existing OrgUnit, the external_id of a unit earlier in `units`, or None. Units are
    inserted level by level so each level's paths can be derived from its parents' keys."""
    by_external: dict[str, OrgUnit] = {}
    pending = list(units)
    created: list[OrgUnit] = []
    while pending:
        ready, waiting = [], []
        for spec in pending:
            parent = spec.get("parent")
            if isinstance(parent, str):
                parent = by_external.get(parent)
                if parent is None:
                    waiting.append(spec)
                    continue
            ready.append((spec, parent))
        if not ready:
            raise ValidationError(_("Some units refer to a parent that does not exist or form a cycle."))
        rows = []
        for spec, parent in ready:
            _check_parent(municipality, parent)
            unit = OrgUnit(
                municipality=municipality,
                parent=parent,
                name=spec["name"],
                kind=spec.get("kind", OrgUnit.Kind.DEPARTMENT),
                external_id=spec.get("external_id", ""),
                depth=parent.depth + 1 if parent else 0,
            )
            unit.full_clean(exclude=["path", "depth", "parent", "municipality"], validate_constraints=False)
            rows.append(unit)
        OrgUnit.objects.bulk_create(rows)
        for unit in rows:
            unit.path = f"{unit.parent.path if unit.parent else '/'}{unit.pk}/"
            if unit.external_id:
                by_external[unit.external_id] = unit
        OrgUnit.objects.bulk_update(rows, ["path"])
        created.extend(rows)
        pending = waiting
    audit.record(
        "organisation.unit.bulk_created",
        actor=actor,
        municipality_id=municipality.pk,
        object_type="organisation.orgunit",
        object_repr=_("%(count)d units") % {"count": len(created)},
        changes={"count": [0, len(created)]},
    )
    return created


def _move(unit: OrgUnit, new_parent: OrgUnit | None) -> None:
    """Re-root `unit`'s subtree under `new_parent` with one UPDATE of the affected paths."""
    if new_parent is not None and new_parent.path.startswith(unit.path):
        raise ValidationError({"parent": _("A unit cannot be moved below itself or one of its own units.")})
    old_path = unit.path
    new_path = f"{new_parent.path if new_parent else '/'}{unit.pk}/"
    depth_delta = (new_parent.depth + 1 if new_parent else 0) - unit.depth
    OrgUnit.objects.filter(subtree_q(old_path)).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_delta,
    )
    unit.path, unit.depth = new_path, unit.depth + depth_delta


@transaction.atomic
def orgunit_update(
    *,
    unit: OrgUnit,
    actor: Actor,
    name: str = _UNSET,
    kind: str = _UNSET,
    external_id: str = _UNSET,
    parent: OrgUnit | None = _UNSET,
    active: bool = _UNSET,
) -> OrgUnit:
    """Rename, re-classify or move a unit. A move carries the whole subtree and its people along."""
    before = audit.snapshot(unit, UNIT_FIELDS)
    for name_, value in (("name", name), ("kind", kind), ("external_id", external_id), ("active", active)):
        if value is not _UNSET:
            setattr(unit, name_, value)
    moved_from = None
    if parent is not _UNSET and (parent.pk if parent else None) != unit.parent_id:
        _check_parent(unit.municipality, parent)
        moved_from = unit.path
        _move(unit, parent)
        unit.parent = parent
    unit.full_clean(exclude=["path", "depth"])
    unit.save()
    if moved_from is not None:
        announce.unit_moved(unit, moved_from)
    changes = audit.diff(before, audit.snapshot(unit, UNIT_FIELDS))
    if changes:
        audit.record("organisation.unit.updated", actor=actor, obj=unit, changes=changes)
    return unit


@transaction.atomic
def orgunit_set_managers(*, unit: OrgUnit, managers: Sequence[Employee], actor: Actor) -> OrgUnit:
    for manager in managers:
        if manager.municipality_id != unit.municipality_id:
            raise ValidationError({"managers": _("A manager must be employed in the same municipality.")})
    before = sorted(unit.managers.values_list("pk", flat=True))
    after = sorted(m.pk for m in managers)
    if before != after:
        unit.managers.set(managers)
        audit.record(
            "organisation.unit.managers_changed", actor=actor, obj=unit, changes={"managers": [before, after]}
        )
    return unit


# --- Job roles --------------------------------------------------------------------------------


@transaction.atomic
def jobrole_create(
    *,
    municipality: Municipality,
    title: str,
    code: str = "",
    job_family: str = "",
    external_id: str = "",
    actor: Actor,
) -> JobRole:
    role = JobRole(
        municipality=municipality, title=title, code=code, job_family=job_family, external_id=external_id
    )
    audit.create_audited(role, fields=JOB_ROLE_FIELDS, action="organisation.job_role.created", actor=actor)
    return role


@transaction.atomic
def jobrole_update(
    *,
    job_role: JobRole,
    actor: Actor,
    title: str = _UNSET,
    code: str = _UNSET,
    job_family: str = _UNSET,
    external_id: str = _UNSET,
    active: bool = _UNSET,
) -> JobRole:
    """Change a job role; only the arguments given are changed."""
    values = _given(title=title, code=code, job_family=job_family, external_id=external_id, active=active)
    audit.update_audited(
        job_role, fields=JOB_ROLE_FIELDS, values=values, action="organisation.job_role.updated", actor=actor
    )
    return job_role


# --- Employees --------------------------------------------------------------------------------


def _check_employee_refs(employee: Employee) -> None:
    errors = {}
    if employee.unit_id is not None and employee.unit.municipality_id != employee.municipality_id:
        errors["unit"] = _("The unit belongs to another municipality.")
    if employee.job_role is not None and employee.job_role.municipality_id != employee.municipality_id:
        errors["job_role"] = _("The job role belongs to another municipality.")
    if (
        employee.employment_start
        and employee.employment_end
        and employee.employment_end < employee.employment_start
    ):
        errors["employment_end"] = _("The end date is before the start date.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def employee_create(
    *,
    municipality: Municipality,
    external_id: str,
    name: str,
    unit: OrgUnit,
    actor: Actor,
    employee_number: str = "",
    email: str = "",
    job_role: JobRole | None = None,
    weekly_hours: decimal.Decimal | None = None,
    employment_start: datetime.date | None = None,
    employment_end: datetime.date | None = None,
    active: bool = True,
) -> Employee:
    employee = Employee(
        municipality=municipality,
        external_id=external_id,
        employee_number=employee_number,
        name=name,
        email=email,
        unit=unit,
        job_role=job_role,
        weekly_hours=weekly_hours,
        employment_start=employment_start,
        employment_end=employment_end,
        active=active,
    )
    _check_employee_refs(employee)
    audit.create_audited(
        employee, fields=EMPLOYEE_FIELDS, action="organisation.employee.created", actor=actor
    )
    announce.employees_changed([employee.pk])
    return employee


@transaction.atomic
def employee_update(
    *,
    employee: Employee,
    actor: Actor,
    external_id: str = _UNSET,
    employee_number: str = _UNSET,
    name: str = _UNSET,
    email: str = _UNSET,
    unit: OrgUnit = _UNSET,
    job_role: JobRole | None = _UNSET,
    weekly_hours: decimal.Decimal | None = _UNSET,
    employment_start: datetime.date | None = _UNSET,
    employment_end: datetime.date | None = _UNSET,
    active: bool = _UNSET,
) -> Employee:
    """Change an employee; only the arguments given are changed. A move to another unit keeps all
    their history: it hangs off the employee, not the unit."""
    values = _given(
        external_id=external_id,
        employee_number=employee_number,
        name=name,
        email=email,
        unit=unit,
        job_role=job_role,
        weekly_hours=weekly_hours,
        employment_start=employment_start,
        employment_end=employment_end,
        active=active,
    )
    audit.update_audited(
        employee,
        fields=EMPLOYEE_FIELDS,
        values=values,
        action="organisation.employee.updated",
        actor=actor,
        check=_check_employee_refs,
    )
    announce.employees_changed([employee.pk])
    return employee


@transaction.atomic
def employees_bulk_create(
    *, municipality: Municipality, employees: Sequence[Employee], actor: Actor, batch_size: int = 2000
) -> int:
    """Insert many new employees in one go (the demo, a first HR import). Each is validated like
    `employee_create`; one audit event records the batch."""
    for employee in employees:
        employee.municipality = municipality
        _check_employee_refs(employee)
        employee.full_clean(
            exclude=["unit", "job_role", "municipality", "user"],
            validate_unique=False,
            validate_constraints=False,
        )
    Employee.objects.bulk_create(employees, batch_size=batch_size)
    announce.employees_changed([employee.pk for employee in employees])
    audit.record(
        "organisation.employee.bulk_created",
        actor=actor,
        municipality_id=municipality.pk,
        object_type="organisation.employee",
        object_repr=_("%(count)d employees") % {"count": len(employees)},
        changes={"count": [0, len(employees)]},
    )
    return len(employees)


# Logins and granted roles live in `accounts`; imported here so every caller keeps one import.
from kapabel.organisation.services.accounts import (  # noqa: E402
    USER_FIELDS,
    employee_link_user,
    role_grant,
    role_revoke,
    user_create,
)

__all__ = [
    "EMPLOYEE_FIELDS",
    "JOB_ROLE_FIELDS",
    "UNIT_FIELDS",
    "USER_FIELDS",
    "employee_create",
    "employee_link_user",
    "employee_update",
    "employees_bulk_create",
    "jobrole_create",
    "jobrole_update",
    "municipality_create",
    "orgunit_create",
    "orgunit_set_managers",
    "orgunit_update",
    "orgunits_bulk_create",
    "role_grant",
    "role_revoke",
    "user_create",
]
