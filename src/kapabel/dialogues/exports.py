"""The dialogue exports, written through `kapabel.core.exports`: the overview of a cycle per unit
(status per person, no content) and the coverage table. Neither holds a note, an agreement, a
preparation or a plan's content."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from kapabel.core.exports import Column, Format, Sheet
from kapabel.dialogues.coverage import Coverage
from kapabel.dialogues.models import Cycle
from kapabel.dialogues.selectors import PersonRow


def export_format(value: str | None) -> Format | None:
    if value == "xlsx":
        return "xlsx"
    if value == "csv":
        return "csv"
    return None


def _local(value: Any) -> Any:
    return timezone.localtime(value).replace(tzinfo=None) if value else None


def cycle_sheet(cycle: Cycle, rows: list[PersonRow]) -> Sheet:
    columns = [
        Column(_("Name")),
        Column(_("Unit")),
        Column(_("Kind")),
        Column(_("Window opens"), "date"),
        Column(_("Due"), "date"),
        Column(_("Status")),
        Column(_("Booked for")),
        Column(_("Held"), "date"),
        Column(_("Asked for by the person"), "date"),
    ]
    data = [
        [
            row.dialogue.employee.name,
            row.dialogue.employee.unit.name,
            row.dialogue.get_kind_display(),
            row.dialogue.window_opens,
            row.dialogue.due_on,
            str(row.status_label),
            _local(row.dialogue.starts_at).strftime("%Y-%m-%d %H:%M") if row.dialogue.starts_at else None,
            _local(row.dialogue.held_at).date() if row.dialogue.held_at else None,
            _local(row.dialogue.requested_at).date() if row.dialogue.requested_at else None,
        ]
        for row in rows
    ]
    return Sheet(title=cycle.name, columns=columns, rows=data)


def coverage_sheet(result: Coverage) -> Sheet:
    columns = [
        Column(_("Unit")),
        Column(_("Employees"), "int"),
        Column(_("Dialogue held in the last 12 months"), "int"),
        Column(_("Share held"), "pct"),
        Column(_("Current plan"), "int"),
        Column(_("Share with a plan"), "pct"),
        Column(_("Follow-ups overdue"), "int"),
        Column(_("Requests not yet honoured"), "int"),
    ]
    data = [
        [
            row.unit.name,
            row.employees,
            row.held_last_12_months,
            row.held_share,
            row.current_plans,
            row.plan_share,
            row.overdue_follow_ups,
            row.open_requests,
        ]
        for row in [result.total, *result.units]
    ]
    return Sheet(title=_("Coverage"), columns=columns, rows=data)
