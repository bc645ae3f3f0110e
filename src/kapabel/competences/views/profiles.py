"""Profile pages: the profile matrix (profiles × competences of one version), creating a profile,
a profile's page, publishing it and starting its next version."""

from __future__ import annotations

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kapabel.competences import permissions, selectors, services
from kapabel.competences.forms import ProfileForm
from kapabel.competences.models import Competence, Importance, Profile
from kapabel.competences.services import TargetRow
from kapabel.competences.views.common import post_action
from kapabel.core.tenancy import current_municipality, current_municipality_id
from kapabel.core.web import AuthenticatedHttpRequest, form_errors_from, require_post


def _posted_targets(
    request: AuthenticatedHttpRequest, profile: Profile, competences: list[Competence]
) -> list[TargetRow]:
    """The matrix column of one profile as submitted: an empty level removes the target."""
    rows: list[TargetRow] = []
    for competence in competences:
        raw = request.POST.get(f"t-{profile.pk}-{competence.pk}", "")
        importance = request.POST.get(f"i-{profile.pk}-{competence.pk}", Importance.IMPORTANT)
        rows.append((competence, int(raw) if raw.isdigit() else None, importance))
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def profile_matrix(request: AuthenticatedHttpRequest, version_pk: int) -> HttpResponse:
    """Profiles × competences for one framework version: target level and importance per cell.
    Saving writes every editable profile at once, or none of them."""
    version = permissions.get_version_for_user(request.user, version_pk)
    profiles = list(
        selectors.profiles_for_user(request.user, framework_version=version).prefetch_related("targets")
    )
    editable = [p for p in profiles if p.is_editable and permissions.can_edit_profile(request.user, p)]
    if request.method == "POST":
        permissions.require(bool(editable))
        competences = [competence for _depth, competence in selectors.flat_tree(version)]
        try:
            services.profile_matrix_save(
                targets=[(p, _posted_targets(request, p, competences)) for p in editable],
                actor=request.user,
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The targets were saved."))
        return redirect("competences:profile_matrix", version_pk=version.pk)
    municipality_id = current_municipality_id(request)
    return render(
        request,
        "competences/profile_matrix.html",
        {
            "version": version,
            "framework": version.framework,
            "profiles": profiles,
            "matrix": selectors.profile_matrix(version, profiles, editable),
            "levels": selectors.scale_levels(version),
            "importances": Importance.choices,
            "can_edit": bool(editable),
            "can_create": municipality_id is not None
            and permissions.can_edit_in_municipality(request.user, municipality_id),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile_create(request: AuthenticatedHttpRequest, version_pk: int) -> HttpResponse:
    """A new draft profile in the municipality the user works in now (the header's choice)."""
    version = permissions.get_version_for_user(request.user, version_pk)
    municipality = permissions.require_edit_in_municipality(request.user, current_municipality(request))
    form = ProfileForm(request.POST or None, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_create(
                municipality=municipality, framework_version=version, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
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
def profile_detail(request: AuthenticatedHttpRequest, profile_pk: int) -> HttpResponse:
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
@require_http_methods(["GET", "POST"])
def profile_edit(request: AuthenticatedHttpRequest, profile_pk: int) -> HttpResponse:
    """A draft profile's own edit page: name, subject, description and its targets together."""
    profile = permissions.get_profile_for_user(request.user, profile_pk)
    permissions.require(permissions.can_edit_profile(request.user, profile))
    detail = reverse("competences:profile_detail", kwargs={"profile_pk": profile.pk})
    if not profile.is_editable:
        messages.error(request, _("A published profile cannot be changed. Create a new version to edit."))
        return redirect(detail)
    # The form writes its cleaned values onto its instance; the service must see the stored ones.
    form = ProfileForm(request.POST or None, instance=copy.copy(profile), municipality=profile.municipality)
    competences = selectors.flat_tree(profile.framework_version)
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_save(
                profile=profile,
                actor=request.user,
                targets=_posted_targets(request, profile, [c for _depth, c in competences]),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The profile %(name)s was saved.") % {"name": profile.name})
            return redirect(detail)
    targets = selectors.profile_targets(profile)
    posted = request.method == "POST"
    rows = [
        {
            "depth": depth,
            "competence": c,
            "level": request.POST.get(f"t-{profile.pk}-{c.pk}", "")
            if posted
            else str(targets[c.pk].target_level if c.pk in targets else ""),
            "importance": request.POST.get(f"i-{profile.pk}-{c.pk}", "")
            if posted
            else (targets[c.pk].importance if c.pk in targets else Importance.IMPORTANT),
        }
        for depth, c in competences
    ]
    return render(
        request,
        "competences/profile_edit.html",
        {
            "profile": profile,
            "form": form,
            "rows": rows,
            "levels": [
                (str(value), name) for value, name in selectors.scale_levels(profile.framework_version)
            ],
            "importances": Importance.choices,
            "cancel_url": detail,
        },
    )


@login_required
def profile_publish(request: AuthenticatedHttpRequest, profile_pk: int) -> HttpResponse:
    profile = permissions.get_profile_for_user(request.user, profile_pk)
    require_post(request)
    permissions.require(permissions.can_edit_profile(request.user, profile))
    back = reverse("competences:profile_detail", kwargs={"profile_pk": profile.pk})
    return post_action(
        request,
        lambda: services.profile_publish(profile=profile, actor=request.user),
        success=_("The profile was published."),
        done_url=back,
        failed_url=back,
    )


@login_required
def profile_new_version(request: AuthenticatedHttpRequest, profile_pk: int) -> HttpResponse:
    profile = permissions.get_profile_for_user(request.user, profile_pk)
    require_post(request)
    permissions.require(permissions.can_edit_profile(request.user, profile))
    newest = selectors.published_version(profile.framework_version.framework) or profile.framework_version
    return post_action(
        request,
        lambda: services.profile_create_version(
            profile=profile, framework_version=newest, actor=request.user
        ),
        success=_("A new draft version of the profile was created."),
        done_url=lambda new: reverse("competences:profile_detail", kwargs={"profile_pk": new.pk}),
        failed_url=reverse("competences:profile_detail", kwargs={"profile_pk": profile.pk}),
    )
