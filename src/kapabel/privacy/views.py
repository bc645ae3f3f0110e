"""The data protection pages: find a person, see what Kapabel holds about them, export it (JSON or
XLSX), anonymise them; the municipality's retention rule with a dry run of whom it reaches now."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kapabel.core import audit, exports, tenancy
from kapabel.core.models import Municipality
from kapabel.core.web import form_errors_from, request_user
from kapabel.organisation.models import Employee
from kapabel.privacy import permissions, selectors, services
from kapabel.privacy.forms import AnonymiseForm, PersonSearchForm, RetentionRuleForm

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def _municipality(request: HttpRequest) -> Municipality:
    """The municipality the page works in: the header's if the user handles its people's data, else
    the first they do."""
    user = request_user(request)
    permissions.require_handles_personal_data_anywhere(user)
    current = tenancy.current_municipality_id(request)
    if current is not None and permissions.can_handle_personal_data(user, current):
        found = selectors.municipality(current)
    else:
        found = selectors.municipalities(permissions.personal_data_municipality_ids(user)).first()
    if found is None:
        raise PermissionDenied
    return found


def person_url(employee: Employee) -> str:
    return reverse("privacy:person", kwargs={"employee_pk": employee.pk})


@login_required
def index(request: HttpRequest) -> HttpResponse:
    municipality = _municipality(request)
    user = request_user(request)
    form = PersonSearchForm(request.GET or None)
    page = None
    if form.is_valid():
        found = selectors.people_matching(municipality.pk, form.cleaned_data["q"])
        page = Paginator(found, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "privacy/index.html",
        {
            "municipality": municipality,
            "form": form,
            "page": page,
            "query_base": query.urlencode(),
            "manages_retention": permissions.can_manage_retention(user, municipality.pk),
        },
    )


@login_required
def person(request: HttpRequest, employee_pk: int) -> HttpResponse:
    user = request_user(request)
    employee = permissions.get_person_for_user(user, employee_pk)
    audit.audit_read(user, employee, action="privacy.person.viewed")
    return render(
        request,
        "privacy/person.html",
        {
            "employee": employee,
            "parts": services.person_data(employee),
            "can_anonymise": permissions.can_anonymise(user, employee.municipality_id)
            and employee.anonymised_at is None,
        },
    )


@login_required
def person_export(request: HttpRequest, employee_pk: int) -> HttpResponse:
    user = request_user(request)
    employee = permissions.get_person_for_user(user, employee_pk)
    fmt = request.GET.get("format", "json")
    filename = services.export_filename(employee)
    if fmt == "xlsx":
        return exports.file_response(
            services.export_xlsx(employee, actor=user),
            content_type=exports.XLSX_CONTENT_TYPE,
            filename=f"{filename}.xlsx",
        )
    if fmt == "json":
        return exports.file_response(
            services.export_json(employee, actor=user),
            content_type=JSON_CONTENT_TYPE,
            filename=f"{filename}.json",
        )
    raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def person_anonymise(request: HttpRequest, employee_pk: int) -> HttpResponse:
    user = request_user(request)
    employee = permissions.get_person_for_user(user, employee_pk)
    permissions.require_anonymise(user, employee.municipality_id)
    if employee.anonymised_at is not None:
        messages.info(request, _("This person has already been anonymised."))
        return redirect(person_url(employee))
    form = AnonymiseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_anonymise(employee=employee, actor=user)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(
                request, _("The person was anonymised. The statistics and the audit log are kept.")
            )
            return redirect(person_url(employee))
    return render(request, "privacy/anonymise.html", {"employee": employee, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def retention(request: HttpRequest) -> HttpResponse:
    municipality = _municipality(request)
    user = request_user(request)
    permissions.require_manage_retention(user, municipality.pk)
    form = RetentionRuleForm(
        request.POST if request.method == "POST" else None, initial={"valid_from": timezone.localdate()}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.retention_rule_create(municipality=municipality, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The retention rule was saved."))
            return redirect("privacy:retention")
    plan = services.retention_plan(municipality, timezone.localdate())
    return render(
        request,
        "privacy/retention.html",
        {
            "municipality": municipality,
            "form": form,
            "plan": plan,
            "shown": plan.due[:100],
            "rules": selectors.rules(municipality.pk),
            "runs": selectors.runs(municipality.pk)[:10],
        },
    )
