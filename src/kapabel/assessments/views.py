"""HTML views for clarification. Thin: a permission-checked fetch, a selector or a service, a template."""

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
from django.views.decorators.http import require_http_methods

from kapabel.assessments import permissions, selectors, services
from kapabel.assessments.forms import CampaignForm, SettingsForm, answers_from_post
from kapabel.assessments.models import Campaign, Source
from kapabel.competences.models import Importance
from kapabel.core.access import scope_for
from kapabel.organisation import permissions as org_permissions
from kapabel.organisation import selectors as org_selectors


def _errors(exc: ValidationError) -> tuple[dict[str, list[str]], list[str]]:
    """Field errors (keyed level_<id> etc.) and general errors of a service's ValidationError."""
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
    """The employee's campaigns and their own rating history."""
    scope = scope_for(request.user)
    if not scope.employee_id:
        raise PermissionDenied
    history = selectors.rating_history_own(request.user)
    return render(
        request,
        "assessments/mine.html",
        {
            "assessments": selectors.my_assessments(request.user),
            "history": Paginator(history, 50).get_page(request.GET.get("page")),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assessment_form(request: HttpRequest, assessment_pk: int) -> HttpResponse:
    """The participant's form: self-assessment, leader survey or needs survey. Save a draft or submit."""
    assessment = permissions.get_assessment_for_user(request.user, assessment_pk)
    permissions.require_participant(request.user, assessment)
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
                assessment=assessment, version=posted_version, actor=request.user, submit=submit, **kwargs
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
                _("Your answers were submitted. Thank you.") if submit else _("Your draft was saved."),
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
            "read_only": assessment.self_submitted_at is not None or not campaign.accepts_submissions(),
        },
        status=status,
    )


# --- Manager ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def assessment_review(request: HttpRequest, assessment_pk: int) -> HttpResponse:
    """The manager's page for one person: self vs manager side by side with disagreements marked, the
    manager assessment and, after the conversation, the agreed level."""
    assessment = permissions.get_assessment_for_user(request.user, assessment_pk)
    permissions.require_manager_of(request.user, assessment)
    campaign = assessment.campaign
    if campaign.kind != Campaign.Kind.INDIVIDUAL:
        raise PermissionDenied
    items = selectors.campaign_competences(campaign)
    step = Source.MANAGER if assessment.manager_submitted_at is None else Source.AGREED
    draft = (assessment.manager_draft or {}).get(step, {})
    if step == Source.AGREED and not draft:
        draft = (assessment.manager_draft or {}).get(Source.MANAGER, {})  # start from the manager's levels
    values: dict[str, Any] = draft
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
                actor=request.user,
                answers=posted,
                step=request.POST.get("step", step),
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
            messages.success(request, _("Saved."))
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
            "done": assessment.agreed_at is not None,
            "read_only": campaign.is_closed or assessment.agreed_at is not None,
        },
        status=status,
    )


