"""Co-creation pages: the list of consultations, opening a draft for comments, a consultation's page
with its comments, deciding on a proposal and closing."""

from __future__ import annotations

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
from kapabel.competences.forms import CommentForm, ConsultationForm
from kapabel.competences.models import Comment
from kapabel.competences.views.common import framework_url, post_action
from kapabel.core.web import AuthenticatedHttpRequest, form_errors_from, require_post
from kapabel.organisation import pickers


@login_required
def consultation_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    return render(
        request,
        "competences/consultation_list.html",
        {"consultations": selectors.consultations_for_user(request.user)},
    )


def _open_consultation(
    request: AuthenticatedHttpRequest, *, municipality_id: int, cancel_url: str, title: str, **subject: Any
) -> HttpResponse:
    form = ConsultationForm(
        request.POST or None,
        employees=selectors.participant_candidates(request.user, municipality_id),
        municipality_id=municipality_id,
    )
    if pickers.picker_action(request.POST):
        pickers.hold_errors(form)  # a search in the people picker without JavaScript: show it again
    elif request.method == "POST" and form.is_valid():
        try:
            consultation = services.consultation_open(
                actor=request.user, base_url=request.build_absolute_uri("/"), **subject, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            invited = selectors.consultation_invitation_counts(consultation)
            messages.success(
                request,
                ngettext(
                    "The draft is open for comments. An invitation is on its way by e-mail to %(count)d "
                    "participant.",
                    "The draft is open for comments. Invitations are on their way by e-mail to %(count)d "
                    "participants.",
                    invited["sent"],
                )
                % {"count": invited["sent"]},
            )
            if invited["without_email"]:
                messages.warning(
                    request,
                    ngettext(
                        "%(count)d participant has no e-mail address and was not invited.",
                        "%(count)d participants have no e-mail address and were not invited.",
                        invited["without_email"],
                    )
                    % {"count": invited["without_email"]},
                )
            return redirect("competences:consultation_detail", consultation_pk=consultation.pk)
    return render(request, "competences/form.html", {"form": form, "title": title, "cancel_url": cancel_url})


@login_required
@require_http_methods(["GET", "POST"])
def profile_consult(request: AuthenticatedHttpRequest, profile_pk: int) -> HttpResponse:
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
def version_consult(request: AuthenticatedHttpRequest, version_pk: int) -> HttpResponse:
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
def consultation_detail(request: AuthenticatedHttpRequest, consultation_pk: int) -> HttpResponse:
    consultation = permissions.get_consultation_for_user(request.user, consultation_pk)
    version = consultation.subject_version
    can_comment = permissions.can_comment(request.user, consultation)
    form = CommentForm(
        request.POST or None,
        competences=selectors.competences_of_version(version),
        levels=selectors.scale_levels(version),
        proposals=consultation.profile is not None,
    )
    if request.method == "POST":
        permissions.require(can_comment)
        if form.is_valid():
            try:
                services.comment_add(consultation=consultation, author=request.user, **form.cleaned_data)
            except ValidationError as exc:
                form_errors_from(exc, form)
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
def comment_decide(request: AuthenticatedHttpRequest, comment_pk: int) -> HttpResponse:
    comment = permissions.get_comment_for_user(request.user, comment_pk)
    require_post(request)
    permissions.require(permissions.can_edit_consultation_subject(request.user, comment.consultation))
    back = reverse("competences:consultation_detail", kwargs={"consultation_pk": comment.consultation_id})
    return post_action(
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
def consultation_close(request: AuthenticatedHttpRequest, consultation_pk: int) -> HttpResponse:
    consultation = permissions.get_consultation_for_user(request.user, consultation_pk)
    require_post(request)
    permissions.require(permissions.can_edit_consultation_subject(request.user, consultation))
    services.consultation_close(consultation=consultation, actor=request.user)
    messages.success(request, _("The consultation was closed."))
    return redirect("competences:consultation_detail", consultation_pk=consultation.pk)
