"""Framework pages: the list, creating and editing a framework, a version's page with its tree,
publishing, a new draft version, moving the profiles onto the newest version, export and import."""

from __future__ import annotations

import base64
import binascii
import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from kapabel.competences import permissions, selectors, services
from kapabel.competences.exchange import FORMATS, parse
from kapabel.competences.forms import FrameworkForm, ImportForm
from kapabel.competences.models import Framework, FrameworkVersion, Status
from kapabel.competences.views.common import framework_url, post_action
from kapabel.core.tenancy import current_municipality, current_municipality_id
from kapabel.core.web import AuthenticatedHttpRequest, form_errors_from, require_post


@login_required
def framework_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    frameworks = selectors.frameworks_for_user(request.user).prefetch_related("versions")
    return render(
        request,
        "competences/framework_list.html",
        {"frameworks": frameworks, "can_create": permissions.can_author_anything(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def framework_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A new framework owned by the municipality the user works in now (the header's choice)."""
    municipality = permissions.require_edit_in_municipality(request.user, current_municipality(request))
    form = FrameworkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            framework = services.framework_create(
                municipality=municipality, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The framework was created as a draft."))
            return redirect(framework_url(framework))
    return render(
        request,
        "competences/form.html",
        {
            "form": form,
            "title": _("New competence framework"),
            "cancel_url": reverse("competences:framework_list"),
        },
    )


@login_required
def framework_detail(request: AuthenticatedHttpRequest, framework_pk: int) -> HttpResponse:
    framework = permissions.get_framework_for_user(request.user, framework_pk)
    versions = selectors.versions_for_user(request.user, framework)
    number = request.GET.get("version", "")
    version = next((v for v in versions if str(v.number) == number), versions[0] if versions else None)
    return render(
        request, "competences/framework_detail.html", detail_context(request, framework, versions, version)
    )


def detail_context(
    request: AuthenticatedHttpRequest,
    framework: Framework,
    versions: list[FrameworkVersion],
    version: FrameworkVersion | None,
) -> dict[str, Any]:
    """The framework page (and its tree partial) for one of the versions the user may read."""
    can_edit = permissions.can_edit_framework(request.user, framework)
    municipality_id = current_municipality_id(request)
    newest = selectors.published_version(framework) if municipality_id is not None else None
    to_move = (
        selectors.profiles_on_older_versions(framework, newest, municipality_id).count()
        if newest is not None
        and municipality_id is not None
        and permissions.can_move_profiles(request.user, municipality_id)
        else 0
    )
    return {
        "framework": framework,
        "versions": versions,
        "version": version,
        "tree": selectors.competence_tree(version) if version else [],
        "scales": selectors.scales_with_levels(version) if version else [],
        "can_edit": can_edit,
        "editable": can_edit and version is not None and version.is_editable,
        "has_draft": any(v.status == Status.DRAFT for v in versions),
        "formats": FORMATS,
        "profiles": selectors.profiles_for_user(request.user, framework_version=version) if version else [],
        "move_to": newest if to_move else None,
        "to_move": to_move,
    }


@login_required
@require_http_methods(["GET", "POST"])
def framework_edit(request: AuthenticatedHttpRequest, framework_pk: int) -> HttpResponse:
    framework = permissions.get_framework_for_user(request.user, framework_pk)
    permissions.require(permissions.can_edit_framework(request.user, framework))
    # The form writes its cleaned values onto its instance; the service must see the stored ones.
    form = FrameworkForm(request.POST or None, instance=copy.copy(framework))
    if request.method == "POST" and form.is_valid():
        try:
            services.framework_update(framework=framework, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The framework was saved."))
            return redirect(framework_url(framework))
    return render(
        request,
        "competences/form.html",
        {
            "form": form,
            "title": _("Edit %(name)s") % {"name": framework.name},
            "cancel_url": framework_url(framework),
        },
    )


@login_required
def framework_new_version(request: AuthenticatedHttpRequest, framework_pk: int) -> HttpResponse:
    framework = permissions.get_framework_for_user(request.user, framework_pk)
    require_post(request)
    permissions.require(permissions.can_edit_framework(request.user, framework))
    return post_action(
        request,
        lambda: services.version_create_draft(framework=framework, actor=request.user),
        success=lambda version: _("Version %(number)d was created as a draft.") % {"number": version.number},
        done_url=lambda version: framework_url(framework, version),
        failed_url=framework_url(framework),
    )


@login_required
def framework_move_profiles(request: AuthenticatedHttpRequest, framework_pk: int) -> HttpResponse:
    """Move all of the current municipality's published profiles of the framework onto its newest
    published version (one transaction)."""
    framework = permissions.get_framework_for_user(request.user, framework_pk)
    require_post(request)
    municipality = permissions.require_edit_in_municipality(request.user, current_municipality(request))
    permissions.require(permissions.can_move_profiles(request.user, municipality.pk))
    version = selectors.published_version(framework)
    if version is None:
        messages.error(request, _("The framework has no published version to move the profiles to."))
        return redirect(framework_url(framework))
    return post_action(
        request,
        lambda: services.profiles_move_to_version(
            framework=framework, version=version, municipality=municipality, actor=request.user
        ),
        success=lambda moved: (
            ngettext(
                "%(count)d profile was moved to version %(number)d.",
                "%(count)d profiles were moved to version %(number)d.",
                len(moved),
            )
            % {"count": len(moved), "number": version.number}
        ),
        done_url=framework_url(framework, version),
        failed_url=framework_url(framework),
    )


@login_required
def version_publish(request: AuthenticatedHttpRequest, version_pk: int) -> HttpResponse:
    version = permissions.get_version_for_user(request.user, version_pk)
    require_post(request)
    permissions.require(permissions.can_edit_framework(request.user, version.framework))
    back = framework_url(version.framework, version)
    return post_action(
        request,
        lambda: services.version_publish(version=version, actor=request.user),
        success=_("Version %(number)d was published.") % {"number": version.number},
        done_url=back,
        failed_url=back,
    )


@login_required
def version_export(request: AuthenticatedHttpRequest, version_pk: int) -> HttpResponse:
    version = permissions.get_version_for_user(request.user, version_pk)
    fmt = request.GET.get("format", "case-json")
    if fmt not in FORMATS:
        fmt = "case-json"
    content, content_type, extension = selectors.version_export(version, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="framework-{version.framework_id}-v{version.number}.{extension}"'
    )
    return response


def _previewed_content(value: str) -> bytes:
    """The file the preview carried in its hidden field; a broken or altered value is refused."""
    try:
        return base64.b64decode(value.encode(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValidationError(_("The previewed file could not be read back. Upload it again.")) from exc


@login_required
@require_http_methods(["GET", "POST"])
def framework_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload, preview, confirm. The preview carries the file content in a hidden field, so nothing
    is written until the user confirms; the confirm step parses and validates it again."""
    municipalities = selectors.editable_municipalities(request.user)
    permissions.require(municipalities.exists())
    form = ImportForm(request.POST or None, request.FILES or None, municipalities=municipalities)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and "content" in request.POST:
        form = ImportForm(request.POST, municipalities=municipalities, file_required=False)
        if form.is_valid():
            try:
                content = _previewed_content(request.POST["content"])
                data = parse(content, form.cleaned_data["format"], language=form.cleaned_data["language"])
                framework = services.framework_import(
                    data=data,
                    municipality=form.cleaned_data["municipality"],
                    actor=request.user,
                    source=request.POST.get("filename", ""),
                )
            except ValidationError as exc:
                context["problems"] = exc.messages
            else:
                messages.success(request, _("The framework was imported as a draft."))
                return redirect(framework_url(framework))
        context["form"] = form
    elif request.method == "POST" and form.is_valid():
        content = form.cleaned_data["file"].read()
        try:
            data = parse(content, form.cleaned_data["format"], language=form.cleaned_data["language"])
        except ValidationError as exc:
            context["problems"] = exc.messages
        else:
            depth: dict[str, int] = {}
            for item in data.competences:
                depth[item.identifier] = depth.get(item.parent, -1) + 1 if item.parent else 0
            context.update(
                {
                    "preview": data,
                    "rows": [(depth[item.identifier], item) for item in data.competences],
                    "content": base64.b64encode(content).decode(),
                    "filename": form.cleaned_data["file"].name,
                }
            )
    return render(request, "competences/import.html", context)
