"""Editing the competence tree of a draft version: add, edit, move up or down (HTMX swaps the tree),
remove."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kapabel.competences import permissions, selectors, services
from kapabel.competences.forms import CompetenceForm
from kapabel.competences.models import FrameworkVersion
from kapabel.competences.views.common import framework_url, post_action
from kapabel.competences.views.frameworks import detail_context
from kapabel.core.web import AuthenticatedHttpRequest, form_errors_from, is_htmx, require_post


def _tree_response(request: AuthenticatedHttpRequest, version: FrameworkVersion) -> HttpResponse:
    framework = version.framework
    versions = selectors.versions_for_user(request.user, framework)
    return render(
        request,
        "competences/framework_detail.html#tree",
        detail_context(request, framework, versions, version),
    )


@login_required
@require_http_methods(["GET", "POST"])
def competence_create(request: AuthenticatedHttpRequest, version_pk: int) -> HttpResponse:
    version = permissions.get_version_for_user(request.user, version_pk)
    permissions.require(permissions.can_edit_framework(request.user, version.framework))
    parent_pk = request.GET.get("parent", "")
    parent = selectors.competence_of_version(version, int(parent_pk) if parent_pk.isdigit() else None)
    form = CompetenceForm(request.POST or None, version=version, initial={"parent": parent})
    if request.method == "POST" and form.is_valid():
        try:
            services.competence_create(version=version, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The competence was added."))
            return redirect(framework_url(version.framework, version))
    return render(
        request,
        "competences/form.html",
        {"form": form, "title": _("New competence"), "cancel_url": framework_url(version.framework, version)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def competence_edit(request: AuthenticatedHttpRequest, competence_pk: int) -> HttpResponse:
    competence = permissions.get_competence_for_user(request.user, competence_pk)
    version = competence.version
    permissions.require(permissions.can_edit_framework(request.user, version.framework))
    # The form writes its cleaned values onto its instance; the service must see the stored ones.
    form = CompetenceForm(request.POST or None, instance=copy.copy(competence), version=version)
    if request.method == "POST" and form.is_valid():
        try:
            services.competence_update(competence=competence, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The competence was saved."))
            return redirect(framework_url(version.framework, version))
    return render(
        request,
        "competences/form.html",
        {
            "form": form,
            "title": _("Edit %(name)s") % {"name": competence.name},
            "cancel_url": framework_url(version.framework, version),
        },
    )


@login_required
def competence_move(request: AuthenticatedHttpRequest, competence_pk: int) -> HttpResponse:
    """Up / down buttons (keyboard and mouse alike); HTMX swaps the tree, otherwise a redirect."""
    competence = permissions.get_competence_for_user(request.user, competence_pk)
    require_post(request)
    version = competence.version
    permissions.require(permissions.can_edit_framework(request.user, version.framework))
    try:
        services.competence_move(
            competence=competence, direction=request.POST.get("direction", ""), actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    if is_htmx(request):
        return _tree_response(request, version)
    return redirect(framework_url(version.framework, version))


@login_required
def competence_delete(request: AuthenticatedHttpRequest, competence_pk: int) -> HttpResponse:
    competence = permissions.get_competence_for_user(request.user, competence_pk)
    require_post(request)
    version = competence.version
    permissions.require(permissions.can_edit_framework(request.user, version.framework))
    back = framework_url(version.framework, version)
    return post_action(
        request,
        lambda: services.competence_delete(competence=competence, actor=request.user),
        success=_("The competence was removed."),
        done_url=back,
        failed_url=back,
    )
