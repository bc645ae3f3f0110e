"""The organisation's actions in words, for the audit log page (kapabel.core.audit.present)."""

from django.utils.translation import gettext_lazy as _

ACTIONS = {
    "organisation.municipality.created": _("Created a municipality"),
    "organisation.unit.created": _("Created a unit"),
    "organisation.unit.bulk_created": _("Created units"),
    "organisation.unit.updated": _("Changed a unit"),
    "organisation.unit.managers_changed": _("Changed the managers of a unit"),
    "organisation.job_role.created": _("Created a job role"),
    "organisation.job_role.updated": _("Changed a job role"),
    "organisation.employee.created": _("Created an employee"),
    "organisation.employee.bulk_created": _("Created employees"),
    "organisation.employee.updated": _("Changed an employee"),
    "organisation.employee.user_linked": _("Linked an employee to a login"),
    "organisation.employee.viewed": _("Opened a person's page"),
    "organisation.hr_import.applied": _("Imported HR data"),
    "organisation.hr_import.discarded": _("Discarded an HR import"),
}
