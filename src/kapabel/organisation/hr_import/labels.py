"""Translatable labels for the import's counts and sample rows (web page, API, command line)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

COUNTS = [
    ("units_created", _("Units created")),
    ("units_updated", _("Units changed")),
    ("units_moved", _("Units moved")),
    ("units_deactivated", _("Units made inactive")),
    ("job_roles_created", _("Job roles created")),
    ("job_roles_updated", _("Job roles changed")),
    ("employees_created", _("Employees created")),
    ("employees_updated", _("Employees changed")),
    ("employees_moved", _("Employees moved to another unit")),
    ("employees_deactivated", _("Employees made inactive")),
    ("employees_unchanged", _("Employees unchanged")),
    ("managers_added", _("Managers added")),
    ("managers_removed", _("Managers removed")),
]

KINDS = {"unit": _("Unit"), "job_role": _("Job role"), "employee": _("Employee")}
ACTIONS = {
    "created": _("created"),
    "updated": _("changed"),
    "moved": _("moved"),
    "deactivated": _("made inactive"),
}


def shown(value: Any) -> Any:
    """A sample value as people read it: yes/no for booleans, the rest as stored."""
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return value


def count_labels() -> list[tuple[str, str]]:
    return [(key, str(label)) for key, label in COUNTS]
