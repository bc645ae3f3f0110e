"""HTML views for clarification. Thin: a permission-checked fetch, a selector or a service, a template."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from kapabel.assessments import permissions, selectors, services
from kapabel.assessments.forms import CampaignForm, LevelOrderForm, SettingsForm, answers_from_post
from kapabel.assessments.models import Campaign, Part
from kapabel.competences.models import Importance
from kapabel.core import audit, tenancy
from kapabel.core.web import form_errors_from, request_user
from kapabel.organisation import permissions as org_permissions
from kapabel.organisation import pickers
from kapabel.organisation import selectors as org_selectors


def _errors(exc: ValidationError) -> tuple[dict[str, list[str]], list[str]]:
    """Field errors (keyed level_<id> etc.) and general errors of a service's ValidationError, for the
    answer forms, which are not Django forms (their fields are one per competence); the Django forms
    use `kapabel.core.web.form_errors_from`."""
    if hasattr(exc, "error_dict"):
        fields = dict(exc.message_dict)
        general = fields.pop("__all__", [])
        return fields, general
    return {}, list(exc.messages)


def _answer_rows(
    items: list[selectors.CompetenceItem], values: dict[Any, Any], errors: dict[str, list[str]]
) -> list:
    """What the form template needs per competence: the item, the chosen value and its errors."""
    rows = []
    for item in items:
        key = str(item.competence.pk)
        value = values.get(key) or values.get(item.competence.pk) or {}
        rows.append(
            {
                "item": item,
                "level": str(value.get("level", "")),
                "comment": value.get("comment", ""),
                "importance_now": value.get("importance_now", ""),
                "importance_future": value.get("importance_future", ""),
                "errors": errors.get(f"level_{key}", [])
                + errors.get(f"importance_now_{key}", [])
                + errors.get(f"importance_future_{key}", []),
            }
        )
    return rows


# --- Employee ---------------------------------------------------------------------------------------


@login_required
def my_assessments(request: HttpRequest) -> HttpResponse:
    """The employee's competences with their current levels, and their campaigns."""
    user = request_user(request)
    if not permissions.is_employee(user):
        raise PermissionDenied
    return render(
        request,
        "assessments/mine.html",
        {
            "assessments": selectors.my_assessments(user),
            "levels": selectors.my_current_levels(user),
        },
    )


