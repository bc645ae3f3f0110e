"""What the organisation holds about a person (kapabel.core.personal_data): their employee record,
the units they lead, the roles granted to their login, and mentions in HR-import reports.

Anonymising keeps the employee row, its unit, job role, hours, dates and active flag (the gap
statistics are built on them) and blanks the name, e-mail and identifiers; the role grants of the
login go; HR-import reports that echo the person are scrubbed."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy

from kapabel.core.audit import Actor
from kapabel.core.personal_data import Field, Person, Section
from kapabel.organisation.models import Employee, HRImport, OrgUnit, RoleAssignment


class OrganisationData:
    key = "organisation"
    title = gettext_lazy("Employment")

    def export(self, person: Person) -> list[Section]:
        employee = (
            Employee.objects.select_related("municipality", "unit", "job_role")
            .filter(pk=person.employee_id)
            .first()
        )
        sections: list[Section] = []
        if employee is not None:
            sections.append(
                Section(
                    "employee",
                    gettext_lazy("Employee record"),
                    [
                        Field("name", gettext_lazy("Name")),
                        Field("email", gettext_lazy("Work e-mail")),
                        Field("employee_number", gettext_lazy("Employee number")),
                        Field("external_id", gettext_lazy("External id")),
                        Field("municipality", gettext_lazy("Municipality")),
                        Field("unit", gettext_lazy("Unit")),
                        Field("job_role", gettext_lazy("Job role")),
                        Field("weekly_hours", gettext_lazy("Weekly hours"), "dec"),
                        Field("employment_start", gettext_lazy("Employed from"), "date"),
                        Field("employment_end", gettext_lazy("Employed until"), "date"),
                        Field("active", gettext_lazy("Active")),
                        Field("anonymised", gettext_lazy("Anonymised"), "date"),
                    ],
                    [
                        [
                            employee.name,
                            employee.email,
                            employee.employee_number,
                            employee.external_id,
                            employee.municipality.name,
                            employee.unit.name,
                            employee.job_role.title if employee.job_role else "",
                            employee.weekly_hours,
                            employee.employment_start,
                            employee.employment_end,
                            employee.active,
                            employee.anonymised_at,
                        ]
                    ],
                )
            )
        led = OrgUnit.objects.filter(managers=person.employee_id).order_by("path")
        sections.append(
            Section(
                "managed_units",
                gettext_lazy("Units the person leads"),
                [Field("unit", gettext_lazy("Unit")), Field("active", gettext_lazy("Active"))],
                [[unit.name, unit.active] for unit in led],
            )
        )
        if person.user_id is not None:
            grants = (
                RoleAssignment.objects.filter(user_id=person.user_id)
                .select_related("municipality", "unit")
                .order_by("created_at")
            )
            sections.append(
                Section(
                    "role_grants",
                    gettext_lazy("Roles granted"),
                    [
                        Field("role", gettext_lazy("Role")),
                        Field("municipality", gettext_lazy("Municipality")),
                        Field("unit", gettext_lazy("Unit")),
                        Field("since", gettext_lazy("Since"), "date"),
                    ],
                    [
                        [
                            grant.get_role_display(),
                            grant.municipality.name if grant.municipality else "",
                            grant.unit.name if grant.unit else "",
                            grant.created_at,
                        ]
                        for grant in grants
                    ],
                )
            )
        return sections

    def anonymise(self, person: Person, *, actor: Actor) -> int:
        changed = Employee.objects.filter(pk=person.employee_id).update(
            name=person.anonymised_name,
            email="",
            employee_number="",
            external_id=f"anonymised-{person.employee_id}",
            anonymised_at=timezone.now(),
        )
        if person.user_id is not None:
            changed += RoleAssignment.objects.filter(user_id=person.user_id).delete()[0]
        # HR-import reports (the sample of row changes and the problems) may echo the person's row.
        for hr_import in HRImport.objects.filter(municipality_id=person.municipality_id).only(
            "pk", "sample", "problems", "actor_label"
        ):
            sample, problems = person.scrub_json(hr_import.sample), person.scrub_json(hr_import.problems)
            label = (
                person.anonymised_username
                if hr_import.actor_label == person.username
                else hr_import.actor_label
            )
            if (sample, problems, label) != (hr_import.sample, hr_import.problems, hr_import.actor_label):
                HRImport.objects.filter(pk=hr_import.pk).update(
                    sample=sample, problems=problems, actor_label=label
                )
                changed += 1
        return changed
