"""API for the gap analysis: person profile, heatmap, priorities and trend. Same selectors, the same
permission-checked fetches and the same suppression as the HTML views."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from kapabel.competences.models import Competence
from kapabel.core import audit
from kapabel.core.api_schema import Id
from kapabel.core.web import request_user
from kapabel.gaps import permissions, selectors
from kapabel.gaps.forms import TrendForm
from kapabel.organisation.models import Employee

router = Router(tags=["gaps"])


class CellOut(Schema):
    competence_id: int
    people: int | None
    known: int | None
    below: int | None
    share_below: float | None
    mean_gap: float | None
    weighted_gap_sum: int | None
    suppressed: bool


class HeatmapRowOut(Schema):
    unit_id: int
    unit_name: str
    has_children: bool
    is_focus: bool
    cells: list[CellOut]


class GapCompetenceOut(Schema):
    id: int
    code: str
    name: str


class HeatmapOut(Schema):
    unit_id: int | None
    min_group_size: int
    competences: list[GapCompetenceOut]
    rows: list[HeatmapRowOut]


class ProfileRowOut(Schema):
    competence: GapCompetenceOut
    target: int
    importance: str
    target_source: str
    self_level: int | None
    manager_level: int | None
    agreed_level: int | None
    level: int | None
    gap: int | None
    weighted_gap: int | None


class PersonProfileOut(Schema):
    employee_id: int
    rows: list[ProfileRowOut]
    total_weighted_gap: int
    unknown: int


class LeaderImportanceOut(Schema):
    respondents: int
    suppressed: bool
    importance_now: float | None = Field(None, description="Mean importance weight the leaders gave now")
    importance_future: float | None = Field(None, description="Mean importance weight in three years")
    factor: float = Field(description="How the leaders' importance moves the priority (1: not at all)")


class PriorityOut(Schema):
    competence: GapCompetenceOut
    suppressed: bool
    priority: float | None = Field(description="Total weighted gap times the leaders' factor")
    weighted_gap_sum: int | None
    below: int | None
    known: int | None
    unknown: int | None
    leaders: LeaderImportanceOut | None


class GroupOut(Schema):
    competence: GapCompetenceOut
    job_role_id: int | None
    job_role_title: str | None
    unit_id: int
    unit_name: str
    people: int
    weighted_gap_sum: int


class PrioritiesOut(Schema):
    unit_id: int
    min_group_size: int
    competences: list[PriorityOut]
    groups: list[GroupOut]


class TrendQuery(Schema):
    a: Id | None = Field(None, description="The first campaign")
    b: Id | None = Field(None, description="The second campaign")
    date_from: datetime.date | None = Field(None, alias="from", description="Or the first date")
    date_to: datetime.date | None = Field(None, alias="to", description="And the second date")


class TrendCompetenceOut(Schema):
    competence: GapCompetenceOut
    people: int | None
    suppressed: bool
    mean_gap_a: float | None
    mean_gap_b: float | None
    closed: float | None


class TrendUnitOut(Schema):
    unit_id: int
    unit_name: str
    cells: list[TrendCompetenceOut]


class TrendOut(Schema):
    unit_id: int
    min_group_size: int
    campaign_a_id: int | None
    campaign_b_id: int | None
    date_a: datetime.date | None
    date_b: datetime.date | None
    competences: list[TrendCompetenceOut]
    units: list[TrendUnitOut]


def _competence(c: Competence) -> dict[str, Any]:
    return {"id": c.pk, "code": c.code, "name": c.name}


def _cell(cell: selectors.Cell) -> dict[str, Any]:
    hidden = cell.suppressed
    return {
        "competence_id": cell.competence_id,
        "people": None if hidden else cell.people,
        "known": None if hidden else cell.known,
        "below": None if hidden else cell.below,
        "share_below": cell.share_below,
        "mean_gap": cell.mean_gap,
        "weighted_gap_sum": None if hidden else cell.weighted_gap_sum,
        "suppressed": hidden,
    }


def _heatmap(data: selectors.Heatmap) -> dict[str, Any]:
    return {
        "unit_id": data.focus.pk if data.focus else None,
        "min_group_size": data.minimum,
        "competences": [_competence(c) for c in data.competences],
        "rows": [
            {
                "unit_id": r.unit.pk,
                "unit_name": r.unit.name,
                "has_children": r.has_children,
                "is_focus": r.is_focus,
                "cells": [_cell(c) for c in r.cells],
            }
            for r in data.rows
        ],
    }


@router.get(
    "/gaps/heatmap", response=HeatmapOut, summary="Heatmap of the units at the top of what you may see"
)
def heatmap_top(request: HttpRequest) -> dict[str, Any]:
    return _heatmap(selectors.heatmap(request_user(request)))


@router.get(
    "/gaps/units/{unit_id}/heatmap", response=HeatmapOut, summary="Heatmap of a unit and the units below it"
)
def heatmap_unit(request: HttpRequest, unit_id: int) -> dict[str, Any]:
    user = request_user(request)
    unit = permissions.get_unit_for_user(user, unit_id)
    return _heatmap(selectors.heatmap(user, unit))


def _leaders(leader: Any) -> dict[str, Any] | None:
    if leader is None:
        return None
    return {
        "respondents": leader.respondents,
        "suppressed": leader.suppressed,
        "importance_now": None if leader.suppressed else leader.now,
        "importance_future": None if leader.suppressed else leader.future,
        "factor": leader.factor,
    }


@router.get(
    "/gaps/units/{unit_id}/priorities", response=PrioritiesOut, summary="Competences ranked by weighted gap"
)
def priorities(request: HttpRequest, unit_id: int) -> dict[str, Any]:
    user = request_user(request)
    unit = permissions.get_unit_for_user(user, unit_id)
    data = selectors.priorities(user, unit)
    return {
        "unit_id": unit.pk,
        "min_group_size": data["minimum"],
        "competences": [
            {
                "competence": _competence(r["competence"]),
                "suppressed": r["cell"].suppressed,
                "priority": None if r["cell"].suppressed else r["score"],
                "leaders": _leaders(r["leader"]),
                **{
                    k: None if r["cell"].suppressed else getattr(r["cell"], a)
                    for k, a in (
                        ("weighted_gap_sum", "weighted_gap_sum"),
                        ("below", "below"),
                        ("known", "known"),
                        ("unknown", "unknown"),
                    )
                },
            }
            for r in data["rows"]
        ],
        "groups": [
            {
                "competence": _competence(g["competence"]),
                "job_role_id": g["job_role_id"],
                "job_role_title": g["job_role__title"],
                "unit_id": g["unit_id"],
                "unit_name": g["unit__name"],
                "people": g["people"],
                "weighted_gap_sum": g["weighted"],
            }
            for g in data["groups"]
        ],
    }


def _trend_figures(competence: Competence, figures: dict[str, Any]) -> dict[str, Any]:
    return {
        "competence": _competence(competence),
        "people": None if figures["suppressed"] else figures["people"],
        "suppressed": figures["suppressed"],
        "mean_gap_a": figures["mean_a"],
        "mean_gap_b": figures["mean_b"],
        "closed": figures["closed"],
    }


@router.get(
    "/gaps/units/{unit_id}/trend",
    response=TrendOut,
    summary="Gap closed between two campaigns or two dates (by default the last two campaigns)",
)
def trend(request: HttpRequest, unit_id: int, query: Query[TrendQuery]) -> dict[str, Any]:
    user = request_user(request)
    unit = permissions.get_unit_for_user(user, unit_id)
    if any(request.GET.get(name) for name in ("a", "b", "from", "to")):
        # The same checks as the page: two different campaigns in order, or two dates in order.
        form = TrendForm(request.GET, campaigns=selectors.campaigns_for(user, unit))
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
    choice = selectors.trend_choice(
        user, unit, a=query.a, b=query.b, date_a=query.date_from, date_b=query.date_to
    )
    data: dict[str, Any] = {"competences": [], "rows": [], "unit_rows": []}
    if choice.ready:
        data = selectors.trend(user, unit, a=choice.a, b=choice.b, date_a=choice.date_a, date_b=choice.date_b)
    return {
        "unit_id": unit.pk,
        "min_group_size": selectors.minimum_group_size(unit),
        "campaign_a_id": choice.a.pk if choice.a else None,
        "campaign_b_id": choice.b.pk if choice.b else None,
        "date_a": choice.date_a,
        "date_b": choice.date_b,
        "competences": [_trend_figures(r["competence"], r) for r in data["rows"]],
        "units": [
            {
                "unit_id": r["unit"].pk,
                "unit_name": r["unit"].name,
                "cells": [
                    _trend_figures(c, cell) for c, cell in zip(data["competences"], r["cells"], strict=True)
                ],
            }
            for r in data["unit_rows"]
        ],
    }


def _profile(employee: Employee) -> dict[str, Any]:
    data = selectors.person_profile(employee)
    return {
        "employee_id": employee.pk,
        "rows": [{**r.__dict__, "competence": _competence(r.competence)} for r in data["rows"]],
        "total_weighted_gap": data["total_weighted_gap"],
        "unknown": data["unknown"],
    }


@router.get(
    "/gaps/people/{employee_id}/profile", response=PersonProfileOut, summary="A person's targets and levels"
)
def person_profile(request: HttpRequest, employee_id: int) -> dict[str, Any]:
    user = request_user(request)
    employee = permissions.get_employee_for_user(user, employee_id)
    audit.audit_read(user, employee, action="gaps.person.viewed")
    return _profile(employee)


@router.get("/gaps/me/profile", response=PersonProfileOut | None, summary="Your own targets and levels")
def my_profile(request: HttpRequest) -> dict[str, Any] | None:
    employee = permissions.get_own_employee(request_user(request))
    return None if employee is None else _profile(employee)