@login_required
def employee_history(request: HttpRequest, employee_pk: int) -> HttpResponse:
    """A person's rating history and current levels, for whoever may read that person."""
    employee = org_permissions.get_employee_for_user(request.user, employee_pk)
    history = selectors.rating_history(employee, request.user)
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
    scope = scope_for(request.user)
    if not scope.reads_people:
        raise PermissionDenied
    campaigns = selectors.campaigns_for_user(request.user)
    return render(
        request,
        "assessments/campaign_list.html",
        {
            "page": Paginator(campaigns, 50).get_page(request.GET.get("page")),
            "can_create": bool(selectors.municipalities_managed_by(request.user)),
            "pending": selectors.pending_manager_counts(request.user),
            "settings_municipalities": [
                m
                for m in selectors.municipalities_managed_by(request.user)
                if permissions.can_manage_settings(request.user, m)
            ],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_create(request: HttpRequest) -> HttpResponse:
    managed = selectors.municipalities_managed_by(request.user)
    if not managed:
        raise PermissionDenied
    municipality = org_permissions.get_municipality_for_user(request.user, managed[0])
    units = (
        org_selectors.units_for_user(request.user)
        .filter(municipality=municipality, active=True)
        .order_by("path")
    )
    form = CampaignForm(
        request.POST or None,
        versions=selectors.framework_versions_for_municipality(municipality.pk),
        profiles=selectors.profiles_for_municipality(municipality.pk),
        units=units,
        job_roles=org_selectors.job_roles_for_user(request.user).filter(
            municipality=municipality, active=True
        ),
        employees=org_selectors.employees_for_user(request.user).filter(municipality=municipality),
    )
    if request.method == "POST" and form.is_valid():
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
                scope=services.Scope(
                    units=[(u, True) for u in data["units"]] + [(u, False) for u in data["units_only"]],
                    job_roles=list(data["job_roles"]),
                    employees=list(data["employees"]),
                ),
                actor=request.user,
            )
        except ValidationError as exc:
            fields, general = _errors(exc)
            for field, errors in fields.items():
                form.add_error(field if field in form.fields else None, errors)
            for error in general:
                form.add_error(None, error)
        else:
            messages.success(
                request,
                _("The campaign was created with %(count)d participants.")
                % {"count": campaign.participant_count},
            )
            return redirect("assessments:campaign_detail", campaign_pk=campaign.pk)
    return render(
        request,
        "assessments/form.html",
        {"form": form, "title": _("New campaign"), "cancel_url": reverse("assessments:campaign_list")},
    )


@login_required
def campaign_detail(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    campaign = permissions.get_campaign_for_user(request.user, campaign_pk)
    scope = scope_for(request.user)
    if not scope.reads_people:
        # A participant without a people-reading role goes to their own form.
        own = selectors.my_assessments(request.user).filter(campaign=campaign).first()
        if own is None:
            raise PermissionDenied
        return redirect("assessments:assessment_form", assessment_pk=own.pk)
    participants = selectors.campaign_participants(campaign, request.user)
    page = Paginator(participants, 50).get_page(request.GET.get("page"))
    managed_ids = (
        set(
            participants.filter(selectors.managed_q(request.user))
            .filter(pk__in=[a.pk for a in page])
            .values_list("pk", flat=True)
        )
        if campaign.kind == Campaign.Kind.INDIVIDUAL
        else set()
    )
    return render(
        request,
        "assessments/campaign_detail.html",
        {
            "campaign": campaign,
            "progress": selectors.campaign_progress(campaign, request.user),
            "page": page,
            "managed_ids": managed_ids,
            "can_manage": permissions.can_manage_campaigns(request.user, campaign.municipality_id),
            "individual": campaign.kind == Campaign.Kind.INDIVIDUAL,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def campaign_close(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """GET asks for confirmation; POST closes."""
    campaign = permissions.get_campaign_for_user(request.user, campaign_pk)
    permissions.require_manage_campaigns(request.user, campaign.municipality_id)
    if request.method == "GET":
        return render(request, "assessments/campaign_close.html", {"campaign": campaign})
    try:
        services.campaign_close(campaign=campaign, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The campaign was closed. Nothing more can be saved in it."))
    return redirect("assessments:campaign_detail", campaign_pk=campaign.pk)


@login_required
@require_http_methods(["GET", "POST"])
def settings_edit(request: HttpRequest, municipality_pk: int) -> HttpResponse:
    municipality = org_permissions.get_municipality_for_user(request.user, municipality_pk)
    if not permissions.can_manage_settings(request.user, municipality.pk):
        raise PermissionDenied
    current = selectors.settings_for(municipality.pk)
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_settings_update(
                municipality=municipality, actor=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            fields, general = _errors(exc)
            for field, errors in fields.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("The settings were saved."))
            return redirect("assessments:campaign_list")
    return render(
        request,
        "assessments/form.html",
        {
            "form": form,
            "title": _("Clarification settings for %(name)s") % {"name": municipality.name},
            "cancel_url": reverse("assessments:campaign_list"),
        },
    )


def tasks_for_user(user: Any) -> list[dict[str, Any]]:
    """ "My tasks" on the start page: open campaigns to answer and people waiting for the manager."""
    tasks = []
    for assessment in selectors.my_open_assessments(user)[:20]:
        tasks.append(
            {
                "href": reverse("assessments:assessment_form", kwargs={"assessment_pk": assessment.pk}),
                "label": _("Answer “%(campaign)s” by %(date)s")
                % {"campaign": assessment.campaign.name, "date": _date(assessment.campaign.closes_on)},
            }
        )
    for row in selectors.pending_manager_counts(user):
        tasks.append(
            {
                "href": reverse("assessments:campaign_detail", kwargs={"campaign_pk": row["campaign_id"]}),
                "label": _("Assess your employees in “%(campaign)s” (%(count)d pending)")
                % {"campaign": row["name"], "count": row["count"]},
            }
        )
    return tasks


def _date(value: Any) -> str:
    from django.utils.formats import date_format

    return date_format(value, "SHORT_DATE_FORMAT")