@login_required
def my_history(request: HttpRequest) -> HttpResponse:
    """The employee's own rating history: every rating, newest first."""
    user = request_user(request)
    if not permissions.is_employee(user):
        raise PermissionDenied
    history = selectors.rating_history_own(user)
    return render(
        request,
        "assessments/my_history.html",
        {"history": Paginator(history, 50).get_page(request.GET.get("page"))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_form(request: HttpRequest, assessment_pk: int) -> HttpResponse:
    """The participant's form: self-assessment, leader survey or needs survey. Save a draft or submit."""
    user = request_user(request)
    assessment = permissions.get_assessment_for_user(user, assessment_pk)
    permissions.require_participant(user, assessment)
    campaign = assessment.campaign
    items = selectors.campaign_competences(campaign)
    leader = campaign.kind == Campaign.Kind.LEADER_SURVEY
    values: dict[str, Any] = assessment.self_draft or {}
    version = assessment.self_version
    field_errors: dict[str, list[str]] = {}
    general: list[str] = []
    status = 200
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        try:
            posted_version = int(request.POST.get("version", "-1"))
        except ValueError:
            posted_version = -1
        posted: dict[Any, Any]
        if campaign.kind == Campaign.Kind.NEEDS_SURVEY:
            posted = {
                "answers": [request.POST.get(f"answer_{i}", "") for i in range(len(campaign.questions))],
                "wishes": [int(w) for w in request.POST.getlist("wishes") if w.isdigit()],
            }
            kwargs: dict[str, Any] = {"needs_answers": posted["answers"], "wishes": posted["wishes"]}
        else:
            posted = answers_from_post(request.POST, [i.competence.pk for i in items], leader=leader)
            kwargs = {"answers": posted}
        try:
            services.assessment_save_self(
                assessment=assessment, version=posted_version, actor=user, submit=submit, **kwargs
            )
        except services.StaleVersion as exc:
            general = [str(exc)]
            values = {str(k): v for k, v in posted.items()} if isinstance(posted, dict) else posted
            version = exc.current_version  # saving again applies the kept input on top
            status = 409
        except ValidationError as exc:
            field_errors, general = _errors(exc)
            values = {str(k): v for k, v in posted.items()}
            status = 422
        else:
            messages.success(
                request,
                (
                    _("Your answers in “%(campaign)s” were submitted. Thank you.")
                    if submit
                    else _("Your draft in “%(campaign)s” was saved.")
                )
                % {"campaign": campaign.name},
            )
            return redirect("assessments:my_assessments" if submit else request.path)
    needs = campaign.kind == Campaign.Kind.NEEDS_SURVEY
    return render(
        request,
        "assessments/assessment_form.html",
        {
            "assessment": assessment,
            "campaign": campaign,
            "rows": _answer_rows(items, values, field_errors) if not needs else [],
            "items": items,
            "questions": [
                {"index": i, "text": q, "answer": (values.get("answers") or [""] * 99)[i] if needs else ""}
                for i, q in enumerate(campaign.questions)
            ],
            "wishes": {int(w) for w in values.get("wishes", [])} if needs else set(),
            "version": version,
            "general_errors": general,
            "field_errors": field_errors,
            "leader": leader,
            "needs": needs,
            "importance_choices": Importance.choices,
            "read_only": assessment.is_self_submitted or not campaign.is_open_for(campaign.participant_part),
        },
        status=status,
    )


# --- Manager ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def assessment_review(request: HttpRequest, assessment_pk: int) -> HttpResponse:
    """The manager's page for one person: self vs manager side by side with disagreements marked, the
    manager assessment and, after the conversation, the agreed level."""
    user = request_user(request)
    assessment = permissions.get_assessment_for_user(user, assessment_pk)
    permissions.require_manager_of(user, assessment)
    if request.method == "GET":
        audit.audit_read(
            user, assessment, action="assessments.review.viewed", object_repr=assessment.employee.name
        )
    campaign = assessment.campaign
    items = selectors.campaign_competences(campaign)
    step = assessment.next_manager_step
    start_from_manager = request.GET.get("start") == "manager"
    values: dict[str, Any] = selectors.manager_form_values(
        assessment, step, start_from_manager=start_from_manager
    )
    version = assessment.manager_version
    field_errors: dict[str, list[str]] = {}
    general: list[str] = []
    status = 200
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        posted = answers_from_post(request.POST, [i.competence.pk for i in items])
        try:
            posted_version = int(request.POST.get("version", "-1"))
        except ValueError:
            posted_version = -1
        try:
            services.assessment_save_manager(
                assessment=assessment,
                version=posted_version,
                actor=user,
                answers=posted,
                step=request.POST.get("step", step or Part.AGREED),
                submit=submit,
            )
        except services.StaleVersion as exc:
            general = [str(exc)]
            values = {str(k): v for k, v in posted.items()}
            version = exc.current_version
            status = 409
        except ValidationError as exc:
            field_errors, general = _errors(exc)
            values = {str(k): v for k, v in posted.items()}
            status = 422
        else:
            messages.success(request, _review_confirmation(request.POST.get("step", ""), submit, assessment))
            return redirect(request.path)
    rows = selectors.side_by_side(assessment, items)
    answer_rows = _answer_rows(items, values, field_errors)
    for row, answer in zip(rows, answer_rows, strict=True):
        row["answer"] = answer
    return render(
        request,
        "assessments/review.html",
        {
            "assessment": assessment,
            "campaign": campaign,
            "rows": rows,
            "step": step,
            "version": version,
            "general_errors": general,
            "done": step is None,
            "read_only": step is None or not campaign.is_open_for(step),
            "start_from_manager": start_from_manager,
            "field_errors": field_errors,
        },
        status=status,
    )


def _review_confirmation(step: str, submit: bool, assessment: Any) -> str:
    """What the manager's save did, for whom."""
    name = assessment.employee.name
    if step == Part.AGREED:
        if submit:
            return _("Agreed levels recorded for %(name)s.") % {"name": name}
        return _("Draft of the agreed levels saved for %(name)s.") % {"name": name}
    if submit:
        return _("Your assessment of %(name)s was submitted.") % {"name": name}
    return _("Draft of your assessment of %(name)s saved.") % {"name": name}


@login_required
def employee_history(request: HttpRequest, employee_pk: int) -> HttpResponse:
    """A person's rating history and current levels, for whoever may read that person."""
    user = request_user(request)
    employee = org_permissions.get_employee_for_user(user, employee_pk)
    audit.audit_read(user, employee, action="assessments.history.viewed")
    history = selectors.rating_history(employee, user)
    return render(
        request,
        "assessments/history.html",
        {
            "employee": employee,
            "current": selectors.current_levels(employee_ids=[employee.pk])
            .select_related("competence")
            .order_by("competence__code", "competence_id"),
            "history": Paginator(history, 50).get_page(request.GET.get("page")),
        },
    )


# --- HR and administrators --------------------------------------------------------------------------


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    permissions.require_follow_campaigns(user)
    # New campaigns and the settings are for the municipality the user works in (the header's switcher).
    municipality_id = tenancy.current_municipality_id(request)
    can_create = municipality_id is not None and permissions.can_manage_campaigns(user, municipality_id)
    can_configure = municipality_id is not None and permissions.can_manage_settings(user, municipality_id)
    return render(
        request,
        "assessments/campaign_list.html",
        {
            "page": Paginator(selectors.campaigns_for_user(user), 50).get_page(request.GET.get("page")),
            "can_create": can_create,
            "pending": selectors.pending_manager_counts(user),
            "settings_municipality_id": municipality_id if can_configure else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    """A new campaign in the municipality the user works in (the header's switcher)."""
    user = request_user(request)
    municipality = tenancy.current_municipality(request)
    if municipality is None:
        raise PermissionDenied
    permissions.require_manage_campaigns(user, municipality.pk)
    form = CampaignForm(
        request.POST or None,
        versions=selectors.framework_versions_for_municipality(municipality.pk),
        profiles=selectors.profiles_for_municipality(municipality.pk),
        units=org_selectors.units_for_user(user)
        .filter(municipality=municipality, active=True)
        .order_by("path"),
        job_roles=org_selectors.job_roles_for_user(user).filter(municipality=municipality, active=True),
        employees=org_selectors.employees_for_user(user).filter(municipality=municipality),
        municipality_id=municipality.pk,
    )
    if pickers.picker_action(request.POST):
        pickers.hold_errors(form)  # a search in a picker without JavaScript: show the form again
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.campaign_create(
                municipality=municipality,
                name=data["name"],
                kind=data["kind"],
                framework_version=data["framework_version"],
                profile=data["profile"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                description=data["description"],
                questions=data["questions"].splitlines(),
                send_invitations=data["send_invitations"],
                base_url=request.build_absolute_uri("/"),
                scope=services.Scope(
                    units=data["units"],
                    job_roles=list(data["job_roles"]),
                    employees=list(data["employees"]),
                ),
                actor=user,
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(
                request,
                _("The campaign was created with %(count)d participants.")
                % {"count": campaign.participant_count},
            )
            _invitation_message(request, campaign)
            return redirect("assessments:campaign_detail", campaign_pk=campaign.pk)
    return render(
        request,
        "assessments/form.html",
        {
            "form": form,
            "title": _("New campaign"),
            "cancel_url": reverse("assessments:campaign_list"),
        },
    )


def _invitation_message(request: HttpRequest, campaign: Campaign) -> None:
    """Say what happens with the invitations of a campaign just created."""
    if not campaign.send_invitations:
        return
    invited = selectors.invitation_counts(campaign)
    if invited["invited"]:
        messages.info(
            request,
            ngettext(
                "An invitation is on its way by e-mail to %(count)d participant.",
                "Invitations are on their way by e-mail to %(count)d participants.",
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
    else:
        messages.info(
            request,
            _("The participants will be invited by e-mail when the campaign opens on %(date)s.")
            % {"date": _date(campaign.opens_on)},
        )


@login_required
def campaign_detail(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    user = request_user(request)
    campaign = permissions.get_campaign_for_user(user, campaign_pk)
    if not permissions.can_follow_campaigns(user):
        # A participant without a people-reading role goes to their own form.
        own = selectors.my_assessment_in(campaign, user)
        if own is None:
            raise PermissionDenied
        return redirect("assessments:assessment_form", assessment_pk=own.pk)
    return render(
        request,
        "assessments/campaign_detail.html",
        {
            "campaign": campaign,
            "progress": selectors.campaign_progress(campaign, user),
            "can_manage": permissions.can_change_campaign(user, campaign),
            "individual": campaign.has_part(Part.MANAGER),
            "survey": campaign.kind != Campaign.Kind.INDIVIDUAL,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_close(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """GET asks for confirmation; POST closes."""
    user = request_user(request)
    campaign = permissions.get_campaign_for_user(user, campaign_pk)
    permissions.require_change_campaign(user, campaign)
    if request.method == "GET":
        return render(request, "assessments/campaign_close.html", {"campaign": campaign})
    try:
        services.campaign_close(campaign=campaign, actor=user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The campaign was closed. Nothing more can be saved in it."))
    return redirect("assessments:campaign_detail", campaign_pk=campaign.pk)


@login_required
@require_http_methods(["GET", "POST"])
def settings_edit(request: HttpRequest, municipality_pk: int) -> HttpResponse:
    user = request_user(request)
    municipality = org_permissions.get_municipality_for_user(user, municipality_pk)
    permissions.require_manage_settings(user, municipality.pk)
    current = selectors.settings_for(municipality.pk)
    data = request.POST or None
    form = SettingsForm(data, instance=current)
    order_form = LevelOrderForm(data, order=current.level_order)
    if request.method == "POST" and all([form.is_valid(), order_form.is_valid()]):
        try:
            services.assessment_settings_update(
                municipality=municipality,
                actor=user,
                current_level_order=order_form.cleaned_data["order"],
                reminder_days_before_close=form.cleaned_data["reminder_days_before_close"],
                reminders_enabled=form.cleaned_data["reminders_enabled"],
            )
        except ValidationError as exc:
            form_errors_from(exc, form)
        else:
            messages.success(request, _("The settings were saved."))
            return redirect("assessments:settings_edit", municipality_pk=municipality.pk)
    return render(
        request,
        "assessments/settings_form.html",
        {
            "form": form,
            "order_form": order_form,
            "title": _("Clarification settings for %(name)s") % {"name": municipality.name},
            "cancel_url": reverse("assessments:campaign_list"),
        },
    )


def _date(value: datetime.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")
