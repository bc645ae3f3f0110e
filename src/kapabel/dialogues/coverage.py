"""Coverage for the MED committee: per unit (its whole subtree) the share of active employees with a
dialogue held in the last 12 months and with a current agreed plan, follow-ups overdue, requests not
yet honoured, and the trend by year. Aggregates only — never a note, a plan's content or a name.

Figures come from the per-person `Summary` in one grouped query over the subtree's employees, and
the trend from one pass over the held dialogues. For a viewer who may not read every person in a
unit individually (an employee representative looking at their own unit), groups smaller than the
municipality's smallest group (the gap analysis setting) are suppressed, with the same secondary
suppression as the gap analysis so a hidden unit cannot be worked out from its parent."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from kapabel.core.access import subtree_q
from kapabel.dialogues import permissions
from kapabel.dialogues.models import Dialogue
from kapabel.gaps.definition import settings_for
from kapabel.gaps.selectors.suppression import suppress_group
from kapabel.organisation.models import Employee, OrgUnit

TREND_YEARS = 4
FIGURES = ("employees", "held_last_12_months", "current_plans", "overdue_follow_ups", "open_requests")


@dataclass
class Row:
    unit: OrgUnit
    employees: int | None = 0
    held_last_12_months: int | None = 0
    current_plans: int | None = 0
    overdue_follow_ups: int | None = 0
    open_requests: int | None = 0
    suppressed: bool = False

    @property
    def held_share(self) -> float | None:
        return (
            self.held_last_12_months / self.employees
            if self.employees and self.held_last_12_months is not None
            else None
        )

    @property
    def plan_share(self) -> float | None:
        return (
            self.current_plans / self.employees if self.employees and self.current_plans is not None else None
        )

    def hide(self) -> None:
        for name in FIGURES:
            setattr(self, name, None)
        self.suppressed = True

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit.pk,
            "unit_name": self.unit.name,
            **{name: getattr(self, name) for name in FIGURES},
            "held_share": self.held_share,
            "plan_share": self.plan_share,
            "suppressed": self.suppressed,
        }


@dataclass
class Coverage:
    total: Row
    units: list[Row]
    trend: list[dict[str, Any]] = field(default_factory=list)
    minimum: int = 0


def _counts(unit: OrgUnit, today: datetime.date) -> dict[int, dict[str, Any]]:
    """{unit id: figures} for the active employees of each unit in the subtree: one grouped query
    over the employees joined to their summary (the units' paths are read on their own, so the
    municipality's root needs no join to the units at all)."""
    since = timezone.now() - datetime.timedelta(days=365)
    paths = dict(
        OrgUnit.objects.filter(municipality_id=unit.municipality_id)
        .filter(subtree_q(unit.path))
        .values_list("pk", "path")
    )
    people = Employee.objects.filter(municipality_id=unit.municipality_id, active=True)
    if unit.parent_id is not None:
        people = people.filter(unit_id__in=list(paths))
    rows = (
        people.values("unit_id")
        .annotate(
            employees=Count("pk"),
            held_last_12_months=Count("pk", filter=Q(dialogue_summary__last_held_at__gte=since)),
            current_plans=Count("pk", filter=Q(dialogue_summary__plan_agreed_until__gte=today)),
            overdue_follow_ups=Count("pk", filter=Q(dialogue_summary__follow_up_due_on__lt=today)),
            open_requests=Count("pk", filter=Q(dialogue_summary__open_request_since__isnull=False)),
        )
        .order_by()
    )
    return {
        r["unit_id"]: {**r, "unit__path": paths.get(r["unit_id"], "")} for r in rows if r["unit_id"] in paths
    }


def _trend(unit: OrgUnit, today: datetime.date) -> list[dict[str, Any]]:
    """People with a dialogue held, per calendar year (the last four), from the (municipality,
    held_year, employee) index."""
    years = list(range(today.year - TREND_YEARS + 1, today.year + 1))
    held = Dialogue.objects.filter(
        municipality_id=unit.municipality_id, held_year__gte=years[0], held_year__lte=years[-1]
    )
    if unit.parent_id is not None:
        held = held.filter(subtree_q(unit.path, "employee__unit__path"))
    figures = dict(
        held.values("held_year")
        .annotate(n=Count("employee_id", distinct=True))
        .values_list("held_year", "n")
        .order_by()
    )
    return [{"year": y, "held": figures.get(y, 0)} for y in years]


def coverage(user: Any, unit: OrgUnit) -> Coverage:
    """The unit's coverage, with one row per unit directly below it (the caller checked that the user
    may see `unit`)."""
    today = timezone.localdate()
    counts = _counts(unit, today)
    children = list(OrgUnit.objects.filter(parent=unit, active=True).order_by("name", "pk"))
    total = Row(unit)
    rows = {child.pk: Row(child) for child in children}
    child_paths = [(child.path, rows[child.pk]) for child in children]
    for figures in counts.values():
        target = next((row for path, row in child_paths if figures["unit__path"].startswith(path)), None)
        for row in (total, target) if target is not None else (total,):
            for name in FIGURES:
                setattr(row, name, getattr(row, name) + figures[name])
    shown = [rows[c.pk] for c in children if rows[c.pk].employees]
    minimum = 0
    if permissions.readers_suppressed(user, unit):
        minimum = settings_for(unit.municipality_id).min_group_size
        parent_hidden, hidden = suppress_group(
            total.employees or 0, {row.unit.pk: row.employees or 0 for row in shown}, minimum
        )
        if parent_hidden:
            total.hide()
        for row in shown:
            if row.unit.pk in hidden:
                row.hide()
    trend = _trend(unit, today)
    if total.suppressed:
        trend = [{"year": t["year"], "held": None} for t in trend]
    return Coverage(total=total, units=shown, trend=trend, minimum=minimum)
