"""The shell's own pages: start page per role, accessibility statement, audit log, health checks,
error pages."""

from __future__ import annotations

import sys

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kapabel.core import home as home_sections
from kapabel.core import outage, permissions, selectors, tenancy
from kapabel.core.access import scope_for
from kapabel.core.audit.present import present
from kapabel.core.forms import AuditFilterForm
from kapabel.core.web import post_only, request_user


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """One start page with a section for each role the user holds; the apps register the sections
    (`kapabel.core.home`): "My tasks" for an employee, the team overview for a manager, the
    municipality overview for HR and administrators."""
    scope = scope_for(request.user)
    templates, context = home_sections.sections_for(request, scope)
    context.update({"scope": scope, "roles": scope.roles, "sections": templates})
    return render(request, "core/home.html", context)


@login_required
@post_only
def switch_municipality(request: HttpRequest) -> HttpResponse:
    """The header's municipality switcher: remember the choice, go back to the page."""
    try:
        chosen = int(request.POST.get("municipality", ""))
    except ValueError:
        chosen = -1
    if not tenancy.choose_municipality(request, chosen):
        raise PermissionDenied
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("home")
    return redirect(target)


def accessibility_statement(request: HttpRequest) -> HttpResponse:
    return render(request, "core/accessibility.html")


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    """The audit log of the municipality the administrator works in, in words people read."""
    user = request_user(request)
    permissions.require_view_audit_log(user)
    municipality_id = permissions.audit_log_municipality(user, tenancy.current_municipality_id(request))
    if municipality_id is None:
        raise PermissionDenied
    base = selectors.audit_events_for_user(user, municipality_id=municipality_id)
    form = AuditFilterForm(request.GET or None, object_types=selectors.audit_object_types(base))
    if form.is_bound:
        form.is_valid()  # the valid criteria apply; the invalid ones are shown with their error
    filters = form.filters()
    events = selectors.audit_events_for_user(user, municipality_id=municipality_id, filters=filters)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_log.html",
        {
            "page": page,
            "rows": present(list(page.object_list)),
            "form": form,
            "query_base": query.urlencode(),
            "municipality": selectors.municipality(municipality_id),
            "filtered": any(value for key, value in request.GET.items() if key != "page"),
        },
    )


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is up and serving."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """The process can reach its database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not ready"
        response = JsonResponse({"status": "unavailable", "database": type(exc).__name__}, status=503)
        response["Retry-After"] = str(outage.RETRY_AFTER_SECONDS)
        return response
    return JsonResponse({"status": "ok", "database": "ok"})


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # Called while the error is being handled: an unreachable database (found by a middleware, e.g.
    # loading the session) gets the 503 page, like a view that finds it (kapabel.core.outage).
    if outage.is_database_unavailable(sys.exc_info()[1]):
        return outage.unavailable_page(request)
    # Rendered without the request context: the failure may lie in what that context needs.
    return render(None, "500.html", status=500)  # type: ignore[arg-type]  # Django accepts None; stubs do not
