"""HTML views of the gap analysis. Thin: a permission-checked fetch, a selector, a template — or
the same rows as XLSX/CSV when `?export=xlsx|csv` is given (same selector, same access check)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kapabel.core import audit
from kapabel.core.web import form_errors_from, request_user
from kapabel.gaps import charts, exports, permissions, selectors, services
from kapabel.gaps.definition import settings_for
from kapabel.gaps.forms import GapSettingsForm, TrendForm
from kapabel.organisation import permissions as org_permissions
from kapabel.organisation.models import Employee, OrgUnit

EXPORTS = ("xlsx", "csv")


def _export(request: HttpRequest) -> str | None:
    fmt = request.GET.get("export")
    return fmt if fmt in EXPORTS else None


def _crumbs(request: HttpRequest, unit: OrgUnit | None, last: str | None = None) -> list[dict[str, Any]]:
    """Gap analysis › visible ancestors › unit (› last). Ancestors the user may not see are left out."""
    crumbs: list[dict[str, Any]] = [{"label": _("Gap analysis"), "href": reverse("gaps:heatmap")}]
    if unit is not None:
        for ancestor in selectors.visible_ancestors(request_user(request), unit):
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
    user = request_user(request)
    unit = permissions.get_unit_for_user(user, unit_pk) if unit_pk is not None else None
    if unit is not None and request.GET.get("rows") == "children":
        data = selectors.heatmap(user, unit, children_only=True)
        return render(request, "gaps/heatmap.html#rows", {"heatmap": data, "rows": data.rows})
    data = selectors.heatmap(user, unit)
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
    user = request_user(request)
    unit = permissions.get_unit_for_user(user, unit_pk)
    competence_pk = request.GET.get("competence", "")
    if not competence_pk.isdigit():
        raise Http404
    competence = permissions.get_competence_for_user(user, unit, int(competence_pk))
    figure = selectors.heatmap_cell(user, unit, competence)
    people = selectors.cell_people(user, unit, competence)
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


def _profile_response(request: HttpRequest, employee: Employee, own: bool) -> HttpResponse:
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
    user = request_user(request)
    employee = permissions.get_employee_for_user(user, employee_pk)
    audit.audit_read(user, employee, action="gaps.person.viewed")
    return _profile_response(request, employee, own=permissions.is_own_profile(user, employee))


@login_required
def my_profile(request: HttpRequest) -> HttpResponse:
    employee = permissions.get_own_employee(request_user(request))
    if employee is None:
        raise Http404
    return _profile_response(request, employee, own=True)


@login_required
def priorities(request: HttpRequest, unit_pk: int | None = None) -> HttpResponse:
    user = request_user(request)
    if unit_pk is None and request.GET.get("unit", "").isdigit():
        unit_pk = int(request.GET["unit"])
    if unit_pk is not None:
        unit: OrgUnit | None = permissions.get_unit_for_user(user, unit_pk)
    else:
        unit = selectors.default_unit(user)
    if unit is None:
        raise Http404
    data = selectors.priorities(user, unit)
    fmt = _export(request)
    if fmt:
        columns = [
            (_("Competence"), "text"),
            (_("Priority"), "dec"),
            (_("Total weighted gap"), "int"),
            (_("People below target"), "int"),
            (_("People with a level"), "int"),
            (_("Level unknown"), "int"),
            (_("Leaders: importance now"), "text"),
            (_("Leaders: importance in three years"), "text"),
            (_("Leaders who answered"), "int"),
        ]
        rows = [
            [r["competence"].name]
            + (
                [None] * 5
                if r["cell"].suppressed
                else [
                    r["score"],
                    r["cell"].weighted_gap_sum,
                    r["cell"].below,
                    r["cell"].known,
                    r["cell"].unknown,
                ]
            )
            + _leader_columns(r["leader"])
            for r in data["rows"]
        ]
        return exports.table_response("priorities", _("Priorities"), columns, rows, fmt)
    return render(
        request,
        "gaps/priorities.html",
        {
            "unit": unit,
            **data,
            "choices": selectors.unit_choices(user, unit),
            "crumbs": _crumbs(request, unit, _("Priorities")),
        },
    )


def _leader_columns(leader: Any) -> list[Any]:
    if leader is None or leader.suppressed:
        return [None, None, None]
    return [leader.now_label or None, leader.future_label or None, leader.respondents]


@login_required
def trend(request: HttpRequest, unit_pk: int) -> HttpResponse:
    user = request_user(request)
    unit = permissions.get_unit_for_user(user, unit_pk)
    chosen = any(request.GET.get(name) for name in ("a", "b", "from", "to"))
    form = TrendForm(request.GET if chosen else None, campaigns=selectors.campaigns_for(user, unit))
    valid = not chosen or form.is_valid()
    picked = form.cleaned_data if chosen and valid else {}
    # The one choice of the two points (the last two campaigns when nothing was chosen), shared
    # with the API; an invalid choice shows the form's errors and no figures.
    choice = selectors.trend_choice(
        user,
        unit,
        a=picked["a"].pk if picked.get("a") else None,
        b=picked["b"].pk if picked.get("b") else None,
        date_a=picked.get("from"),
        date_b=picked.get("to"),
    )
    if not chosen and choice.a is not None and choice.b is not None:
        form.initial = {"a": choice.a, "b": choice.b}
    a, b, date_a, date_b = choice.a, choice.b, choice.date_a, choice.date_b
    ready = valid and choice.ready
    data = selectors.trend(user, unit, a=a, b=b, date_a=date_a, date_b=date_b) if ready else None
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
            "campaigns": choice.campaigns,
            "a": a,
            "b": b,
            "date_a": date_a,
            "date_b": date_b,
            "form": form,
            "data": data,
            "crumbs": _crumbs(request, unit, _("Trend")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def settings_edit(request: HttpRequest, municipality_pk: int) -> HttpResponse:
    """The importance weights and the smallest group shown, for the municipality's administrators.
    New weights rebuild the municipality's figures (the service does it in the same transaction)."""
    user = request_user(request)
    municipality = org_permissions.get_municipality_for_user(user, municipality_pk)
    permissions.require_manage_settings(user, municipality.pk)
    form = GapSettingsForm(request.POST or None, instance=settings_for(municipality.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.gap_settings_update(municipality=municipality, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The gap analysis settings were saved."))
            return redirect("gaps:settings_edit", municipality_pk=municipality.pk)
    return render(
        request,
        "gaps/settings_form.html",
        {
            "form": form,
            "municipality": municipality,
            "title": _("Gap analysis settings for %(name)s") % {"name": municipality.name},
        },
    )
