"""The administration pages: a municipality's logins and roles, its settings and starter frameworks,
and for platform administrators the municipalities themselves. Thin: a permission check, a selector
or a service, a template. Pages about "the" municipality work in the one chosen in the header."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from kapabel.administration import permissions, selectors, services
from kapabel.administration.forms import (
    MunicipalityForm,
    RoleGrantForm,
    StarterForm,
    UserCreateForm,
    UserSearchForm,
)
from kapabel.core.models import Municipality, Role, User
from kapabel.core.tenancy import choose_municipality, current_municipality
from kapabel.core.web import form_errors_from, request_user
from kapabel.organisation import permissions as org_permissions
from kapabel.organisation import selectors as org_selectors
from kapabel.organisation import services as org_services
from kapabel.organisation.permissions import can_import_hr

ROLE_LABELS = dict(Role.choices)


def _administered(request: HttpRequest) -> Municipality:
    """The municipality the page works in, if the user administers it (403 otherwise)."""
    municipality = current_municipality(request)
    permissions.require_administer(request.user, municipality.pk if municipality else None)
    assert municipality is not None
    return municipality


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """What an administrator can set up, for the municipality the page works in; for platform
    administrators also the municipalities and the way to create one."""
    user = request_user(request)
    municipality = current_municipality(request)
    administers = permissions.can_administer(user, municipality.pk if municipality else None)
    platform = permissions.can_create_municipality(user)
    if not (administers or platform or permissions.administers_anywhere(user)):
        raise PermissionDenied
    context: dict[str, Any] = {
        "municipality": municipality if administers else None,
        "platform": platform,
        # An administrator elsewhere who works in a municipality they do not administer (the switcher).
        "not_here": None if administers or platform else municipality,
    }
    if administers and municipality is not None:
        context.update(
            {
                "account_count": org_selectors.accounts_of_municipality(municipality.pk).count(),
                "starters": selectors.starters_for(municipality.pk),
                "can_import_hr": can_import_hr(user, municipality.pk),
            }
        )
    if platform:
        context["municipality_count"] = selectors.municipalities_overview(user).count()
    return render(request, "administration/home.html", context)


# --- Municipalities (platform administrators) ----------------------------------------------------


@login_required
def municipality_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    permissions.require_create_municipality(user)
    municipalities = selectors.municipalities_overview(user).order_by("name")
    page = Paginator(municipalities, 50).get_page(request.GET.get("page"))
    return render(request, "administration/municipality_list.html", {"page": page})


# The service names the administrator's fields "administrator.<field>"; the form "admin_<field>".
def _form_errors(exc: ValidationError, form: MunicipalityForm) -> None:
    if not hasattr(exc, "error_dict"):
        form_errors_from(exc, form)
        return
    for field, errors in exc.message_dict.items():
        name = field.replace(services.ADMIN_PREFIX, "admin_", 1)
        form.add_error(name if name in form.fields else None, errors)


@login_required
@require_http_methods(["GET", "POST"])
def municipality_create(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    permissions.require_create_municipality(user)
    form = MunicipalityForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        administrator = None
        if data["admin_username"]:
            administrator = services.FirstAdministrator(
                username=data["admin_username"],
                first_name=data["admin_first_name"],
                last_name=data["admin_last_name"],
                email=data["admin_email"],
                password=data["admin_password"] or None,
            )
        try:
            municipality = services.municipality_setup(
                name=data["name"],
                kommunekode=data["kommunekode"],
                cvr=data["cvr"],
                starters=data["starters"],
                administrator=administrator,
                actor=user,
            )
        except ValidationError as exc:
            _form_errors(exc, form)
        else:
            # The pages that follow (logins, HR import, settings) work in the new municipality.
            choose_municipality(request, municipality.pk)
            messages.success(
                request,
                _("%(name)s was created, and you now work in it.") % {"name": municipality.name},
            )
            return redirect("administration:home")
    return render(
        request,
        "administration/municipality_form.html",
        {"form": form, "starters": selectors.starters_catalogue()},
    )


# --- Logins and roles -------------------------------------------------------------------------------


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    municipality = _administered(request)
    form = UserSearchForm(request.GET or None)
    search = form.cleaned_data["q"].strip() if form.is_valid() else ""
    accounts = org_selectors.accounts_of_municipality(municipality.pk, search=search)
    page = Paginator(accounts, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "administration/user_list.html",
        {
            "municipality": municipality,
            "form": form,
            "page": page,
            "rows": [_account_row(account) for account in page],
            "query_base": query.urlencode(),
            "search": search,
        },
    )


def _account_row(account: User) -> dict[str, Any]:
    employee = getattr(account, "employee", None)
    return {
        "account": account,
        "employee": employee,
        "grants": [_grant_label(grant) for grant in getattr(account, "grants_here", [])],
    }


def _grant_label(grant: Any) -> str:
    label = ROLE_LABELS.get(grant.role, grant.role)
    if grant.unit is None:
        return str(label)
    return _("%(role)s for %(unit)s") % {"role": label, "unit": grant.unit.name}


@login_required
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    municipality = _administered(request)
    user = request_user(request)
    form = UserCreateForm(
        request.POST or None,
        roles=org_permissions.grantable_roles(user, municipality.pk),
        units=org_selectors.units_of_municipality(municipality.pk),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        employee = None
        if data["employee_number"].strip():
            employee = org_selectors.employee_by_number(municipality.pk, data["employee_number"].strip())
            if employee is None:
                form.add_error(
                    "employee_number",
                    _("%(municipality)s has no employee with the number %(number)s.")
                    % {"municipality": municipality.name, "number": data["employee_number"].strip()},
                )
        if form.is_valid():
            try:
                account = org_services.user_create(
                    municipality=municipality,
                    username=data["username"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    password=data["password"],
                    employee=employee,
                    role=data["role"] or None,
                    unit=data["unit"],
                    actor=user,
                )
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("The login %(name)s was created.") % {"name": account.username})
                return redirect("administration:user_detail", user_pk=account.pk)
    return render(request, "administration/user_form.html", {"form": form, "municipality": municipality})


@login_required
@require_http_methods(["GET", "POST"])
def user_detail(request: HttpRequest, user_pk: int) -> HttpResponse:
    """A login's roles in the municipality, each with a way to take it away, and a form to grant
    another (only the roles within the administrator's own reach are offered)."""
    municipality = current_municipality(request)
    user = request_user(request)
    account = org_permissions.get_account_for_user(user, municipality.pk if municipality else None, user_pk)
    assert municipality is not None
    roles = org_permissions.grantable_roles(user, municipality.pk)
    form = RoleGrantForm(
        request.POST or None, roles=roles, units=org_selectors.units_of_municipality(municipality.pk)
    )
    if request.method == "POST" and form.is_valid():
        try:
            grant = org_services.role_grant(
                user=account,
                role=form.cleaned_data["role"],
                municipality=municipality,
                unit=form.cleaned_data["unit"],
                actor=user,
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(
                request,
                _("%(user)s is now %(role)s.") % {"user": account.username, "role": _grant_label(grant)},
            )
            return redirect("administration:user_detail", user_pk=account.pk)
    grants = [
        {
            "grant": grant,
            "label": _grant_label(grant),
            "can_revoke": org_permissions.can_revoke_role(user, grant),
        }
        for grant in getattr(account, "grants_here", [])
    ]
    return render(
        request,
        "administration/user_detail.html",
        {
            "municipality": municipality,
            "account": account,
            "employee": getattr(account, "employee", None),
            "grants": grants,
            "form": form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def role_revoke(request: HttpRequest, grant_pk: int) -> HttpResponse:
    """GET asks for confirmation; POST takes the role away."""
    user = request_user(request)
    grant = org_permissions.get_role_assignment_for_user(user, grant_pk)
    label = _grant_label(grant)
    if request.method == "POST":
        try:
            org_services.role_revoke(assignment=grant, actor=user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("%(user)s is no longer %(role)s.") % {"user": grant.user.username, "role": label},
            )
        if (
            org_selectors.accounts_of_municipality(grant.municipality_id or 0)
            .filter(pk=grant.user_id)
            .exists()
        ):
            return redirect("administration:user_detail", user_pk=grant.user_id)
        return redirect("administration:user_list")
    return render(
        request,
        "administration/role_revoke.html",
        {"grant": grant, "label": label, "can_revoke": org_permissions.can_revoke_role(user, grant)},
    )


# --- Starter frameworks -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def starters(request: HttpRequest) -> HttpResponse:
    municipality = _administered(request)
    user = request_user(request)
    rows = selectors.starters_for(municipality.pk)
    form = StarterForm(
        request.POST or None, installed={row["starter"].key for row in rows if row["installed"]}
    )
    if request.method == "POST" and form.is_valid():
        try:
            count = services.starters_install(
                municipality=municipality, names=form.cleaned_data["starters"], actor=user
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d starter framework was added and published, ready to use.",
                    "%(count)d starter frameworks were added and published, ready to use.",
                    count,
                )
                % {"count": count},
            )
            return redirect("administration:starters")
    return render(
        request,
        "administration/starters.html",
        {
            "municipality": municipality,
            "in_use": [row["starter"] for row in rows if row["installed"]],
            "form": form,
            "frameworks_url": reverse("competences:framework_list"),
        },
    )
