"""HTML views for frameworks, profiles and consultations. Thin: fetch with an access check, call a
selector or a service, render. The framework tree is one template partial, re-rendered by HTMX after
a move."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kapabel.competences import permissions, selectors, services
from kapabel.competences.exchange import FORMATS, export_version, parse
from kapabel.competences.forms import (
    CommentForm,
    CompetenceForm,
    ConsultationForm,
    FrameworkForm,
    ImportForm,
    ProfileForm,
)
from kapabel.competences.models import Comment, Competence, Framework, Importance, Status
from kapabel.core.models import Municipality
from kapabel.organisation.models import Employee


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _form_errors_from(exc: ValidationError, form: Any) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _post_action(
    request: HttpRequest,
    action: Callable[[], Any],
    *,
    success: str | Callable[[Any], str],
    done_url: str | Callable[[Any], str],
    failed_url: str,
) -> HttpResponse:
    """The shape of every POST-only action: call the service; a refusal becomes an error message,
    success a confirmation; then redirect (to where the result lives, or back)."""
    try:
        result = action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(failed_url)
    messages.success(request, success(result) if callable(success) else success)
    return redirect(done_url(result) if callable(done_url) else done_url)


def _editable_municipalities(request: HttpRequest) -> Any:
    return Municipality.objects.filter(pk__in=permissions.editable_municipality_ids(request.user))


def framework_url(framework: Framework, version: Any = None) -> str:
    url = reverse("competences:framework_detail", kwargs={"framework_pk": framework.pk})
    return f"{url}?version={version.number}" if version is not None else url


@login_required
def framework_list(request: HttpRequest) -> HttpResponse:
    frameworks = selectors.frameworks_for_user(request.user).prefetch_related("versions")
    return render(
        request,
        "competences/framework_list.html",
        {"frameworks": frameworks, "can_create": permissions.can_author_anything(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def framework_create(request: HttpRequest) -> HttpResponse:
    municipalities = _editable_municipalities(request)
    permissions.require(municipalities.exists())
    form = FrameworkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            framework = services.framework_create(
                municipality=municipalities.first(), actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
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
def framework_detail(request: HttpRequest, framework_pk: int) -> HttpResponse:
    framework = permissions.get_framework_for_user(request.user, framework_pk)
    versions = selectors.versions_for_user(request.user, framework)
    number = request.GET.get("version", "")
    version = next((v for v in versions if str(v.number) == number), versions[0] if versions else None)
    return render(
        request, "competences/framework_detail.html", _detail_context(request, framework, versions, version)
    )


def _detail_context(
    request: HttpRequest, framework: Framework, versions: list, version: Any
) -> dict[str, Any]:
    can_edit = permissions.can_edit_framework(request.user, framework)
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
    }


@login_required
@require_http_methods(["GET", "POST"])
def framework_edit(request: HttpRequest, framework_pk: int) -> HttpResponse:
    framework = permissions.get_framework_for_user(request.user, framework_pk)
    permissions.require(permissions.can_edit_framework(request.user, framework))
    form = FrameworkForm(request.POST or None, instance=Framework.objects.get(pk=framework.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.framework_update(framework=framework, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors_from(exc, form)
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
def framework_new_version(request: HttpRequest, framework_pk: int) -> HttpResponse:
    framework = permissions.get_framework_for_user(request.user, framework_pk)
    if request.method != "POST":  # after the access check, so a stranger gets 404, not 405
        return HttpResponseNotAllowed(["POST"])
    permissions.require(permissions.can_edit_framework(request.user, framework))
    return _post_action(
        request,
        lambda: services.version_create_draft(framework=framework, actor=request.user),
        success=lambda version: _("Version %(number)d was created as a draft.") % {"number": version.number},
        done_url=lambda version: framework_url(framework, version),
        failed_url=framework_url(framework),
    )


@login_required
def version_publish(request: HttpRequest, version_pk: int) -> HttpResponse:
    version = permissions.get_version_for_user(request.user, version_pk)
    if request.method != "POST":  # after the access check, so a stranger gets 404, not 405
        return HttpResponseNotAllowed(["POST"])
    permissions.require(permissions.can_edit_framework(request.user, version.framework))
    back = framework_url(version.framework, version)
    return _post_action(
        request,
        lambda: services.version_publish(version=version, actor=request.user),
        success=_("Version %(number)d was published.") % {"number": version.number},
        done_url=back,
        failed_url=back,
    )


@login_required
def version_export(request: HttpRequest, version_pk: int) -> HttpResponse:
    version = permissions.get_version_for_user(request.user, version_pk)
    fmt = request.GET.get("format", "case-json")
    if fmt not in FORMATS:
        fmt = "case-json"
    content, content_type, extension = export_version(version, fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="framework-{version.framework_id}-v{version.number}.{extension}"'
    )
    return response


def _tree_response(request: HttpRequest, version: Any) -> HttpResponse:
    framework = version.framework
    versions = selectors.versions_for_user(request.user, framework)
    return render(
        request,
        "competences/framework_detail.html#tree",
        _detail_context(request, framework, versions, version),
    )


@login_required
@require_http_methods(["GET", "POST"])
def competence_create(request: HttpRequest, version_pk: int) -> HttpResponse:
    version = permissions.get_version_for_user(request.user, version_pk)
    permissions.require(permissions.can_edit_framework(request.user, version.framework))
    parent = Competence.objects.filter(version=version, pk=request.GET.get("parent") or 0).first()
    form = CompetenceForm(request.POST or None, version=version, initial={"parent": parent})
    if request.method == "POST" and form.is_valid():
        try:
            services.competence_create(version=version, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors_from(exc, form)
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
def competence_edit(request: HttpRequest, competence_pk: int) -> HttpResponse:
    competence = permissions.get_competence_for_user(request.user, competence_pk)
    version = competence.version
    permissions.require(permissions.can_edit_framework(request.user, version.framework))
    form = CompetenceForm(
        request.POST or None, instance=Competence.objects.get(pk=competence.pk), version=version
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.competence_update(competence=competence, actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors_from(exc, form)
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
def competence_move(request: HttpRequest, competence_pk: int) -> HttpResponse:
    """Up / down buttons (keyboard and mouse alike); HTMX swaps the tree, otherwise a redirect."""
    competence = permissions.get_competence_for_user(request.user, competence_pk)
    if request.method != "POST":  # after the access check, so a stranger gets 404, not 405
        return HttpResponseNotAllowed(["POST"])
    version = competence.version
    permissions.require(permissions.can_edit_framework(request.user, version.framework))
    try:
        services.competence_move(
            competence=competence, direction=request.POST.get("direction", ""), actor=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    if _is_htmx(request):
        return _tree_response(request, version)
    return redirect(framework_url(version.framework, version))


@login_required
def competence_delete(request: HttpRequest, competence_pk: int) -> HttpResponse:
    competence = permissions.get_competence_for_user(request.user, competence_pk)
    if request.method != "POST":  # after the access check, so a stranger gets 404, not 405
        return HttpResponseNotAllowed(["POST"])
    version = competence.version
    permissions.require(permissions.can_edit_framework(request.user, version.framework))
    back = framework_url(version.framework, version)
    return _post_action(
        request,
        lambda: services.competence_delete(competence=competence, actor=request.user),
        success=_("The competence was removed."),
        done_url=back,
        failed_url=back,
    )


@login_required
@require_http_methods(["GET", "POST"])
def framework_import(request: HttpRequest) -> HttpResponse:
    """Upload, preview, confirm. The preview carries the file content in a hidden field, so nothing
    is written until the user confirms; the confirm step parses and validates it again."""
    municipalities = _editable_municipalities(request)
    permissions.require(municipalities.exists())
    form = ImportForm(request.POST or None, request.FILES or None, municipalities=municipalities)
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and "content" in request.POST:
        form = ImportForm(request.POST, municipalities=municipalities, file_required=False)
        if form.is_valid():
            content = base64.b64decode(request.POST["content"].encode())
            try:
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


# --- Profiles ------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def profile_matrix(request: HttpRequest, version_pk: int) -> HttpResponse:
    """Profiles × competences for one framework version: target level and importance per cell."""
    version = permissions.get_version_for_user(request.user, version_pk)
    profiles = list(
        selectors.profiles_for_user(request.user, framework_version=version).prefetch_related("targets")
    )
    editable = [p for p in profiles if p.is_editable and permissions.can_edit_profile(request.user, p)]
    rows = selectors.flat_tree(version)
    levels = [(level.value, level.name) for level in version.scale.levels.all()] if version.scale else []
    if request.method == "POST":
        permissions.require(bool(editable))
        try:
            for profile in editable:
                targets = []
                for _depth, competence in rows:
                    raw = request.POST.get(f"t-{profile.pk}-{competence.pk}", "")
                    importance = request.POST.get(f"i-{profile.pk}-{competence.pk}", Importance.IMPORTANT)
                    targets.append((competence, int(raw) if raw.isdigit() else None, importance))
                services.profile_set_targets(profile=profile, targets=targets, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The targets were saved."))
        return redirect("competences:profile_matrix", version_pk=version.pk)
    target_of = {(t.profile_id, t.competence_id): t for p in profiles for t in p.targets.all()}
    matrix = [
        {
            "depth": depth,
            "competence": competence,
            "cells": [
                {"profile": p, "target": target_of.get((p.pk, competence.pk)), "editable": p in editable}
                for p in profiles
            ],
        }
        for depth, competence in rows
    ]
    return render(
        request,
        "competences/profile_matrix.html",
        {
            "version": version,
            "framework": version.framework,
            "profiles": profiles,
            "matrix": matrix,
            "levels": levels,
            "importances": Importance.choices,
            "can_edit": bool(editable),
            "can_create": bool(permissions.editable_municipality_ids(request.user)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_create(request: HttpRequest, version_pk: int) -> HttpResponse:
    version = permissions.get_version_for_user(request.user, version_pk)
    ids = permissions.editable_municipality_ids(request.user)
    permissions.require(bool(ids))
    municipality = Municipality.objects.get(pk=ids[0])
    form = ProfileForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_create(
                municipality=municipality, framework_version=version, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("The profile was created as a draft."))
            return redirect("competences:profile_matrix", version_pk=version.pk)
    return render(
        request,
        "competences/form.html",
        {
            "form": form,
            "title": _("New profile for %(framework)s") % {"framework": version},
            "cancel_url": reverse("competences:profile_matrix", kwargs={"version_pk": version.pk}),
        },
    )


@login_required
def profile_detail(request: HttpRequest, profile_pk: int) -> HttpResponse:
    profile = permissions.get_profile_for_user(request.user, profile_pk)
    targets = selectors.profile_targets(profile)
    rows = [(depth, c, targets.get(c.pk)) for depth, c in selectors.flat_tree(profile.framework_version)]
    return render(
        request,
        "competences/profile_detail.html",
        {
            "profile": profile,
            "rows": rows,
            "can_edit": permissions.can_edit_profile(request.user, profile),
            "consultations": profile.consultations.all(),
        },
    )


@login_required
def profile_publish(request: HttpRequest, profile_pk: int) -> HttpResponse:
    profile = permissions.get_profile_for_user(request.user, profile_pk)
    if request.method != "POST":  # after the access check, so a stranger gets 404, not 405
        return HttpResponseNotAllowed(["POST"])
    permissions.require(permissions.can_edit_profile(request.user, profile))
    back = reverse("competences:profile_detail", kwargs={"profile_pk": profile.pk})
    return _post_action(
        request,
        lambda: services.profile_publish(profile=profile, actor=request.user),
        success=_("The profile was published."),
        done_url=back,
        failed_url=back,
    )


@login_required
def profile_new_version(request: HttpRequest, profile_pk: int) -> HttpResponse:
    profile = permissions.get_profile_for_user(request.user, profile_pk)
    if request.method != "POST":  # after the access check, so a stranger gets 404, not 405
        return HttpResponseNotAllowed(["POST"])
    permissions.require(permissions.can_edit_profile(request.user, profile))
    newest = selectors.published_version(profile.framework_version.framework) or profile.framework_version
    return _post_action(
        request,
        lambda: services.profile_create_version(
            profile=profile, framework_version=newest, actor=request.user
        ),
        success=_("A new draft version of the profile was created."),
        done_url=lambda new: reverse("competences:profile_detail", kwargs={"profile_pk": new.pk}),
        failed_url=reverse("competences:profile_detail", kwargs={"profile_pk": profile.pk}),
    )


# --- Consultations ---------------------------------------------------------------------------------


@login_required
def consultation_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "competences/consultation_list.html",
        {"consultations": selectors.consultations_for_user(request.user)},
    )


def _open_consultation(
    request: HttpRequest, *, municipality_id: int, cancel_url: str, title: str, **subject: Any
) -> HttpResponse:
    employees = Employee.objects.filter(municipality_id=municipality_id, active=True).order_by("name")
    form = ConsultationForm(request.POST or None, employees=employees)
    if request.method == "POST" and form.is_valid():
        try:
            consultation = services.consultation_open(actor=request.user, **subject, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors_from(exc, form)
        else:
            messages.success(request, _("The draft is open for comments."))
            return redirect("competences:consultation_detail", consultation_pk=consultation.pk)
    return render(request, "competences/form.html", {"form": form, "title": title, "cancel_url": cancel_url})


@login_required
@require_http_methods(["GET", "POST"])
def profile_consult(request: HttpRequest, profile_pk: int) -> HttpResponse:
    profile = permissions.get_profile_for_user(request.user, profile_pk)
    permissions.require(permissions.can_edit_profile(request.user, profile))
    return _open_consultation(
        request,
        municipality_id=profile.municipality_id,
        cancel_url=reverse("competences:profile_detail", kwargs={"profile_pk": profile.pk}),
        title=_("Open %(name)s for comments") % {"name": profile},
        profile=profile,
    )


@login_required
@require_http_methods(["GET", "POST"])
def version_consult(request: HttpRequest, version_pk: int) -> HttpResponse:
    version = permissions.get_version_for_user(request.user, version_pk)
    framework = version.framework
    permissions.require(
        permissions.can_edit_framework(request.user, framework) and framework.municipality_id is not None
    )
    return _open_consultation(
        request,
        municipality_id=framework.municipality_id or 0,
        cancel_url=framework_url(framework, version),
        title=_("Open %(name)s for comments") % {"name": version},
        framework_version=version,
    )


@login_required
@require_http_methods(["GET", "POST"])
def consultation_detail(request: HttpRequest, consultation_pk: int) -> HttpResponse:
    consultation = permissions.get_consultation_for_user(request.user, consultation_pk)
    version = consultation.framework_version or consultation.profile.framework_version  # type: ignore[union-attr]
    levels = [(level.value, level.name) for level in version.scale.levels.all()] if version.scale else []
    can_comment = permissions.can_comment(request.user, consultation)
    form = CommentForm(
        request.POST or None,
        competences=Competence.objects.filter(version=version).order_by("depth", "position"),
        levels=levels,
        proposals=consultation.profile is not None,
    )
    if request.method == "POST":
        permissions.require(can_comment)
        if form.is_valid():
            try:
                services.comment_add(consultation=consultation, author=request.user, **form.cleaned_data)
            except ValidationError as exc:
                _form_errors_from(exc, form)
            else:
                messages.success(request, _("Your comment was added."))
                return redirect("competences:consultation_detail", consultation_pk=consultation.pk)
    comments = list(selectors.consultation_comments(consultation))
    return render(
        request,
        "competences/consultation_detail.html",
        {
            "consultation": consultation,
            "version": version,
            "comments": comments,
            "form": form,
            "can_comment": can_comment,
            "can_decide": permissions.can_edit_consultation_subject(request.user, consultation),
            "pending": Comment.Decision.PENDING,
        },
    )


@login_required
def comment_decide(request: HttpRequest, comment_pk: int) -> HttpResponse:
    comment = permissions.get_comment_for_user(request.user, comment_pk)
    if request.method != "POST":  # after the access check, so a stranger gets 404, not 405
        return HttpResponseNotAllowed(["POST"])
    permissions.require(permissions.can_edit_consultation_subject(request.user, comment.consultation))
    back = reverse("competences:consultation_detail", kwargs={"consultation_pk": comment.consultation_id})
    return _post_action(
        request,
        lambda: services.comment_decide(
            comment=comment,
            accept=request.POST.get("decision") == "accept",
            note=request.POST.get("note", "")[:500],
            actor=request.user,
        ),
        success=_("The decision was recorded."),
        done_url=back,
        failed_url=back,
    )


@login_required
def consultation_close(request: HttpRequest, consultation_pk: int) -> HttpResponse:
    consultation = permissions.get_consultation_for_user(request.user, consultation_pk)
    if request.method != "POST":  # after the access check, so a stranger gets 404, not 405
        return HttpResponseNotAllowed(["POST"])
    permissions.require(permissions.can_edit_consultation_subject(request.user, consultation))
    services.consultation_close(consultation=consultation, actor=request.user)
    messages.success(request, _("The consultation was closed."))
    return redirect("competences:consultation_detail", consultation_pk=consultation.pk)
