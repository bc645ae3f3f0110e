"""Editing the competence tree of a draft version: add, edit, move up or down, drag-and-drop
reordering, remove (after a confirmation).

Every action works as a plain page (a form page, or a POST and a redirect) and, from the framework
page, inline with HTMX: forms open in a panel below the competence, and after a change the tree is
swapped with a status line that names what happened (in a live region outside the tree, so screen
readers hear it) and the element that should get the focus next."""

from __future__ import annotations

import copy
from typing import Any

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
from kapabel.competences.views.common import framework_url
from kapabel.competences.views.frameworks import detail_context
from kapabel.core.web import AuthenticatedHttpRequest, form_errors_from, is_htmx, require_post


def _tree_response(
    request: AuthenticatedHttpRequest,
    version: FrameworkVersion,
    *,
    status: str = "",
    error: bool = False,
    focus: str = "",
) -> HttpResponse:
    """The tree partial (what HTMX swaps in), with the status line for the live region and the id
    of the element to focus. A swap that started in a panel is retargeted onto the whole tree."""
    framework = version.framework
    versions = selectors.versions_for_user(request.user, framework)
    context = detail_context(request, framework, versions, version)
    context.update({"tree_status": status, "tree_error": error, "tree_focus": focus})
    response = render(request, "competences/framework_detail.html#tree", context)
    response["HX-Retarget"] = "#competence-tree"
    response["HX-Reswap"] = "outerHTML"
    return response


def _editable_version(request: AuthenticatedHttpRequest, version: FrameworkVersion) -> None:
    permissions.require(permissions.can_edit_framework(request.user, version.framework))


