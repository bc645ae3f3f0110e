"""The programme pages: the list, the overview a steering group reads, substitutes and placements,
applications, and the funding schemes (edited by platform administrators)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kapabel.core import exports as core_exports
from kapabel.core.access import scope_for
from kapabel.core.web import form_errors_from, request_user, require_post
from kapabel.programmes import charts, exports, permissions, services
from kapabel.programmes.forms import (
    ApplicationForm,
    MoveForm,
    OutcomeForm,
    ParameterForm,
    PlacementForm,
    SubstituteForm,
)
from kapabel.programmes.models import Programme, Substitute
from kapabel.programmes.selectors import pages
from kapabel.programmes.selectors.report import programme_report


def _managed(request: HttpRequest, programme_id: int) -> Programme:
    """The programme, for someone who manages it (others who read it get 403, the rest 404)."""
    programme = permissions.get_programme_for_user(request.user, programme_id)
    if not permissions.can_manage(request.user, programme):
        raise PermissionDenied
    return programme


@login_required
def programme_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    return render(
        request,
        "programmes/list.html",
        {
            "programmes": list(pages.programme_list(user)),
            "edits_schemes": permissions.can_edit_schemes(user),
            "creates": permissions.manages_anywhere(user),
        },
    )


@login_required
def overview(request: HttpRequest, programme_id: int) -> HttpResponse:
    user = request_user(request)
    programme = permissions.get_programme_for_user(user, programme_id)
    names = permissions.sees_names(user, programme)
    report = programme_report(programme, names=names)
    fmt = request.GET.get("format")
    if fmt == "xlsx":
        return core_exports.response(
            exports.report_sheets(report), filename=f"programme-{programme.pk}", fmt="xlsx"
        )
    if fmt == "claim" and names:
        return core_exports.response(
            [exports.claim_sheet(report)], filename=f"claim-basis-{programme.pk}", fmt="xlsx"
        )
    return render(
        request,
        "programmes/overview.html",
        {
            "programme": programme,
            "report": report,
            "charts": charts.unit_week_charts(report["unit_weeks"]),
            "manages": permissions.can_manage(user, programme),
            "current": "overview",
        },
    )


@login_required
def substitutes(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _managed(request, programme_id)
    user = request_user(request)
    form = SubstituteForm(
        request.POST or None, units=pages.units_of(programme), employees=pages.employees_of(programme)
    )
    placement_form = PlacementForm(
        None,
        substitutes=pages.substitutes_of(programme),
        participants=pages.participants_of(programme),
        schemes=pages.schemes(),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.substitute_create(programme=programme, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The substitute was added."))
            return redirect("programmes:substitutes", programme_id=programme.pk)
    return render(
        request,
        "programmes/substitutes.html",
        {
            "programme": programme,
            "substitutes": list(pages.substitutes_of(programme)),
            "form": form,
            "placement_form": placement_form,
            "outcomes": Substitute.Outcome.choices,
            "current": "substitutes",
        },
    )


@login_required
def placement_create(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _managed(request, programme_id)
    require_post(request)
    user = request_user(request)
    form = PlacementForm(
        request.POST,
        substitutes=pages.substitutes_of(programme),
        participants=pages.participants_of(programme),
        schemes=pages.schemes(),
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.placement_create(
                substitute=data["substitute"],
                participants=list(data["participants"]),
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                hours_per_week=data["hours_per_week"],
                scheme=data["scheme"],
                actor=user,
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The placement was added."))
            return redirect("programmes:substitutes", programme_id=programme.pk)
    return render(
        request,
        "programmes/substitutes.html",
        {
            "programme": programme,
            "substitutes": list(pages.substitutes_of(programme)),
            "form": SubstituteForm(units=pages.units_of(programme), employees=pages.employees_of(programme)),
            "placement_form": form,
            "outcomes": Substitute.Outcome.choices,
            "current": "substitutes",
        },
        status=400,
    )


@login_required
def substitute_outcome(request: HttpRequest, programme_id: int, substitute_id: int) -> HttpResponse:
    programme = _managed(request, programme_id)
    substitute = pages.substitute_of(programme, substitute_id)
    if substitute is None:
        raise PermissionDenied
    require_post(request)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        services.substitute_update(
            substitute=substitute, outcome=form.cleaned_data["outcome"], actor=request_user(request)
        )
        messages.success(request, _("The outcome was saved."))
    return redirect("programmes:substitutes", programme_id=programme.pk)


@login_required
def applications(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = _managed(request, programme_id)
    user = request_user(request)
    form = ApplicationForm(request.POST or None, participants=pages.participants_of(programme))
    if request.method == "POST" and form.is_valid():
        try:
            services.application_create(programme=programme, actor=user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The application was saved as a draft."))
            return redirect("programmes:applications", programme_id=programme.pk)
    report = programme_report(programme, names=True)
    by_id = {row["id"]: row for row in report["applications"]}
    rows = [(a, by_id.get(a.pk, {})) for a in pages.applications_of(programme)]
    return render(
        request,
        "programmes/applications.html",
        {
            "programme": programme,
            "rows": rows,
            "form": form,
            "move_form": MoveForm(),
            "current": "applications",
        },
        status=400 if form.errors else 200,
    )


@login_required
def application_move(request: HttpRequest, programme_id: int, application_id: int) -> HttpResponse:
    programme = _managed(request, programme_id)
    application = pages.application_of(programme, application_id)
    if application is None:
        raise PermissionDenied
    require_post(request)
    form = MoveForm(request.POST)
    if form.is_valid():
        try:
            services.application_move(
                application=application,
                status=form.cleaned_data["status"],
                on=form.cleaned_data["on"],
                amount=form.cleaned_data["amount"],
                actor=request_user(request),
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The application was updated."))
    return redirect("programmes:applications", programme_id=programme.pk)


@login_required
def schemes(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    scope = scope_for(user)
    if not (permissions.sees_programmes_anywhere(scope) or scope.reads_people):
        raise PermissionDenied
    editor = permissions.can_edit_schemes(user)
    form = ParameterForm(request.POST or None) if editor else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.scheme_parameter_create(actor=user, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(exc, form)
            else:
                messages.success(request, _("The parameter was saved."))
                return redirect("programmes:schemes")
    return render(
        request,
        "programmes/schemes.html",
        {"schemes": list(pages.schemes()), "form": form, "editor": editor},
        status=400 if form is not None and form.errors else 200,
    )
