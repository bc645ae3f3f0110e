"""HTML views of the gap analysis. Thin: a permission-checked fetch, a selector, a template — or
the same rows as XLSX/CSV when `?export=xlsx|csv` is given (same selector, same access check)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from kapabel.core.access import scope_for
from kapabel.gaps import charts, exports, selectors
from kapabel.gaps.forms import TrendForm
from kapabel.organisation import permissions
from kapabel.organisation import selectors as org_selectors
from kapabel.organisation.models import OrgUnit

EXPORTS = ("xlsx", "csv")


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _export(request: HttpRequest) -> str | None:
    fmt = request.GET.get("export")
    return fmt if fmt in EXPORTS else None


def _crumbs(request: HttpRequest, unit: OrgUnit | None, last: str | None = None) -> list[dict[str, Any]]:
    """Gap analysis › visible ancestors › unit (› last). Ancestors the user may not see are left out."""
    crumbs: list[dict[str, Any]] = [{"label": _("Gap analysis"), "href": reverse("gaps:heatmap")}]
    if unit is not None:
        visible = set(
            org_selectors.units_for_user(request.user)
            .filter(pk__in=unit.ancestor_ids())
            .values_list("pk", flat=True)
        )
        for ancestor in org_selectors.unit_ancestors(unit):
            if ancestor.pk in visible:
                crumbs.append(
                    {
                        "label": ancestor.name,
                        "href": reverse("gaps:heatmap_unit", kwargs={"unit_pk": ancestor.pk}),
                    }
                )
        crumbs.append(
            {
                "label": unit.name,
                "href": reverse("gaps:heatmap_unit", kwargs={"unit_pk": unit.pk}) if last else None,
            }
        )
    if last:
        crumbs.append({"label": last, "href": None})
    return crumbs


def _heatmap_export(data: selectors.Heatmap, fmt: str) -> HttpResponse:
    columns: list[tuple[str, str]] = [(_("Unit"), "text")]
    for competence in data.competences:
        columns += [
            (_("%(competence)s: share below target") % {"competence": competence.name}, "pct"),
            (_("%(competence)s: mean gap") % {"competence": competence.name}, "dec2"),
            (_("%(competence)s: people with a level") % {"competence": competence.name}, "int"),
        ]
    rows = []
    for row in data.rows:
        values: list[Any] = [row.unit.name]
        for cell in row.cells:
            values += [cell.share_below, cell.mean_gap, None if cell.suppressed else cell.known]
        rows.append(values)
    return exports.table_response("heatmap", _("Heatmap"), columns, rows, fmt)


@login_required
def heatmap(request: HttpRequest, unit_pk: int | None = None) -> HttpResponse:
    unit = permissions.get_unit_for_user(request.user, unit_pk) if unit_pk is not None else None
    if unit is not None and request.GET.get("rows") == "children":
        data = selectors.heatmap(request.user, unit, children_only=True)
        return render(request, "gaps/heatmap.html#rows", {"heatmap": data, "rows": data.rows})
    data = selectors.heatmap(request.user, unit)
    fmt = _export(request)
    if fmt:
        return _heatmap_export(data, fmt)
    return render(
        request,
        "gaps/heatmap.html",
        {
            "heatmap": data,
            "rows": data.rows,
            "unit": unit,
            "crumbs": _crumbs(request, unit) if unit else None,
        },
    )


@login_required
def cell(request: HttpRequest, unit_pk: int) -> HttpResponse:
    """Drill-down from a heatmap cell: the unit's figure and the people behind it the user may see."""
    unit = permissions.get_unit_for_user(request.user, unit_pk)
    try:
        competence = selectors.visible_competence(request.user, unit, int(request.GET.get("competence", "")))
    except ValueError:
        competence = None
    if competence is None:
        raise Http404
    data = selectors.heatmap(request.user, unit)
    index = [c.pk for c in data.competences].index(competence.pk)
    figure = data.rows[0].cells[index]
    people = selectors.cell_people(request.user, unit, competence)
    fmt = _export(request)
    if fmt:
        columns = [
            (_("Name"), "text"),
            (_("Unit"), "text"),
            (_("Job role"), "text"),
            (_("Target"), "int"),
            (_("Current level"), "int"),
            (_("Gap"), "int"),
            (_("Weighted gap"), "int"),
        ]
        rows = [
            [
                f.employee.name,
                f.unit.name,
                f.job_role.title if f.job_role else "",
                f.target_level,
                f.level,
                f.gap,
                f.weighted_gap,
            ]
            for f in people
        ]
        return exports.table_response("people", competence.name, columns, rows, fmt)
    return render(
        request,
        "gaps/cell.html",
        {
            "unit": unit,
            "competence": competence,
            "figure": figure,
            "page": Paginator(people, 50).get_page(request.GET.get("page")),
            "crumbs": _crumbs(request, unit, competence.name),
        },
    )