def _form_response(
    request: AuthenticatedHttpRequest,
    form: CompetenceForm,
    *,
    title: str,
    version: FrameworkVersion,
    action: str,
    panel: str,
) -> HttpResponse:
    """The competence form: a panel fragment for HTMX, else a page of its own."""
    context: dict[str, Any] = {
        "form": form,
        "title": title,
        "cancel_url": framework_url(version.framework, version),
    }
    if is_htmx(request):
        context.update({"action": action, "panel": panel, "clear_status": True})
        return render(request, "competences/_competence_form.html", context)
    return render(request, "competences/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def competence_create(request: AuthenticatedHttpRequest, version_pk: int) -> HttpResponse:
    version = permissions.get_version_for_user(request.user, version_pk)
    _editable_version(request, version)
    parent_pk = request.GET.get("parent", "")
    parent = selectors.competence_of_version(version, int(parent_pk) if parent_pk.isdigit() else None)
    form = CompetenceForm(request.POST or None, version=version, initial={"parent": parent})
    if request.method == "POST" and form.is_valid():
        try:
            competence = services.competence_create(version=version, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            done = _("%(name)s was added.") % {"name": competence.name}
            if is_htmx(request):
                return _tree_response(request, version, status=done, focus=f"edit-{competence.pk}")
            messages.success(request, done)
            return redirect(framework_url(version.framework, version))
    query = f"?parent={parent.pk}" if parent else ""
    return _form_response(
        request,
        form,
        title=(_("New competence below %(name)s") % {"name": parent.name} if parent else _("New competence")),
        version=version,
        action=request.path + query,
        panel=f"panel-{parent.pk}" if parent else "panel-root",
    )


@login_required
@require_http_methods(["GET", "POST"])
def competence_edit(request: AuthenticatedHttpRequest, competence_pk: int) -> HttpResponse:
    competence = permissions.get_competence_for_user(request.user, competence_pk)
    version = competence.version
    _editable_version(request, version)
    # The form writes its cleaned values onto its instance; the service must see the stored ones.
    form = CompetenceForm(request.POST or None, instance=copy.copy(competence), version=version)
    if request.method == "POST" and form.is_valid():
        try:
            services.competence_update(competence=competence, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            done = _("%(name)s was saved.") % {"name": competence.name}
            if is_htmx(request):
                return _tree_response(request, version, status=done, focus=f"edit-{competence.pk}")
            messages.success(request, done)
            return redirect(framework_url(version.framework, version))
    return _form_response(
        request,
        form,
        title=_("Edit %(name)s") % {"name": competence.name},
        version=version,
        action=request.path,
        panel=f"panel-{competence.pk}",
    )


@login_required
def competence_move(request: AuthenticatedHttpRequest, competence_pk: int) -> HttpResponse:
    """Up / down buttons (keyboard and mouse alike); HTMX swaps the tree, otherwise a redirect."""
    competence = permissions.get_competence_for_user(request.user, competence_pk)
    require_post(request)
    version = competence.version
    _editable_version(request, version)
    direction = request.POST.get("direction", "")
    try:
        services.competence_move(competence=competence, direction=direction, actor=request.user)
    except ValidationError as exc:
        if is_htmx(request):
            return _tree_response(request, version, status=" ".join(exc.messages), error=True)
        messages.error(request, " ".join(exc.messages))
    else:
        if is_htmx(request):
            done = (_("%(name)s was moved up.") if direction == "up" else _("%(name)s was moved down.")) % {
                "name": competence.name
            }
            return _tree_response(request, version, status=done)
    return redirect(framework_url(version.framework, version))


def _posted_order(request: AuthenticatedHttpRequest) -> list[int]:
    values = request.POST.getlist("order")
    if len(values) == 1:  # also accept one comma-separated value
        values = values[0].split(",")
    return [int(value) for value in values if value.strip().isdigit()]


@login_required
def competence_reorder(request: AuthenticatedHttpRequest, version_pk: int) -> HttpResponse:
    """Drag and drop: the new order of one parent's children (`parent` empty for the top level)."""
    version = permissions.get_version_for_user(request.user, version_pk)
    require_post(request)
    _editable_version(request, version)
    parent_pk = request.POST.get("parent", "")
    parent = selectors.competence_of_version(version, int(parent_pk) if parent_pk.isdigit() else None)
    moved_pk = request.POST.get("moved", "")
    moved = selectors.competence_of_version(version, int(moved_pk) if moved_pk.isdigit() else None)
    try:
        if parent_pk.isdigit() and parent is None:
            raise ValidationError(_("The competence was not found. Reload the page and try again."))
        services.competence_reorder(
            version=version, parent=parent, order=_posted_order(request), actor=request.user
        )
    except ValidationError as exc:
        if is_htmx(request):
            return _tree_response(request, version, status=" ".join(exc.messages), error=True)
        messages.error(request, " ".join(exc.messages))
    else:
        done = _("%(name)s was moved.") % {"name": moved.name} if moved else _("The order was saved.")
        if is_htmx(request):
            return _tree_response(request, version, status=done, focus=f"edit-{moved.pk}" if moved else "")
        messages.success(request, done)
    return redirect(framework_url(version.framework, version))


@login_required
@require_http_methods(["GET", "POST"])
def competence_delete(request: AuthenticatedHttpRequest, competence_pk: int) -> HttpResponse:
    """GET asks for a confirmation (saying what goes with it); POST removes."""
    competence = permissions.get_competence_for_user(request.user, competence_pk)
    version = competence.version
    _editable_version(request, version)
    back = framework_url(version.framework, version)
    if request.method == "GET":
        context = {
            "competence": competence,
            "below": selectors.competence_descendant_count(competence),
            "cancel_url": back,
            "panel": f"panel-{competence.pk}",
            "clear_status": is_htmx(request),
        }
        template = (
            "competences/_competence_delete.html"
            if is_htmx(request)
            else "competences/competence_delete.html"
        )
        return render(request, template, context)
    name = competence.name
    focus = f"edit-{competence.parent_id}" if competence.parent_id else "add-root"
    try:
        services.competence_delete(competence=competence, actor=request.user)
    except ValidationError as exc:
        if is_htmx(request):
            return _tree_response(
                request, version, status=" ".join(exc.messages), error=True, focus=f"delete-{competence.pk}"
            )
        messages.error(request, " ".join(exc.messages))
        return redirect(back)
    done = _("%(name)s was removed.") % {"name": name}
    if is_htmx(request):
        return _tree_response(request, version, status=done, focus=focus)
    messages.success(request, done)
    return redirect(back)
