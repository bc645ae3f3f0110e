"""HTML views for the organisation. Thin: fetch with an access check, call a selector or a service,
render. The employee list serves the full page and its HTMX fragment from one view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kapabel.core import audit
from kapabel.core.tenancy import current_municipality, current_municipality_id
from kapabel.core.web import form_errors_from, is_htmx, request_user
from kapabel.organisation import permissions, selectors, services
from kapabel.organisation.forms import EmployeeFilterForm, EmployeeForm, JobRoleForm, OrgUnitForm
from kapabel.organisation.models import Employee, OrgUnit


def _form_page(
    request: HttpRequest,
    form: forms.BaseForm,
    *,
    save: Callable[[dict[str, Any]], Model],
    success: str,
    done_url: Callable[[Any], str],
    title: str,
    cancel_url: str,
) -> HttpResponse:
    """The one shape of every edit page: on a valid POST call the service; its validation errors
    go back onto the form (nothing was written), success redirects; otherwise render the form."""
    if request.method == "POST" and form.is_valid():
        try:
            saved = save(dict(form.cleaned_data))
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, success)
            return redirect(done_url(saved))
    return render(request, "organisation/form.html", {"form": form, "title": title, "cancel_url": cancel_url})


def _without(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in keys}


@login_required
def employee_list(request: HttpRequest) -> HttpResponse:
    permissions.require_people_reader(request.user)
    form = EmployeeFilterForm(request.GET or None, job_roles=selectors.job_roles_for_user(request.user))
    filters: dict[str, Any] = {}
    if form.is_valid():
        filters = {
            "search": form.cleaned_data["q"].strip(),
            "job_role": form.cleaned_data["job_role"],
            "active": None if form.cleaned_data["include_inactive"] else True,
        }
    employees = selectors.employees_for_user(request.user, **filters)
    page = Paginator(employees, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query_base": query.urlencode()}
    template = (
        "organisation/employee_list.html#results" if is_htmx(request) else "organisation/employee_list.html"
    )
    return render(request, template, context)


@login_required
def employee_detail(request: HttpRequest, employee_pk: int) -> HttpResponse:
    employee = permissions.get_employee_for_user(request.user, employee_pk)
    audit.audit_read(request_user(request), employee, action="organisation.employee.viewed")
    return render(
        request,
        "organisation/employee_detail.html",
        {
            "employee": employee,
            "ancestors": selectors.unit_ancestors(employee.unit),
            "can_edit": permissions.can_manage_organisation(request.user, employee.municipality_id),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def employee_edit(request: HttpRequest, employee_pk: int) -> HttpResponse:
    employee = permissions.get_employee_for_user(request.user, employee_pk)
    permissions.require_manage_organisation(request.user, employee.municipality_id)
    actor = request_user(request)
    # The form edits a copy; the service gets the original, to record what changed.
    copy = permissions.get_employee_for_user(request.user, employee_pk)
    form = EmployeeForm(request.POST or None, instance=copy, municipality=employee.municipality)
    return _form_page(
        request,
        form,
        save=lambda data: services.employee_update(employee=employee, actor=actor, **data),
        success=_("The employee was saved."),
        done_url=employee_detail_url,
        title=_("Edit %(name)s") % {"name": employee.name},
        cancel_url=employee_detail_url(employee),
    )


def employee_detail_url(employee: Employee) -> str:
    return reverse("organisation:employee_detail", kwargs={"employee_pk": employee.pk})


@login_required
@require_http_methods(["GET", "POST"])
def employee_create(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = permissions.get_unit_for_user(request.user, unit_pk)
    permissions.require_manage_organisation(request.user, unit.municipality_id)
    actor = request_user(request)
    form = EmployeeForm(request.POST or None, initial={"unit": unit}, municipality=unit.municipality)
    return _form_page(
        request,
        form,
        save=lambda data: services.employee_create(municipality=unit.municipality, actor=actor, **data),
        success=_("The employee was created."),
        done_url=employee_detail_url,
        title=_("New employee in %(unit)s") % {"unit": unit.name},
        cancel_url=unit_detail_url(unit),
    )


def unit_detail_url(unit: OrgUnit) -> str:
    return reverse("organisation:unit_detail", kwargs={"unit_pk": unit.pk})


@login_required
def unit_list(request: HttpRequest) -> HttpResponse:
    tops = selectors.top_units_for_user(request.user)
    counts = selectors.unit_headcounts(tops)
    return render(
        request,
        "organisation/unit_list.html",
        {
            "rows": [{"unit": unit, "headcount": counts.get(unit.pk, 0)} for unit in tops],
        },
    )


@login_required
def unit_detail(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = permissions.get_unit_for_user(request.user, unit_pk)
    children = list(selectors.unit_children(unit, request.user))
    counts = selectors.unit_headcounts([unit, *children])
    people = selectors.employees_for_user(request.user).filter(unit=unit)
    return render(
        request,
        "organisation/unit_detail.html",
        {
            "unit": unit,
            "ancestors": selectors.unit_ancestors(unit),
            "headcount": counts.get(unit.pk, 0),
            "children": [{"unit": child, "headcount": counts.get(child.pk, 0)} for child in children],
            "people": Paginator(people, 50).get_page(request.GET.get("page")),
            "managers": unit.managers.all(),
            "can_edit": permissions.can_manage_organisation(request.user, unit.municipality_id),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = permissions.get_unit_for_user(request.user, unit_pk)
    permissions.require_manage_organisation(request.user, unit.municipality_id)
    actor = request_user(request)
    copy = permissions.get_unit_for_user(request.user, unit_pk)  # the form edits a copy, as above
    form = OrgUnitForm(request.POST or None, instance=copy, municipality=unit.municipality)
    return _form_page(
        request,
        form,
        save=lambda data: services.orgunit_update(unit=unit, actor=actor, **data),
        success=_("The unit was saved."),
        done_url=unit_detail_url,
        title=_("Edit %(name)s") % {"name": unit.name},
        cancel_url=unit_detail_url(unit),
    )


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest, unit_pk: int) -> HttpResponse:
    parent = permissions.get_unit_for_user(request.user, unit_pk)
    permissions.require_manage_organisation(request.user, parent.municipality_id)
    actor = request_user(request)
    form = OrgUnitForm(request.POST or None, initial={"parent": parent}, municipality=parent.municipality)
    return _form_page(
        request,
        form,
        save=lambda data: services.orgunit_create(
            municipality=parent.municipality, actor=actor, **_without(data, "active")
        ),
        success=_("The unit was created."),
        done_url=unit_detail_url,
        title=_("New unit below %(name)s") % {"name": parent.name},
        cancel_url=unit_detail_url(parent),
    )


@login_required
def job_role_list(request: HttpRequest) -> HttpResponse:
    permissions.require_people_reader(request.user)
    roles = selectors.job_roles_for_user(request.user).filter(active=True)
    rows = [
        {"role": role, "can_edit": permissions.can_manage_organisation(request.user, role.municipality_id)}
        for role in roles
    ]
    return render(
        request,
        "organisation/job_role_list.html",
        {
            "rows": rows,
            "can_edit_any": any(row["can_edit"] for row in rows),
            # New job roles go to the municipality the page works in (the header's switcher).
            "can_create": permissions.can_manage_organisation(request.user, current_municipality_id(request)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def job_role_create(request: HttpRequest) -> HttpResponse:
    """A new job role in the municipality the page works in, for its administrators."""
    municipality = current_municipality(request)
    if municipality is None or not permissions.can_manage_organisation(request.user, municipality.pk):
        raise PermissionDenied
    actor = request_user(request)
    form = JobRoleForm(request.POST or None)
    return _form_page(
        request,
        form,
        save=lambda data: services.jobrole_create(
            municipality=municipality, actor=actor, **_without(data, "active")
        ),
        success=_("The job role was created."),
        done_url=lambda _role: reverse("organisation:job_role_list"),
        title=_("New job role"),
        cancel_url=reverse("organisation:job_role_list"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def job_role_edit(request: HttpRequest, job_role_pk: int) -> HttpResponse:
    role = permissions.get_job_role_for_user(request.user, job_role_pk)
    permissions.require_manage_organisation(request.user, role.municipality_id)
    actor = request_user(request)
    copy = permissions.get_job_role_for_user(request.user, job_role_pk)  # the form edits a copy
    form = JobRoleForm(request.POST or None, instance=copy)
    return _form_page(
        request,
        form,
        save=lambda data: services.jobrole_update(job_role=role, actor=actor, **data),
        success=_("The job role was saved."),
        done_url=lambda _role: reverse("organisation:job_role_list"),
        title=_("Edit %(name)s") % {"name": role.title},
        cancel_url=reverse("organisation:job_role_list"),
    )