def _profile_response(request: HttpRequest, employee: Any, own: bool) -> HttpResponse:
    profile = selectors.person_profile(employee)
    fmt = _export(request)
    if fmt:
        columns = [
            (_("Competence"), "text"),
            (_("Importance"), "text"),
            (_("Target"), "int"),
            (_("Self"), "int"),
            (_("Manager"), "int"),
            (_("Agreed"), "int"),
            (_("Current level"), "int"),
            (_("Gap"), "int"),
            (_("Weighted gap"), "int"),
        ]
        rows = [
            [
                r.competence.name,
                r.importance,
                r.target,
                r.self_level,
                r.manager_level,
                r.agreed_level,
                r.level,
                r.gap,
                r.weighted_gap,
            ]
            for r in profile["rows"]
        ]
        return exports.table_response("profile", employee.name, columns, rows, fmt)
    return render(
        request,
        "gaps/person.html",
        {
            "employee": employee,
            "own": own,
            **profile,
            "chart": charts.profile_chart(profile["rows"], profile["scale_max"]),
        },
    )


@login_required
def person(request: HttpRequest, employee_pk: int) -> HttpResponse:
    employee = permissions.get_employee_for_user(request.user, employee_pk)
    return _profile_response(request, employee, own=employee.pk == scope_for(request.user).employee_id)


@login_required
def my_profile(request: HttpRequest) -> HttpResponse:
    employee_id = scope_for(request.user).employee_id
    if employee_id is None:
        raise Http404
    return _profile_response(request, permissions.get_employee_for_user(request.user, employee_id), own=True)


def _default_unit(request: HttpRequest) -> OrgUnit | None:
    tops = org_selectors.top_units_for_user(request.user)
    return tops[0] if tops else None


@login_required
def priorities(request: HttpRequest, unit_pk: int | None = None) -> HttpResponse:
    if unit_pk is None and request.GET.get("unit", "").isdigit():
        unit_pk = int(request.GET["unit"])
    unit = (
        permissions.get_unit_for_user(request.user, unit_pk)
        if unit_pk is not None
        else _default_unit(request)
    )
    if unit is None:
        raise Http404
    data = selectors.priorities(request.user, unit)
    fmt = _export(request)
    if fmt:
        columns = [
            (_("Competence"), "text"),
            (_("Total weighted gap"), "int"),
            (_("People below target"), "int"),
            (_("People with a level"), "int"),
            (_("Level unknown"), "int"),
        ]
        rows = [
            [r["competence"].name]
            + (
                [None] * 4
                if r["cell"].suppressed
                else [r["cell"].weighted_gap_sum, r["cell"].below, r["cell"].known, r["cell"].unknown]
            )
            for r in data["rows"]
        ]
        return exports.table_response("priorities", _("Priorities"), columns, rows, fmt)
    choices = list(
        org_selectors.units_for_user(request.user)
        .filter(depth__lte=unit.depth + 1, municipality=unit.municipality)
        .order_by("path")[:200]
    )
    return render(
        request,
        "gaps/priorities.html",
        {"unit": unit, **data, "choices": choices, "crumbs": _crumbs(request, unit, _("Priorities"))},
    )


@login_required
def trend(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = permissions.get_unit_for_user(request.user, unit_pk)
    campaigns = list(selectors.campaigns_for(request.user, unit))
    chosen = any(request.GET.get(name) for name in ("a", "b", "from", "to"))
    form = TrendForm(request.GET if chosen else None, campaigns=selectors.campaigns_for(request.user, unit))
    a = b = date_a = date_b = None
    if not chosen and len(campaigns) >= 2:  # by default the last two campaigns
        a, b = campaigns[-2], campaigns[-1]
        form.initial = {"a": a, "b": b}
    elif chosen and form.is_valid():
        a, b = form.cleaned_data["a"], form.cleaned_data["b"]
        date_a, date_b = form.cleaned_data["from"], form.cleaned_data["to"]
    ready = (a is not None and b is not None) or (date_a is not None and date_b is not None)
    data = selectors.trend(request.user, unit, a=a, b=b, date_a=date_a, date_b=date_b) if ready else None
    fmt = _export(request)
    if fmt and data:
        columns = [
            (_("Competence"), "text"),
            (_("People measured twice"), "int"),
            (_("Mean gap, first"), "dec2"),
            (_("Mean gap, second"), "dec2"),
            (_("Gap closed per person"), "dec2"),
        ]
        rows = [
            [
                r["competence"].name,
                None if r["suppressed"] else r["people"],
                r["mean_a"],
                r["mean_b"],
                r["closed"],
            ]
            for r in data["rows"]
        ]
        return exports.table_response("trend", _("Trend"), columns, rows, fmt)
    return render(
        request,
        "gaps/trend.html",
        {
            "unit": unit,
            "campaigns": campaigns,
            "a": a,
            "b": b,
            "date_a": date_a,
            "date_b": date_b,
            "form": form,
            "data": data,
            "crumbs": _crumbs(request, unit, _("Trend")),
        },
    )
